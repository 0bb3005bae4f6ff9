/**
 * Edge entry (Cloudflare workerd and runtimes like it): the core comes in as a compiled WebAssembly.Module
 * through a `.wasm` module import, because edge runtimes refuse WebAssembly.compile on bytes at run time. The
 * bundler keeps `../build/synack.wasm` external and the runtime config supplies the module under that name
 * (examples/edge/config.capnp: `(name = "synack.wasm", wasm = embed …)`; scripts/build.ts rewrites the import
 * to `./synack.wasm`). Same analyze/connLog API as the other hosts, over bytes, Blobs, async iterables and
 * Request/Response body streams. Always in-thread: there are no workers or SharedArrayBuffer on the edge.
 *
 * Limits on Cloudflare Workers (workerd itself has none by default): request bodies up to 100 MB (Free/Pro),
 * 200 MB (Business), 500 MB (Enterprise); CPU time 10 ms per request on Free, 30 s by default on paid plans
 * (configurable to 5 min via `limits.cpu_ms`); 128 MB of memory per isolate — the core needs about 6 MB plus
 * ~1 KB per open connection. synack analyzes roughly 100–200 MB/s of capture per core, so the CPU limit,
 * not the body size, is what bounds a capture on Free and default paid plans.
 */
// The bundler types this as bytes (bindings/assets.d.ts); on the edge the import yields a compiled module.
import coreImport from '../build/synack.wasm';
import type { AnalyzeRun, CaptureSource, ConnLogFn, HostOptions } from './core/api.ts';
import { SynackError, SynackInternalError } from './core/errors.ts';
import { EVENT_INFO, type EventName } from './core/events.generated.ts';
import { CHUNK_BYTES, connLogLines, runAnalysis, sourceChunks, type HostCore } from './core/host-common.ts';
import type { AnalyzerOptions } from './core/options.ts';
import { eventJson, type Sha1 } from './logs/events-json.ts';

export * from './index.ts';

/** The compiled core, as the runtime's module import supplies it. */
export function coreModule(): WebAssembly.Module {
  const m = coreImport as unknown;
  if (!(m instanceof WebAssembly.Module)) {
    throw new SynackInternalError('the edge entry needs build/synack.wasm as a WebAssembly.Module import (a wasm module in the runtime config)');
  }
  return m;
}

const edgeHost: HostCore = {
  name: 'workerd',
  core: async () => coreModule(),
  sharedCore: () => Promise.reject(new SynackInternalError('no worker mode on the edge')),
  spawnWorker: null,
};

/** Chunks of a capture source; a file path has no meaning on the edge. */
function edgeChunks(source: CaptureSource): AsyncIterable<Uint8Array> {
  if (typeof source === 'string') throw new SynackError('the edge entry has no file system: pass bytes, a Blob or a body stream');
  // The edge runs in-thread: a chunk is used before the next is asked for.
  return sourceChunks(source, CHUNK_BYTES, true);
}

/** Analyzes a capture (bytes, Blob, async iterable or ReadableStream such as `request.body`); events in order. */
export const analyze = (source: CaptureSource, options?: AnalyzerOptions & HostOptions): AnalyzeRun =>
  runAnalysis(edgeHost, edgeChunks(source), { ...options, worker: false });

/** conn.log of a capture (TSV or JSON lines), in chunks of whole lines. */
export const connLog: ConnLogFn = (source, options) => connLogLines((o) => analyze(source, o), options);

/** Every event name (what `synack events` subscribes to). */
export const ALL_EVENTS: readonly EventName[] = EVENT_INFO.map((e) => e.name as EventName);

/** The events of a capture as events.jsonl lines (every event unless `options.subscribe` says otherwise). */
export async function* eventsJson(source: CaptureSource, sha1: Sha1, options: AnalyzerOptions = {}): AsyncIterable<string> {
  for await (const e of analyze(source, { subscribe: ALL_EVENTS, ...options })) yield eventJson(e, sha1);
}
