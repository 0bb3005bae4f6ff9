/**
 * A larger capture made of real traffic: K copies of a classic-pcap capture, merged by time, copy k starting
 * k × `stagger` seconds later and renumbered into its own address block (IPv4 second octet + k, IPv6 first word
 * + k), with the IPv4 header and TCP/UDP checksums adjusted so they still verify. The result has real TCP
 * behaviour (loss, reordering, resets, SYN timeouts) at the real capture's connection density, in any size:
 * the 38 k-packet real trace alone is too short to time end to end past Node's start-up.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const OUT_BYTES = 8 << 20;

interface Source {
  le: boolean;
  nanos: boolean;
  link: number;
  /** Byte offset of each record header. */
  offsets: number[];
  bytes: Uint8Array;
}

function readSource(path: string): Source {
  const bytes = readFileSync(path);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  const known: Record<number, [boolean, boolean]> = {
    0xa1b2c3d4: [true, false], 0xd4c3b2a1: [false, false], 0xa1b23c4d: [true, true], 0x4d3cb2a1: [false, true],
  };
  const k = known[magic];
  if (!k) throw new Error(`${path}: not a classic pcap (magic ${magic.toString(16)})`);
  const [le, nanos] = k;
  const offsets: number[] = [];
  for (let off = 24; off + 16 <= bytes.length;) {
    const incl = dv.getUint32(off + 8, le);
    if (off + 16 + incl > bytes.length) break;
    offsets.push(off);
    off += 16 + incl;
  }
  return { le, nanos, link: dv.getUint32(20, le), offsets, bytes };
}

/** Adds `delta` to a 16-bit one's-complement checksum stored big-endian at `at` (RFC 1624 form). */
function adjust(p: Uint8Array, at: number, delta: number): void {
  let sum = (~((p[at] << 8) | p[at + 1]) & 0xffff) + delta;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  const v = ~sum & 0xffff;
  p[at] = v >> 8;
  p[at + 1] = v & 0xff;
}

/**
 * Sets the big-endian 16-bit word at `at` to `w` and returns what the checksums over it must add: ~old + new
 * (RFC 1624), right whatever the old and new values, wrap-arounds included.
 */
function setWord(p: Uint8Array, at: number, w: number): number {
  const old = (p[at] << 8) | p[at + 1];
  p[at] = w >> 8;
  p[at + 1] = w & 0xff;
  return (~old & 0xffff) + w;
}

/**
 * Renumbers one packet (Ethernet with optional 802.1Q tags, IPv4 or IPv6, TCP or UDP) for copy k in place: k is
 * added to the second octet of each IPv4 address or the first word of each IPv6 address, and the checksums
 * covering the addresses are adjusted by the words' change.
 */
function renumber(p: Uint8Array, k: number): void {
  let off = 12;
  let type = (p[off] << 8) | p[off + 1];
  while ((type === 0x8100 || type === 0x88a8) && off + 6 <= p.length) { off += 4; type = (p[off] << 8) | p[off + 1]; }
  off += 2;
  let proto = -1, l4 = -1, delta = 0;
  if (type === 0x0800 && off + 20 <= p.length) {
    // The 2nd octet of each address: the low bytes of header words 6 and 8.
    delta = setWord(p, off + 12, (p[off + 12] << 8) | ((p[off + 13] + k) & 0xff)) +
      setWord(p, off + 16, (p[off + 16] << 8) | ((p[off + 17] + k) & 0xff));
    adjust(p, off + 10, delta);
    proto = p[off + 9];
    const frag = ((p[off + 6] & 0x1f) << 8) | p[off + 7];
    if (frag === 0) l4 = off + (p[off] & 0x0f) * 4;
  } else if (type === 0x86dd && off + 40 <= p.length) {
    delta = setWord(p, off + 8, (((p[off + 8] << 8) | p[off + 9]) + k) & 0xffff) +
      setWord(p, off + 24, (((p[off + 24] << 8) | p[off + 25]) + k) & 0xffff);
    proto = p[off + 6];
    l4 = off + 40;
  }
  if (l4 < 0) return;
  const ck = proto === 6 ? l4 + 16 : proto === 17 ? l4 + 6 : -1;
  if (ck < 0 || ck + 2 > p.length) return;
  if (proto === 17 && p[ck] === 0 && p[ck + 1] === 0) return; // UDP without a checksum
  adjust(p, ck, delta);
}

export interface Replicated { packets: number; bytes: number; copies: number; seconds: number }

/** Writes `copies` staggered, renumbered copies of `src` (classic pcap, Ethernet) to `out`. */
export function replicate(src: string, out: string, copies: number, staggerFraction = 0.25): Replicated {
  const s = readSource(src);
  if (s.link !== 1) throw new Error(`${src}: link type ${s.link}; replicate handles Ethernet`);
  const dv = new DataView(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
  const unit = s.nanos ? 1e9 : 1e6;
  // Packet times in integer ticks, relative to the first packet.
  const sec = (i: number): number => dv.getUint32(s.offsets[i], s.le);
  const sub = (i: number): number => dv.getUint32(s.offsets[i] + 4, s.le);
  const t0s = sec(0), t0u = sub(0);
  const ticks = s.offsets.map((_, i) => (sec(i) - t0s) * unit + (sub(i) - t0u));
  const span = Math.max(...ticks);
  const stagger = Math.round(span * staggerFraction);

  const fd = openSync(out, 'w');
  const buf = new Uint8Array(OUT_BYTES);
  const odv = new DataView(buf.buffer);
  let used = 0, written = 0;
  const flush = (): void => { writeSync(fd, buf, 0, used); written += used; used = 0; };
  buf.set(s.bytes.subarray(0, 24));
  used = 24;

  // k-way merge by time; ties go to the lower copy, so the output is deterministic.
  const next = new Array<number>(copies).fill(0);
  const at = (k: number): number => ticks[next[k]] + k * stagger;
  let packets = 0;
  for (;;) {
    let k = -1;
    for (let c = 0; c < copies; c++) if (next[c] < ticks.length && (k < 0 || at(c) < at(k))) k = c;
    if (k < 0) break;
    const i = next[k]++;
    const off = s.offsets[i];
    const incl = dv.getUint32(off + 8, s.le);
    if (used + 16 + incl > OUT_BYTES) flush();
    const t = at(k) + t0u;
    odv.setUint32(used, t0s + Math.floor(t / unit), s.le);
    odv.setUint32(used + 4, t % unit, s.le);
    buf.set(s.bytes.subarray(off + 8, off + 16 + incl), used + 8);
    if (k > 0) renumber(buf.subarray(used + 16, used + 16 + incl), k);
    used += 16 + incl;
    packets++;
  }
  flush();
  closeSync(fd);
  return { packets, bytes: written, copies, seconds: (span + (copies - 1) * stagger) / unit };
}
