/**
 * Drives build/synack.wasm directly through its exports, the way the bindings do but without decoding events:
 * the file is read straight into the core's input buffer and the ring is drained by setting tail = head.
 * What this measures is the core (capture reading, decoding, TCP analysis, event writing).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENTS } from '../schema/events.ts';
import { STATS } from '../schema/status.ts';
import { OPTIONS } from '../schema/options.ts';

export const WASM_PATH = process.env.SYNACK_WASM ?? fileURLToPath(new URL('../build/synack.wasm', import.meta.url));

interface Exports {
  memory: WebAssembly.Memory;
  setOption(id: number, v: number): void;
  subscribe(id: number, on: number): void;
  init(): number;
  inputSpace(): number;
  inputWritePtr(): number;
  inputCommit(n: number): void;
  run(): number;
  finish(): number;
  ringPtr(): number;
  statsPtr(): number;
  errorCode(): number;
  errorOffset(): number;
}

/** Which events the core writes. */
export type EventSet = 'conn' | 'all' | 'firehose';

const byName = new Map(EVENTS.map((e) => [e.name, e.id]));

/** `conn`: what `synack conn` subscribes to (defaultOn); `all`: everything but tcp_packet and tcp_contents; `firehose`: conn + tcp_packet. */
export function eventIds(set: EventSet): number[] {
  if (set === 'all') return EVENTS.filter((e) => e.name !== 'tcp_packet' && e.name !== 'tcp_contents').map((e) => e.id);
  const ids = EVENTS.filter((e) => e.defaultOn).map((e) => e.id);
  if (set === 'firehose') ids.push(byName.get('tcp_packet')!);
  return ids;
}

export interface CoreRun {
  seconds: number;
  bytes: number;
  stats: Record<string, number>;
  /** Wasm memory right after init() and at the end (it never shrinks, so the end is the peak). */
  wasmAfterInit: number;
  wasmEnd: number;
  /** Bytes of ring records written (consumed by the drain). */
  ringBytes: number;
}

export function loadModule(path = WASM_PATH): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(path));
}

/** Analyzes `file` once in a fresh instance. `options` are by schema name. */
export function runCore(module: WebAssembly.Module, file: string, events: EventSet, options: Record<string, number> = {}): CoreRun {
  const ex = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  for (const [name, v] of Object.entries(options)) {
    const def = OPTIONS.find((o) => o.name === name);
    if (!def) throw new Error(`unknown option ${name}`);
    ex.setOption(def.id, v);
  }
  const on = new Set(eventIds(events));
  for (const e of EVENTS) ex.subscribe(e.id, on.has(e.id) ? 1 : 0);
  if (ex.init() !== 0) throw new Error('init() failed');
  const wasmAfterInit = ex.memory.buffer.byteLength;
  const ring = ex.ringPtr();
  let ringBytes = 0;
  const drain = (): void => {
    const h = new Uint32Array(ex.memory.buffer, ring, 2);
    ringBytes += (h[0] - h[1]) >>> 0;
    h[1] = h[0];
  };
  const t0 = performance.now();
  const bytes = feed(ex, file, drain);
  const seconds = (performance.now() - t0) / 1000;
  const f = new Float64Array(ex.memory.buffer, ex.statsPtr(), STATS.length);
  const stats: Record<string, number> = {};
  STATS.forEach((s, i) => { stats[s.name] = f[i]; });
  return { seconds, bytes, stats, wasmAfterInit, wasmEnd: ex.memory.buffer.byteLength, ringBytes };
}

/** Streams `file` into the core (read straight into its input buffer), then finishes; returns the bytes read. */
function feed(ex: Exports, file: string, drain: () => void): number {
  const fd = openSync(file, 'r');
  let bytes = 0;
  const check = (s: number): void => {
    if (s === 3) throw new Error(`capture error ${ex.errorCode()} at offset ${ex.errorOffset()} in ${file}`);
  };
  try {
    for (;;) {
      const space = ex.inputSpace();
      if (space === 0) throw new Error('the core has no input space after consuming what it could');
      const n = readSync(fd, new Uint8Array(ex.memory.buffer, ex.inputWritePtr(), space), 0, space, null);
      if (n === 0) break;
      bytes += n;
      ex.inputCommit(n);
      for (;;) {
        const s = ex.run();
        drain();
        if (s === 0) break;
        check(s);
      }
    }
    for (;;) {
      const s = ex.finish();
      drain();
      if (s === 2) break;
      check(s);
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** Weird ids (conn_weird, flow_weird, net_weird) of a run, counted; for checking the generated capture. */
export function weirdCounts(module: WebAssembly.Module, file: string): Map<number, number> {
  const ex = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  const weirdEvents = new Set([byName.get('conn_weird'), byName.get('flow_weird'), byName.get('net_weird')]);
  for (const e of EVENTS) ex.subscribe(e.id, weirdEvents.has(e.id) ? 1 : 0);
  ex.init();
  const ring = ex.ringPtr();
  const counts = new Map<number, number>();
  const drain = (): void => {
    const dv = new DataView(ex.memory.buffer);
    const head = dv.getUint32(ring, true), cap = dv.getUint32(ring + 8, true);
    let tail = dv.getUint32(ring + 4, true);
    while (tail !== head) {
      const off = tail & (cap - 1);
      const len = dv.getUint32(ring + 16 + off, true);
      if (len === 0xffffffff) { tail = (tail + cap - off) >>> 0; continue; }
      const id = dv.getUint16(ring + 16 + off + 20, true);
      counts.set(id, (counts.get(id) ?? 0) + 1);
      tail = (tail + len) >>> 0;
    }
    dv.setUint32(ring + 4, tail, true);
  };
  feed(ex, file, drain);
  return counts;
}
