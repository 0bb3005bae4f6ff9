/**
 * Streaming classic-pcap writer for the benchmark capture: Ethernet (optionally 802.1Q), IPv4 or IPv6, TCP with
 * options, correct IPv4 header and TCP checksums. Memory stays flat: one 8 MiB output buffer, flushed with
 * writeSync, and one payload pool.
 *
 * Payload bytes come from a seeded pool indexed by stream offset, so a retransmission carries the same bytes
 * as the original. Their checksum is computed from prefix sums over the pool in O(1), which keeps the
 * generator at memcpy speed instead of summing every payload byte.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Rng } from './rng.ts';

/** Payload pool size; streams wrap around it. Stored twice so any slice up to POOL bytes is contiguous. */
export const POOL = 1 << 20;
const OUT_BYTES = 8 << 20;
const EPOCH_S = 1_700_000_000;

export const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16;

/** TCP option layouts (Linux's). */
export const Opt = {
  None: 0,
  /** SYN: MSS, SACK-permitted, timestamps, NOP, window scale (20 bytes). */
  SynFull: 1,
  /** SYN without timestamps: MSS, NOP, window scale, NOP, NOP, SACK-permitted (12 bytes). */
  SynBasic: 2,
  /** Data/ACK with timestamps: NOP, NOP, timestamps (12 bytes). */
  Timestamps: 3,
} as const;
const OPT_BYTES = [0, 20, 12, 12];

/** An endpoint address with its precomputed pseudo-header word sum and MAC. */
export interface Host {
  v6: boolean;
  addr: Uint8Array;
  sum: number;
  mac: Uint8Array;
}

export function makeHost(addr: Uint8Array, mac: Uint8Array): Host {
  let sum = 0;
  for (let i = 0; i < addr.length; i += 2) sum += (addr[i] << 8) | addr[i + 1];
  return { v6: addr.length === 16, addr, sum, mac };
}

/** One segment to write; the generator refills a single instance. */
export class Segment {
  src!: Host;
  dst!: Host;
  vlan = -1;
  sport = 0;
  dport = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  win = 0;
  opt: number = Opt.None;
  mss = 1460;
  wscale = 7;
  tsval = 0;
  tsecr = 0;
  ipId = 0;
  ttl = 64;
  flow = 0;
  /** Pool offset of the payload (0 ≤ payOff < POOL) and its length. */
  payOff = 0;
  payLen = 0;
}

export class PcapWriter {
  readonly pool = new Uint8Array(2 * POOL);
  /** prefix[i] = sum of the big-endian words starting at i-2, i-4, … (same parity as i). */
  readonly #prefix = new Float64Array(2 * POOL + 2);
  #fd: number;
  #buf = new Uint8Array(OUT_BYTES);
  #dv = new DataView(this.#buf.buffer);
  #pos = 0;
  packets = 0;
  bytes = 0;

  constructor(path: string, seed: number) {
    const half = new Uint8Array(POOL);
    new Rng(seed ^ 0x5eed).fill(half);
    this.pool.set(half, 0);
    this.pool.set(half, POOL);
    const p = this.pool, s = this.#prefix;
    for (let i = 0; i + 1 < p.length; i++) s[i + 2] = s[i] + ((p[i] << 8) | p[i + 1]);
    this.#fd = openSync(path, 'w');
    const dv = this.#dv;
    dv.setUint32(0, 0xa1b2c3d4, true);
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, 0, true);
    dv.setUint32(16, 262144, true);
    dv.setUint32(20, 1, true);
    this.#pos = 24;
  }

  /** Word sum of payload bytes [off, off + len) of the pool. */
  #payloadSum(off: number, len: number): number {
    const words = len >> 1;
    let sum = this.#prefix[off + 2 * words] - this.#prefix[off];
    if (len & 1) sum += this.pool[off + len - 1] << 8;
    return sum;
  }

  /** Appends one packet record at `tsUs` microseconds after the capture epoch. */
  write(tsUs: number, s: Segment): void {
    const optBytes = OPT_BYTES[s.opt];
    const thl = 20 + optBytes;
    const v6 = s.src.v6;
    const ipl = v6 ? 40 : 20;
    const l2 = s.vlan >= 0 ? 18 : 14;
    const tcpLen = thl + s.payLen;
    const caplen = l2 + ipl + tcpLen;
    if (this.#pos + 16 + caplen > OUT_BYTES) this.flush();
    const b = this.#buf, dv = this.#dv;
    let o = this.#pos;
    const sec = Math.floor(tsUs / 1e6);
    dv.setUint32(o, EPOCH_S + sec, true);
    dv.setUint32(o + 4, tsUs - sec * 1e6, true);
    dv.setUint32(o + 8, caplen, true);
    dv.setUint32(o + 12, caplen, true);
    o += 16;
    // Ethernet (+ 802.1Q)
    b.set(s.dst.mac, o);
    b.set(s.src.mac, o + 6);
    o += 12;
    if (s.vlan >= 0) {
      dv.setUint16(o, 0x8100);
      dv.setUint16(o + 2, s.vlan);
      o += 4;
    }
    dv.setUint16(o, v6 ? 0x86dd : 0x0800);
    o += 2;
    // IP
    if (v6) {
      dv.setUint32(o, 0x60000000 | (s.flow & 0xfffff));
      dv.setUint16(o + 4, tcpLen);
      b[o + 6] = 6;
      b[o + 7] = s.ttl;
      b.set(s.src.addr, o + 8);
      b.set(s.dst.addr, o + 24);
    } else {
      dv.setUint32(o, 0x45000000 | (ipl + tcpLen));
      dv.setUint32(o + 4, ((s.ipId & 0xffff) << 16) | 0x4000);
      dv.setUint32(o + 8, (s.ttl << 24) | (6 << 16));
      b.set(s.src.addr, o + 12);
      b.set(s.dst.addr, o + 16);
      let sum = 0;
      for (let i = 0; i < 20; i += 2) sum += (b[o + i] << 8) | b[o + i + 1];
      dv.setUint16(o + 10, fold(sum) ^ 0xffff);
    }
    o += ipl;
    // TCP
    const t = o;
    dv.setUint16(t, s.sport);
    dv.setUint16(t + 2, s.dport);
    dv.setUint32(t + 4, s.seq >>> 0);
    dv.setUint32(t + 8, s.ack >>> 0);
    dv.setUint16(t + 12, ((thl >> 2) << 12) | s.flags);
    dv.setUint16(t + 14, s.win);
    dv.setUint32(t + 16, 0);
    writeOptions(dv, t + 20, s);
    let sum = s.src.sum + s.dst.sum + 6 + tcpLen;
    for (let i = 0; i < thl; i += 2) sum += (b[t + i] << 8) | b[t + i + 1];
    o = t + thl;
    if (s.payLen > 0) {
      b.set(this.pool.subarray(s.payOff, s.payOff + s.payLen), o);
      sum += this.#payloadSum(s.payOff, s.payLen);
    }
    let c = fold(sum) ^ 0xffff;
    if (c === 0) c = 0xffff;
    dv.setUint16(t + 16, c);
    this.#pos = o + s.payLen;
    this.packets++;
    this.bytes += 16 + caplen;
  }

  flush(): void {
    let off = 0;
    while (off < this.#pos) off += writeSync(this.#fd, this.#buf, off, this.#pos - off);
    this.#pos = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
    this.bytes += 24;
  }
}

/** One's-complement fold of a non-negative sum (exact in a double up to 2^53). */
function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum % 65536) + Math.floor(sum / 65536);
  return sum;
}

function writeOptions(dv: DataView, o: number, s: Segment): void {
  switch (s.opt) {
    case Opt.SynFull:
      dv.setUint32(o, 0x02040000 | s.mss);
      dv.setUint16(o + 4, 0x0402);
      dv.setUint16(o + 6, 0x080a);
      dv.setUint32(o + 8, s.tsval >>> 0);
      dv.setUint32(o + 12, s.tsecr >>> 0);
      dv.setUint32(o + 16, 0x01030300 | s.wscale);
      break;
    case Opt.SynBasic:
      dv.setUint32(o, 0x02040000 | s.mss);
      dv.setUint32(o + 4, 0x01030300 | s.wscale);
      dv.setUint32(o + 8, 0x01010402);
      break;
    case Opt.Timestamps:
      dv.setUint32(o, 0x0101080a);
      dv.setUint32(o + 4, s.tsval >>> 0);
      dv.setUint32(o + 8, s.tsecr >>> 0);
      break;
  }
}
