/**
 * Messages between the consumer (the thread that yields events) and the worker that runs the shared-memory core
 * (bindings/worker/runner.ts). Events never travel as messages: the consumer reads them in place from the ring in
 * the shared memory. Messages carry the setup, the input chunks (transferred), acknowledgements and the end.
 */
import { SynackCaptureError, SynackError, SynackInternalError, SynackOptionError } from '../core/errors.ts';
import type { AnalyzerOptions } from '../core/options.ts';

/**
 * Pages of the shared memory: the core's build flags (scripts/build.ts) must agree. The maximum is wasm32's 4 GiB,
 * the plain core's ceiling too, so a capture that fits in one mode fits in every mode.
 */
export const SHARED_MEMORY_PAGES = { initial: 128, maximum: 65536 } as const;

/** Word indexes (Int32Array) of the ring header (schema/ring.ts), relative to the ring pointer / 4. */
export const HEAD_WORD = 0;
export const TAIL_WORD = 1;
export const FLAGS_WORD = 3;
/** Flags bit 0: the producer is blocked waiting for the consumer to free ring space. */
export const FLAG_PRODUCER_WAITING = 1;

/** Consumer → worker. */
export type ToWorker =
  | { type: 'init'; wasm: WebAssembly.Module | Uint8Array; memory: WebAssembly.Memory; options: AnalyzerOptions }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'finish' };

/** A SynackError in a form that crosses postMessage. */
export type WireError =
  | { kind: 'capture'; code: number; offset: number; value: number }
  | { kind: 'option'; option: string; message: string }
  | { kind: 'internal' | 'other'; message: string };

/** Worker → consumer. */
export type FromWorker =
  | { type: 'ready'; ringPtr: number }
  | { type: 'consumed'; bytesConsumed: number }
  | { type: 'done'; bytesConsumed: number }
  | { type: 'error'; error: WireError };

/** The worker's side of the transport: Node's parentPort, a Web Worker's and a Deno Worker's `self` all fit it. */
export interface Port {
  post(msg: FromWorker): void;
  onMessage(fn: (msg: ToWorker) => void): void;
}

export function toWire(e: unknown): WireError {
  if (e instanceof SynackCaptureError) return { kind: 'capture', code: e.code, offset: e.offset, value: e.value };
  if (e instanceof SynackOptionError) return { kind: 'option', option: e.option, message: e.message };
  if (e instanceof SynackInternalError) return { kind: 'internal', message: e.message };
  return { kind: 'other', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

export function fromWire(w: WireError): SynackError {
  switch (w.kind) {
    case 'capture': return new SynackCaptureError(w.code, w.offset, w.value);
    case 'option': return new SynackOptionError(w.option, w.message);
    case 'internal': return new SynackInternalError(w.message);
    default: return new SynackInternalError(`the worker failed: ${w.message}`);
  }
}
