/**
 * Node entry: loads build/synack.wasm from disk (relative to this file, which works from bindings/ under tsx and
 * from dist/ after bundling), reads captures as streams in 1 MiB chunks (memory stays flat), and yields events.
 */
import * as crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Analyzer } from './core/analyzer.ts';
import type { AnalyzeFn, CaptureSource, ConnLogFn } from './core/api.ts';
import { SynackInternalError } from './core/errors.ts';
import type { SynackEvent } from './core/events.generated.ts';
import { DEFAULT_EVENTS, type EventName } from './core/events.generated.ts';
import type { AnalyzerOptions } from './core/options.ts';
import { ConnLogWriter, type ConnLogOptions } from './logs/conn-log.ts';

export * from './index.ts';

/** SHA-1 as hex with node:crypto (the one-shot crypto.hash where Node has it), for the events JSON writer. */
export const nodeSha1: (bytes: Uint8Array) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (b) => (crypto as unknown as { hash(alg: string, data: Uint8Array, enc: 'hex'): string }).hash('sha1', b, 'hex')
    : (b) => crypto.createHash('sha1').update(b).digest('hex');

/** Chunk size for reading files and splitting byte inputs. */
export const CHUNK_BYTES = 1 << 20;

/** Where the Node entry looks for the core. */
export const WASM_URL = new URL('../build/synack.wasm', import.meta.url);

let modulePromise: Promise<WebAssembly.Module> | null = null;

/** The compiled core (compiled once per process). */
export function loadCore(): Promise<WebAssembly.Module> {
  modulePromise ??= readFile(WASM_URL).then(
    (bytes) => WebAssembly.compile(bytes),
    (e: NodeJS.ErrnoException) => {
      modulePromise = null;
      throw new SynackInternalError(
        e.code === 'ENOENT' ? `the core is not built: ${fileURLToPath(WASM_URL)} is missing (run npm run build)` : `cannot read the core: ${e.message}`,
      );
    },
  );
  return modulePromise;
}

/** The chunks of a capture source. */
export async function* chunks(source: CaptureSource): AsyncIterable<Uint8Array> {
  if (typeof source === 'string') {
    yield* createReadStream(source, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Uint8Array>;
  } else if (source instanceof Uint8Array) {
    for (let off = 0; off < source.length; off += CHUNK_BYTES) yield source.subarray(off, off + CHUNK_BYTES);
  } else if (Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<Uint8Array>;
  } else {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
}

/** Progress callback: capture bytes consumed so far. */
export type Progress = (bytesConsumed: number) => void;

/** Analyzes a capture; yields its events in order. `onProgress` is called after each chunk. */
export async function* analyzeWithProgress(
  source: CaptureSource, options: AnalyzerOptions = {}, onProgress?: Progress,
): AsyncIterable<SynackEvent> {
  const analyzer = await Analyzer.create(await loadCore(), options);
  for await (const chunk of chunks(source)) {
    yield* analyzer.push(chunk);
    onProgress?.(analyzer.bytesConsumed);
  }
  yield* analyzer.finish();
  onProgress?.(analyzer.bytesConsumed);
}

/** Analyzes a capture (file path, bytes, or stream); yields its events in order. */
export const analyze: AnalyzeFn = (source, options) => analyzeWithProgress(source, options);

/** conn.log text of a capture, with progress; subscribes to Zeek's default events (core behaviour depends on it). */
export async function* connLogWithProgress(
  source: CaptureSource, options: AnalyzerOptions & ConnLogOptions = {}, onProgress?: Progress,
): AsyncIterable<string> {
  const { format, localNets, now, ...rest } = options;
  const subscribe: EventName[] = [...new Set([...(rest.subscribe ?? DEFAULT_EVENTS), 'connection_state_remove' as const])];
  const writer = new ConnLogWriter({ format, localNets: [...(localNets ?? []), ...(rest.local_nets ?? [])], now });
  const events = analyzeWithProgress(source, { ...rest, subscribe }, onProgress);
  let started = false;
  for await (const e of events) {
    if (!started) { started = true; yield writer.header(); }
    const line = writer.event(e);
    if (line) yield line;
  }
  if (!started) yield writer.header();
  yield writer.footer();
}

/** conn.log of a capture (TSV or JSON lines), in chunks of whole lines. */
export const connLog: ConnLogFn = (source, options) => connLogWithProgress(source, options);
