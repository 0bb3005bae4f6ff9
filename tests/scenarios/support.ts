/**
 * Scripted TCP exchanges for the scenario tests: a Flow writes the segments of one connection (each side's
 * sequence and acknowledgement numbers tracked, IP IDs counting up, a clock that advances per packet) into
 * Ethernet/IPv4-or-IPv6 frames with correct checksums; `pcap` wraps frames into a capture and `run` feeds it
 * through the public `analyze` with every event subscribed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyzerOptions, Connection, EventName, EventOf, SynackEvent } from '../../bindings/core/api.ts';
import { EVENT_INFO, ENDPOINT_STATES } from '../../bindings/core/events.generated.ts';
import { analyze } from '../../bindings/node.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** Why the scenario tests are skipped, or false. */
export const skip = existsSync(join(ROOT, 'build', 'synack.wasm')) ? false : 'core not built (npm run build)';

/** Every event a user can subscribe to (the internal contents records left out). */
export const ALL_EVENTS: EventName[] = EVENT_INFO.map((e) => e.name).filter((n) => !n.startsWith('contents_file_') || n === 'contents_file_write_failure');

/** Base time of the scripted captures. */
export const T0 = 1_000_000_000;

// ---- frames ----

/** One TCP segment on the wire. */
export interface Segment {
  src: string; dst: string; sport: number; dport: number;
  seq: number; ack: number;
  /** Flag letters: F S R P A U (ECE/CWR as E, C). */
  flags: string;
  win?: number;
  options?: number[];
  payload?: Uint8Array;
  ipId?: number;
  ttl?: number;
  /** IPv4 don't-fragment bit (default set). */
  df?: boolean;
  badChecksum?: boolean;
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128 };

function parseIp(s: string): Uint8Array {
  if (!s.includes(':')) return new Uint8Array(s.split('.').map(Number));
  const [l, r = ''] = s.split('::');
  const words = (x: string): number[] => (x ? x.split(':').map((w) => parseInt(w, 16)) : []);
  const lw = words(l), rw = words(r);
  const all = s.includes('::') ? [...lw, ...Array<number>(8 - lw.length - rw.length).fill(0), ...rw] : lw;
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 255; });
  return out;
}

function sum16(b: Uint8Array, sum = 0): number {
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (b.length & 1) sum += b[b.length - 1] << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

/** Ethernet + IPv4/IPv6 + TCP, checksums correct unless `badChecksum`. */
export function tcpFrame(s: Segment): Uint8Array {
  const src = parseIp(s.src), dst = parseIp(s.dst), v6 = src.length === 16;
  const opts = s.options ?? [];
  const optLen = (opts.length + 3) & ~3;
  const payload = s.payload ?? new Uint8Array(0);
  const l3 = v6 ? 40 : 20, tcpLen = 20 + optLen + payload.length;
  const f = new Uint8Array(14 + l3 + tcpLen);
  const dv = new DataView(f.buffer);
  f.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]);
  dv.setUint16(12, v6 ? 0x86dd : 0x0800);
  if (v6) {
    dv.setUint32(14, 0x60000000);
    dv.setUint16(18, tcpLen);
    f[20] = 6;
    f[21] = s.ttl ?? 64;
    f.set(src, 22);
    f.set(dst, 38);
  } else {
    f[14] = 0x45;
    dv.setUint16(16, 20 + tcpLen);
    dv.setUint16(18, s.ipId ?? 0);
    dv.setUint16(20, s.df === false ? 0 : 0x4000);
    f[22] = s.ttl ?? 64;
    f[23] = 6;
    f.set(src, 26);
    f.set(dst, 30);
    dv.setUint16(24, fold(sum16(f.subarray(14, 34))));
  }
  const o = 14 + l3;
  dv.setUint16(o, s.sport);
  dv.setUint16(o + 2, s.dport);
  dv.setUint32(o + 4, s.seq >>> 0);
  dv.setUint32(o + 8, s.ack >>> 0);
  let flags = 0;
  for (const c of s.flags) flags |= FLAG_BITS[c] ?? 0;
  dv.setUint16(o + 12, ((5 + optLen / 4) << 12) | flags);
  dv.setUint16(o + 14, s.win ?? 65535);
  f.set(opts, o + 20);
  f.set(payload, o + 20 + optLen);
  const pseudo = sum16(src) + sum16(dst) + 6 + tcpLen;
  dv.setUint16(o + 16, fold(sum16(f.subarray(o), pseudo)) ^ (s.badChecksum ? 0x5555 : 0));
  return f;
}

/** A capture record: time, frame, and optionally a shorter captured length. */
export interface Rec { ts: number; data: Uint8Array; capLen?: number }

/** Classic pcap (little-endian, µs, Ethernet). */
export function pcap(recs: Rec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, true);
  head.setUint16(4, 2, true);
  head.setUint16(6, 4, true);
  head.setUint32(16, 65535, true);
  head.setUint32(20, 1, true);
  parts.push(new Uint8Array(head.buffer));
  for (const r of recs) {
    const cap = r.capLen ?? r.data.length;
    const h = new DataView(new ArrayBuffer(16));
    const sec = Math.floor(r.ts);
    h.setUint32(0, sec, true);
    h.setUint32(4, Math.round((r.ts - sec) * 1e6), true);
    h.setUint32(8, cap, true);
    h.setUint32(12, r.data.length, true);
    parts.push(new Uint8Array(h.buffer), r.data.subarray(0, cap));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// ---- flows ----

/** Which side sends: the originator ('o', the first packet's sender by default) or the responder ('r'). */
export type Side = 'o' | 'r';

interface Peer { addr: string; port: number; next: number; ipId: number }

/** What one scripted packet overrides. */
export interface Send {
  /** Payload bytes, a string, or a length (filled with 'a'). */
  data?: Uint8Array | string | number;
  seq?: number;
  ack?: number;
  win?: number;
  options?: number[];
  ttl?: number;
  badChecksum?: boolean;
  /** Seconds after the previous packet of the capture (default `step`). */
  dt?: number;
  /** Absolute time. */
  at?: number;
  /** Capture only this many bytes of the frame. */
  capLen?: number;
  /** Do not advance the sender's next sequence number. */
  keepSeq?: boolean;
}

/**
 * One connection's packets. Sequence numbers are absolute: the originator starts at `isn` (default 1000), the
 * responder at `rsn` (default 5000); a packet without an explicit `seq` uses the sender's next number and advances
 * it by payload + SYN + FIN; `ack` defaults to the peer's next number when the A flag is set.
 */
export class Flow {
  readonly o: Peer;
  readonly r: Peer;
  constructor(
    private cap: Capture,
    o = '10.0.0.1:40000', r = '10.0.0.2:80', isn = 1000, rsn = 5000,
  ) {
    this.o = { ...hostPort(o), next: isn, ipId: 100 };
    this.r = { ...hostPort(r), next: rsn, ipId: 7000 };
  }

  /** Sends a segment from `side` with the given flag letters. */
  send(side: Side, flags: string, x: Send = {}): this {
    const me = side === 'o' ? this.o : this.r, peer = side === 'o' ? this.r : this.o;
    const payload = typeof x.data === 'number' ? new Uint8Array(x.data).fill(0x61)
      : typeof x.data === 'string' ? new TextEncoder().encode(x.data) : x.data ?? new Uint8Array(0);
    const seq = x.seq ?? me.next;
    const ack = x.ack ?? (flags.includes('A') ? peer.next : 0);
    const frame = tcpFrame({
      src: me.addr, dst: peer.addr, sport: me.port, dport: peer.port, seq, ack, flags, win: x.win, options: x.options,
      payload, ipId: me.ipId++, ttl: x.ttl, badChecksum: x.badChecksum,
    });
    if (x.seq === undefined && !x.keepSeq) {
      me.next = (seq + payload.length + (flags.includes('S') ? 1 : 0) + (flags.includes('F') ? 1 : 0)) >>> 0;
    }
    this.cap.add(frame, x);
    return this;
  }

  /** SYN from the originator, SYN-ACK from the responder, ACK from the originator. */
  handshake(): this {
    return this.send('o', 'S').send('r', 'SA').send('o', 'A');
  }
}

function hostPort(s: string): { addr: string; port: number } {
  const i = s.lastIndexOf(':');
  const addr = s.slice(0, i);
  return { addr: addr.startsWith('[') ? addr.slice(1, -1) : addr, port: Number(s.slice(i + 1)) };
}

/** A capture being scripted: flows add packets in order; the clock advances `step` seconds per packet. */
export class Capture {
  readonly recs: Rec[] = [];
  now = T0;
  constructor(public step = 0.01) {}

  /** A new connection between `o` and `r` ("addr:port", IPv6 as "[addr]:port"). */
  flow(o?: string, r?: string, isn?: number, rsn?: number): Flow {
    return new Flow(this, o, r, isn, rsn);
  }

  /** Appends a raw frame at the next time (or `x.at` / `x.dt`). */
  add(data: Uint8Array, x: { dt?: number; at?: number; capLen?: number } = {}): this {
    if (this.recs.length > 0 || x.at !== undefined) this.now = x.at ?? this.now + (x.dt ?? this.step);
    this.recs.push({ ts: this.now, data, capLen: x.capLen });
    return this;
  }

  bytes(): Uint8Array {
    return pcap(this.recs);
  }
}

// ---- running and reading ----

/** Analyzes a scripted capture with every event subscribed (or `subscribe`); returns all events. */
export async function run(cap: Capture | Uint8Array, options: AnalyzerOptions = {}): Promise<SynackEvent[]> {
  const out: SynackEvent[] = [];
  const bytes = cap instanceof Uint8Array ? cap : cap.bytes();
  for await (const e of analyze(bytes, { subscribe: ALL_EVENTS, ...options })) out.push(e);
  return out;
}

const tf = (b: boolean): string => (b ? 'T' : 'F');

/** A short label: the name plus the arguments that tell events of one name apart. */
export function label(e: SynackEvent): string {
  switch (e.name) {
    case 'conn_weird': case 'flow_weird': case 'net_weird': return `${e.name}:${e.weird_name}`;
    case 'connection_EOF': return `connection_EOF(${tf(e.is_orig)})`;
    case 'tcp_packet': return `tcp_packet(${tf(e.is_orig)},${e.flags})`;
    case 'tcp_option': return `tcp_option(${e.opt})`;
    case 'tcp_contents': return `tcp_contents(${tf(e.is_orig)},${e.seq},${e.contents.length})`;
    case 'content_gap': return `content_gap(${tf(e.is_orig)},${e.seq},${e.length})`;
    case 'tcp_multiple_checksum_errors': case 'tcp_multiple_zero_windows':
    case 'tcp_multiple_retransmissions': case 'tcp_multiple_gap': return `${e.name}(${tf(e.is_orig)},${e.threshold})`;
    case 'contents_file_write_failure': return `${e.name}(${tf(e.is_orig)})`;
    default: return e.name;
  }
}

/** `frame label` per event, leaving out the named events. */
export function trace(evs: SynackEvent[], without: readonly EventName[] = []): string[] {
  return evs.filter((e) => !without.includes(e.name)).map((e) => `${e.frame} ${label(e)}`);
}

/** Labels of the events of one frame (packet number), leaving out the named events. */
export function atFrame(evs: SynackEvent[], frame: number, without: readonly EventName[] = []): string[] {
  return evs.filter((e) => e.frame === frame && !without.includes(e.name)).map(label);
}

/** The events of one name. */
export function only<N extends EventName>(evs: SynackEvent[], name: N): EventOf<N>[] {
  return evs.filter((e): e is EventOf<N> => e.name === name);
}

/** The one event of a name (fails when there are none or several). */
export function one<N extends EventName>(evs: SynackEvent[], name: N): EventOf<N> {
  const all = only(evs, name);
  if (all.length !== 1) throw new Error(`expected one ${name}, got ${all.length}: ${trace(evs).join(' | ')}`);
  return all[0];
}

/** The final record of the connection with this originator port (from its connection_state_remove). */
export function final(evs: SynackEvent[], origPort?: number): Connection {
  const rm = only(evs, 'connection_state_remove').filter((e) => origPort === undefined || e.c.id.orig_p === origPort);
  if (rm.length !== 1) throw new Error(`expected one connection_state_remove${origPort ? ` for orig port ${origPort}` : ''}, got ${rm.length}`);
  return rm[0].c;
}

/** A time rounded to the microsecond (captures store µs), for comparing event times. */
export const usec = (t: number): number => Math.round(t * 1e6) / 1e6;

/** Endpoint state name (TCP_ESTABLISHED, …). */
export const state = (n: number): string => ENDPOINT_STATES[n];

/** History, conn_state and both endpoint states of a connection record: "ShADadFf SF TCP_CLOSED/TCP_CLOSED". */
export function summary(c: Connection): string {
  return `${c.history} ${c.conn_state} ${state(c.orig.state)}/${state(c.resp.state)}`;
}

/** Events that every packet raises when all are subscribed (left out of traces that look at the rest). */
export const NOISE: EventName[] = ['tcp_packet', 'tcp_option', 'tcp_options', 'new_connection_contents'];
