/**
 * Harness and capture builders for the hostile-input tests.
 *
 * The harness drives build/synack.wasm through its exports only, in a worker thread: a trap becomes status
 * 'Trap' (with the core's abort location), a run that exceeds its time becomes 'Timeout' even when the core
 * loops inside one call (the worker is terminated), and wasm memory is checked after every call. The builders
 * write pcap/pcapng files and Ethernet/IPv4/IPv6/TCP frames with correct checksums unless told otherwise.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EVENTS } from '../../schema/events.ts';
import { OPTIONS } from '../../schema/options.ts';
import { CAPTURE_ERRORS, STATS } from '../../schema/status.ts';
import { WEIRDS } from '../../schema/weirds.ts';

export const WASM_PATH = process.env.SYNACK_WASM ?? fileURLToPath(new URL('../../build/synack.wasm', import.meta.url));
export const CASES = '/work/shared/conformance/cases';
export const MiB = 1 << 20;

export type CaptureErrorName = (typeof CAPTURE_ERRORS)[number]['name'];
export const ERR = Object.fromEntries(CAPTURE_ERRORS.map((e) => [e.name, e.id])) as Record<CaptureErrorName, number>;

// ---- harness ----

export type Status = 'Done' | 'Error' | 'Trap' | 'Timeout' | 'MemoryLimit' | 'HarnessError';

export interface RunOptions {
  /** Bytes per inputCommit (default: as many as the core takes). */
  chunk?: number;
  /** Core options by schema name (schema/options.ts); numeric kinds only. */
  options?: Record<string, number>;
  /** 'default' = what `synack conn` subscribes to; 'all' = every event; or event names. */
  events?: 'default' | 'all' | string[];
  timeLimitMs?: number;
  memoryLimit?: number;
  /** Hash every ring record's bytes (to compare two runs). */
  hash?: boolean;
}

export interface RunResult {
  status: Status;
  /** Capture error (status Error): CAPTURE_ERRORS id and name, byte offset, offending value. */
  errorCode: number; errorName: string; errorOffset: number; errorValue: number;
  /** Trap or harness message. */
  message: string;
  stats: Record<string, number>;
  /** Highest open_connections / buffered_bytes seen between calls, and open_connections before finish(). */
  maxOpen: number; maxBuffered: number; openBeforeFinish: number;
  /** Ring records: in all, by event name, and weirds (from conn_weird/flow_weird/net_weird) by weird name. */
  records: number; events: Record<string, number>; weirds: Record<string, number>;
  elapsedMs: number;
  memoryBytes: number;
  /** sha256 of all ring records (RunOptions.hash). */
  hash: string;
}

type RawResult = Omit<RunResult, 'errorName' | 'stats' | 'events' | 'weirds'> & {
  stats: number[]; events: Record<number, number>; weirds: Record<number, number>;
};

/** What the worker needs: plain data (a WebAssembly.Module can be posted to a worker). */
interface Job {
  id: number; module: WebAssembly.Module; bytes: Uint8Array; init: RawResult;
  options: [number, number][]; subscribe: number[]; allEvents: number[]; weirdEvents: number[];
  statsCount: number; openStat: number; bufferedStat: number;
  chunk: number; memoryLimit: number; timeLimitMs: number; hash: boolean;
}

/**
 * The worker's code. It runs from its source text (no imports, no outer names): `require` is the worker's own.
 * Ring records are counted by event id; the weird events carry the weird id as their first argument (a u16
 * right after the 20-byte record header, schema/ring.ts).
 */
function harnessWorker(): void {
  const { parentPort } = require('node:worker_threads');
  const { createHash } = require('node:crypto');
  const asString = (mem: ArrayBuffer, ptr: number): string => {
    if (!ptr || ptr < 4 || ptr >= mem.byteLength) return '';
    const len = new DataView(mem).getUint32(ptr - 4, true);
    if (ptr + len > mem.byteLength) return '';
    return Buffer.from(new Uint8Array(mem, ptr, len)).toString('utf16le');
  };
  const runJob = (job: Job): RawResult => {
    const t0 = performance.now();
    const res: RawResult = { ...job.init, status: 'Done' };
    const hash = job.hash ? createHash('sha256') : null;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let ex: any = null;
    const stats = (): Float64Array => new Float64Array(ex.memory.buffer, ex.statsPtr(), job.statsCount);
    const drain = (): void => {
      const dv = new DataView(ex.memory.buffer);
      const ring = ex.ringPtr();
      const head = dv.getUint32(ring, true), cap = dv.getUint32(ring + 8, true);
      let tail = dv.getUint32(ring + 4, true);
      while (tail !== head) {
        const off = tail & (cap - 1);
        const at = ring + 16 + off;
        const len = dv.getUint32(at, true);
        if (len === 0xffffffff) { tail = (tail + cap - off) >>> 0; continue; }
        if (len < 20 || len % 4 !== 0 || off + len > cap) throw new Error(`bad ring record length ${len} at ${off}`);
        const id = dv.getUint16(at + 4, true);
        res.records++;
        res.events[id] = (res.events[id] ?? 0) + 1;
        if (job.weirdEvents.includes(id)) {
          const w = dv.getUint16(at + 20, true);
          res.weirds[w] = (res.weirds[w] ?? 0) + 1;
        }
        if (hash) hash.update(new Uint8Array(ex.memory.buffer, at, len));
        tail = (tail + len) >>> 0;
      }
      dv.setUint32(ring + 4, tail, true);
    };
    /** After every call: ring drained, bounds checked. Returns false when the run must stop. */
    const after = (): boolean => {
      drain();
      const s = stats();
      res.maxOpen = Math.max(res.maxOpen, s[job.openStat]);
      res.maxBuffered = Math.max(res.maxBuffered, s[job.bufferedStat]);
      if (ex.memory.buffer.byteLength > job.memoryLimit) { res.status = 'MemoryLimit'; return false; }
      if (performance.now() - t0 > job.timeLimitMs) { res.status = 'Timeout'; return false; }
      return true;
    };
    const error = (): void => {
      res.status = 'Error';
      res.errorCode = ex.errorCode();
      res.errorOffset = ex.errorOffset();
      res.errorValue = ex.errorValue();
    };
    try {
      ex = new WebAssembly.Instance(job.module, {}).exports;
      for (const [id, v] of job.options) ex.setOption(id, v);
      for (const id of job.allEvents) ex.subscribe(id, job.subscribe.includes(id) ? 1 : 0);
      if (ex.init() !== 0) throw new Error('init() refused the options');
      const bytes = job.bytes;
      let off = 0;
      feed: while (off < bytes.length) {
        const space = ex.inputSpace();
        if (space === 0) throw new Error(`no input space at input offset ${off}`);
        const n = Math.min(space, job.chunk, bytes.length - off);
        new Uint8Array(ex.memory.buffer, ex.inputWritePtr(), n).set(bytes.subarray(off, off + n));
        ex.inputCommit(n);
        off += n;
        for (;;) {
          const s = ex.run();
          if (!after()) break feed;
          if (s === 0) break;
          if (s === 3) { error(); break feed; }
          if (s !== 1) throw new Error(`run() returned ${s}`);
        }
      }
      if (res.status === 'Done') {
        res.openBeforeFinish = stats()[job.openStat];
        for (;;) {
          const s = ex.finish();
          if (!after()) break;
          if (s === 2) break;
          if (s === 3) { error(); break; }
          if (s !== 1) throw new Error(`finish() returned ${s}`);
        }
      }
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        res.status = 'Trap';
        let where = '';
        if (ex) {
          const mem = ex.memory.buffer as ArrayBuffer, p = ex.abortInfo();
          const dv = new DataView(mem);
          where = ` (abort: ${asString(mem, dv.getUint32(p + 12, true))} at ${asString(mem, dv.getUint32(p + 8, true))}:` +
            `${dv.getUint32(p, true)}:${dv.getUint32(p + 4, true)})`;
        }
        res.message = `${e.message}${where}`;
      } else {
        res.status = 'HarnessError';
        res.message = e instanceof Error ? e.stack ?? e.message : String(e);
      }
    }
    if (ex) {
      res.stats = Array.from(stats());
      res.memoryBytes = ex.memory.buffer.byteLength;
    }
    res.hash = hash ? hash.digest('hex') : '';
    res.elapsedMs = performance.now() - t0;
    return res;
  };
  parentPort.on('message', (job: Job) => parentPort.postMessage({ id: job.id, result: runJob(job) }));
}

let module: WebAssembly.Module | null = null;
let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, (r: RawResult) => void>();

function coreModule(): WebAssembly.Module {
  module ??= new WebAssembly.Module(readFileSync(WASM_PATH));
  return module;
}

function harness(): Worker {
  if (worker) return worker;
  // tsx may wrap functions in __name(); the worker source defines it as the identity.
  const w = new Worker(`const __name = (f) => f;\n(${harnessWorker.toString()})();`, { eval: true });
  w.on('message', ({ id, result }: { id: number; result: RawResult }) => {
    waiting.get(id)?.(result);
    waiting.delete(id);
  });
  w.on('error', (e) => {
    for (const done of waiting.values()) done({ ...emptyRaw(), status: 'HarnessError', message: String(e) });
    waiting.clear();
    worker = null;
  });
  w.unref(); // after the listeners, which would ref it again
  worker = w;
  return w;
}

function emptyRaw(): RawResult {
  return {
    status: 'HarnessError', errorCode: 0, errorOffset: 0, errorValue: 0, message: '', stats: [], maxOpen: 0, openBeforeFinish: 0,
    maxBuffered: 0, records: 0, events: {}, weirds: {}, elapsedMs: 0, memoryBytes: 0, hash: '',
  };
}

const eventId = new Map(EVENTS.map((e) => [e.name, e.id]));
const eventName = new Map(EVENTS.map((e) => [e.id, e.name]));
const weirdName = new Map(WEIRDS.map((w) => [w.id, w.name]));

function subscription(events: RunOptions['events']): number[] {
  if (events === 'all') return EVENTS.map((e) => e.id);
  if (events === undefined || events === 'default') return EVENTS.filter((e) => e.defaultOn).map((e) => e.id);
  return events.map((n) => {
    const id = eventId.get(n);
    if (id === undefined) throw new Error(`unknown event ${n}`);
    return id;
  });
}

/** Runs the core over `bytes` in a fresh instance. Never throws for core failures: see `status`. */
export function analyze(bytes: Uint8Array, o: RunOptions = {}): Promise<RunResult> {
  const options: [number, number][] = Object.entries(o.options ?? {}).map(([name, v]) => {
    const def = OPTIONS.find((d) => d.name === name);
    if (!def) throw new Error(`unknown option ${name}`);
    return [def.id, v];
  });
  const timeLimitMs = o.timeLimitMs ?? 10_000;
  const stat = (name: string): number => STATS.findIndex((s) => s.name === name);
  const job: Job = {
    id: nextId++, module: coreModule(), bytes, init: emptyRaw(), options, subscribe: subscription(o.events),
    allEvents: EVENTS.map((e) => e.id), weirdEvents: ['conn_weird', 'flow_weird', 'net_weird'].map((n) => eventId.get(n)!),
    statsCount: STATS.length, openStat: stat('open_connections'), bufferedStat: stat('buffered_bytes'),
    chunk: o.chunk ?? Number.MAX_SAFE_INTEGER, memoryLimit: o.memoryLimit ?? 256 * MiB, timeLimitMs, hash: o.hash ?? false,
  };
  const w = harness();
  const t0 = performance.now();
  return new Promise((resolve) => {
    // A loop inside one core call cannot be interrupted from the worker itself: terminate it.
    const timer = setTimeout(() => {
      waiting.delete(job.id);
      if (worker === w) worker = null;
      void w.terminate();
      resolve(toResult({ ...emptyRaw(), status: 'Timeout', message: `no answer after ${timeLimitMs + 5000} ms`, elapsedMs: performance.now() - t0 }));
    }, timeLimitMs + 5000);
    waiting.set(job.id, (raw) => {
      clearTimeout(timer);
      resolve(toResult(raw));
    });
    w.postMessage(job);
  });
}

function toResult(raw: RawResult): RunResult {
  const stats: Record<string, number> = {};
  STATS.forEach((s, i) => { stats[s.name] = raw.stats[i] ?? NaN; });
  const named = (m: Record<number, number>, names: Map<number, string>): Record<string, number> =>
    Object.fromEntries(Object.entries(m).map(([id, n]) => [names.get(Number(id)) ?? `#${id}`, n]));
  return {
    ...raw, stats, events: named(raw.events, eventName), weirds: named(raw.weirds, weirdName),
    errorName: CAPTURE_ERRORS.find((e) => e.id === raw.errorCode)?.name ?? (raw.errorCode ? `#${raw.errorCode}` : ''),
  };
}

/** A one-line description of a result for assertion messages. */
export function describe(r: RunResult): string {
  const err = r.status === 'Error' ? ` ${r.errorName}@${r.errorOffset} (value ${r.errorValue})` : '';
  return `${r.status}${err}${r.message ? `: ${r.message}` : ''}; weirds ${JSON.stringify(r.weirds)}; ` +
    `events ${JSON.stringify(r.events)}; packets ${r.stats.packets}; ${r.elapsedMs.toFixed(0)} ms; ${(r.memoryBytes / MiB).toFixed(1)} MiB`;
}

// ---- bytes ----

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatAll(parts);
}

export function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** One's-complement sum of 16-bit big-endian words (not folded). */
function wordSum(b: Uint8Array, sum = 0): number {
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (b.length & 1) sum += b[b.length - 1] << 8;
  return sum;
}
function checksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

const parsed = new Map<string, Uint8Array>();

/** Parses a dotted IPv4 or an IPv6 address (with at most one ::). */
export function ip(s: string): Uint8Array {
  let a = parsed.get(s);
  if (!a) {
    if (parsed.size > 100_000) parsed.clear();
    parsed.set(s, (a = parseIp(s)));
  }
  return a;
}

function parseIp(s: string): Uint8Array {
  if (!s.includes(':')) return new Uint8Array(s.split('.').map(Number));
  const [l, r = ''] = s.split('::');
  const words = (x: string): number[] => (x ? x.split(':').map((w) => parseInt(w, 16)) : []);
  const lw = words(l), rw = words(r);
  const all = s.includes('::') ? [...lw, ...Array(8 - lw.length - rw.length).fill(0), ...rw] : lw;
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 255; });
  return out;
}

// ---- frames ----

export interface TcpSpec {
  src?: string; dst?: string; sport?: number; dport?: number; seq?: number; ack?: number;
  /** Letters of Zeek's flag order: F S R P A U. */
  flags?: string; win?: number;
  /** Raw option bytes (padded with zeros to a multiple of 4 unless dataOffset is given). */
  options?: number[];
  payload?: Uint8Array | number;
  /** Data offset field in 32-bit words (overrides the computed one; the bytes are not changed). */
  dataOffset?: number;
  badTcpChecksum?: boolean;
  vlan?: number;
  /** IPv4 overrides. */
  ihl?: number; totalLength?: number; badIpChecksum?: boolean; ttl?: number;
  /** IPv6: raw extension headers placed before TCP (their chain must end with next header 6). */
  ext?: Uint8Array; firstNext?: number; payloadLength?: number;
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32 };

const FILL = new Uint8Array(65536).fill(0x61);
const EMPTY = new Uint8Array(0);

/** Ethernet (+ 802.1Q) + IPv4/IPv6 + TCP in one buffer, checksums correct unless told otherwise. */
export function tcpFrame(t: TcpSpec): Uint8Array {
  const src = ip(t.src ?? '10.0.0.1'), dst = ip(t.dst ?? '10.0.0.2');
  const v6 = src.length === 16;
  const opts = t.options ?? [];
  const optLen = t.dataOffset === undefined ? (opts.length + 3) & ~3 : opts.length;
  const payload = typeof t.payload === 'number' ? FILL.subarray(0, t.payload) : t.payload ?? EMPTY;
  const ext = t.ext ?? EMPTY;
  const l2 = t.vlan === undefined ? 14 : 18, l3 = (v6 ? 40 : 20) + ext.length, tcpLen = 20 + optLen + payload.length;
  const f = new Uint8Array(l2 + l3 + tcpLen);
  const dv = new DataView(f.buffer);
  f.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]);
  if (t.vlan !== undefined) dv.setUint32(12, 0x81000000 | t.vlan);
  dv.setUint16(l2 - 2, v6 ? 0x86dd : 0x0800);
  if (v6) {
    dv.setUint32(l2, 0x60000000);
    dv.setUint16(l2 + 4, t.payloadLength ?? ext.length + tcpLen);
    f[l2 + 6] = t.firstNext ?? 6;
    f[l2 + 7] = t.ttl ?? 64;
    f.set(src, l2 + 8);
    f.set(dst, l2 + 24);
    f.set(ext, l2 + 40);
  } else {
    f[l2] = 0x40 | (t.ihl ?? 5);
    dv.setUint16(l2 + 2, t.totalLength ?? 20 + tcpLen);
    dv.setUint16(l2 + 6, 0x4000);
    f[l2 + 8] = t.ttl ?? 64;
    f[l2 + 9] = 6;
    f.set(src, l2 + 12);
    f.set(dst, l2 + 16);
    dv.setUint16(l2 + 10, checksum(wordSum(f.subarray(l2, l2 + 20))) ^ (t.badIpChecksum ? 0x1111 : 0));
  }
  const o = l2 + l3;
  dv.setUint16(o, t.sport ?? 40000);
  dv.setUint16(o + 2, t.dport ?? 80);
  dv.setUint32(o + 4, (t.seq ?? 1000) >>> 0);
  dv.setUint32(o + 8, (t.ack ?? 0) >>> 0);
  let flags = 0;
  for (const c of t.flags ?? 'S') flags |= FLAG_BITS[c] ?? 0;
  dv.setUint16(o + 12, ((t.dataOffset ?? 5 + optLen / 4) << 12) | flags);
  dv.setUint16(o + 14, t.win ?? 65535);
  f.set(opts, o + 20);
  f.set(payload, o + 20 + optLen);
  const pseudo = wordSum(src) + wordSum(dst) + 6 + tcpLen;
  dv.setUint16(o + 16, checksum(wordSum(f.subarray(o), pseudo)) ^ (t.badTcpChecksum ? 0x5555 : 0));
  return f;
}

// ---- capture files ----

export interface Rec { ts: number; data: Uint8Array; capLen?: number; wireLen?: number }
export const PCAP_HEADER = 24, PCAP_RECORD = 16;

/** `size` bytes with little-endian fields set: [offset, bytes (1, 2, 4), value]. */
function le(size: number, fields: [number, 1 | 2 | 4, number][]): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  for (const [at, n, v] of fields) {
    if (n === 1) dv.setUint8(at, v);
    else if (n === 2) dv.setUint16(at, v, true);
    else dv.setUint32(at, v >>> 0, true);
  }
  return b;
}

/** Classic pcap, little-endian, µs. Packets are frames (ts = index) or records with header overrides. */
export function pcap(packets: (Uint8Array | Rec)[], o: { snaplen?: number; linkType?: number; major?: number } = {}): Uint8Array {
  const h = le(PCAP_HEADER, [[0, 4, 0xa1b2c3d4], [4, 2, o.major ?? 2], [6, 2, 4], [16, 4, o.snaplen ?? 65535], [20, 4, o.linkType ?? 1]]);
  return concatAll([h, ...packets.map((p, i) => pcapRecord(p instanceof Uint8Array ? { ts: 1_000_000_000 + i * 0.001, data: p } : p))]);
}

export function pcapRecord(r: Rec): Uint8Array {
  const sec = Math.floor(r.ts);
  const h = le(PCAP_RECORD, [[0, 4, sec], [4, 4, Math.round((r.ts - sec) * 1e6)], [8, 4, r.capLen ?? r.data.length], [12, 4, r.wireLen ?? r.data.length]]);
  return concat(h, r.data);
}

/** A pcapng block; `length`/`trailer` override the two length fields. */
export function block(type: number, body: Uint8Array, o: { length?: number; trailer?: number } = {}): Uint8Array {
  const size = 12 + ((body.length + 3) & ~3);
  const b = le(size, [[0, 4, type], [4, 4, o.length ?? size], [size - 4, 4, o.trailer ?? size]]);
  b.set(body, 8);
  return b;
}

/** Section header (little-endian, version 1.0, section length unknown). */
export function shb(): Uint8Array {
  return block(0x0a0d0d0a, le(16, [[0, 4, 0x1a2b3c4d], [4, 2, 1], [8, 4, 0xffffffff], [12, 4, 0xffffffff]]));
}

export function idb(linkType = 1, snaplen = 65535): Uint8Array {
  return block(1, le(8, [[0, 2, linkType], [4, 4, snaplen]]));
}

export function epb(iface: number, data: Uint8Array, o: { ts?: number; capLen?: number; length?: number; trailer?: number } = {}): Uint8Array {
  const us = Math.round((o.ts ?? 1_000_000_000) * 1e6);
  const body = le(20 + data.length, [
    [0, 4, iface], [4, 4, Math.floor(us / 2 ** 32)], [8, 4, us % 2 ** 32], [12, 4, o.capLen ?? data.length], [16, 4, data.length],
  ]);
  body.set(data, 20);
  return block(6, body, o);
}
