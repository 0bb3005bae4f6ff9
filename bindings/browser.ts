/**
 * Browser entry: the declared API (core/api.ts) with input from a File, Blob (read by Blob.slice, 1 MiB at a time,
 * so a 2 GB capture is never in memory at once), bytes or a ReadableStream. Zero-config: both cores and the worker
 * script are embedded in the bundle (esbuild's binary and text loaders, scripts/build.ts); `wasmModule` and
 * `sharedWasmModule` take precompiled modules instead, `workerUrl` a served worker script (for pages whose CSP
 * forbids blob: workers). `{ worker: true }` needs a cross-origin-isolated page (COOP same-origin + COEP
 * require-corp); elsewhere it runs in-thread with a console warning, and the result's `mode` says so.
 */
import type { AnalyzeFn, AnalyzeRun, CaptureSource, ConnLogFn, HostOptions } from './core/api.ts';
import { SynackOptionError } from './core/errors.ts';
import { CHUNK_BYTES, connLogLines, runAnalysis, sourceChunks, type HostCore, type Progress } from './core/host-common.ts';
import type { AnalyzerOptions } from './core/options.ts';
import type { ConnLogOptions } from './logs/conn-log.ts';
import wasmBytes from '../build/synack.wasm';
import sharedWasmBytes from '../build/synack-shared.wasm';
import workerSource from 'synack:worker-web';

export * from './index.ts';
export { CHUNK_BYTES };
export type { Progress };

/** Browser-only options: precompiled cores and the worker script's URL. */
export interface BrowserOptions {
  /** The in-thread core, precompiled (default: the embedded bytes). */
  wasmModule?: WebAssembly.Module;
  /** The shared-memory core for worker mode, precompiled (default: the embedded bytes). */
  sharedWasmModule?: WebAssembly.Module;
  /** A module worker script built from bindings/worker/web.ts (default: the embedded one, from a blob: URL). */
  workerUrl?: string | URL;
}

let embeddedWorkerUrl: string | null = null;

function browserHost(o: BrowserOptions): HostCore {
  for (const k of ['wasmModule', 'sharedWasmModule'] as const) {
    if (o[k] !== undefined && !(o[k] instanceof WebAssembly.Module)) throw new SynackOptionError(k, `option ${k}: expected a WebAssembly.Module`);
  }
  return {
    name: 'this browser page',
    core: async () => o.wasmModule ?? (wasmBytes as Uint8Array<ArrayBuffer>),
    sharedCore: async () => o.sharedWasmModule ?? sharedWasmBytes,
    spawnWorker: typeof Worker === 'undefined' ? null : () => {
      const url = o.workerUrl ?? (embeddedWorkerUrl ??= URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })));
      const w = new Worker(url, { type: 'module' });
      return {
        post: (msg, transfer) => w.postMessage(msg, transfer ?? []),
        onMessage: (fn) => { w.onmessage = (e) => fn(e.data); },
        onError: (fn) => { w.onerror = (e) => { e.preventDefault(); fn(new Error(`the worker failed: ${e.message}`)); }; },
        terminate: () => w.terminate(),
      };
    },
  };
}

/** Analyzes a capture with progress. A string source is rejected: pages have no file system. */
export function analyzeWithProgress(
  source: CaptureSource, options: AnalyzerOptions & HostOptions & BrowserOptions = {}, onProgress?: Progress,
): AnalyzeRun {
  if (typeof source === 'string') {
    throw new SynackOptionError('source', 'a file path only works in Node and Deno; in a browser pass a File, Blob, bytes or a ReadableStream');
  }
  const { wasmModule, sharedWasmModule, workerUrl, ...rest } = options;
  return runAnalysis(browserHost({ wasmModule, sharedWasmModule, workerUrl }), (mode) => sourceChunks(source, CHUNK_BYTES, mode === 'in-thread'), rest, onProgress);
}

/** Analyzes a capture (File, Blob, bytes or stream); yields its events in order. `{ worker: true }`: worker mode. */
export const analyze: AnalyzeFn = (source, options) => analyzeWithProgress(source, options);

/** conn.log of a capture (TSV or JSON lines), in chunks of whole lines. */
export const connLog: ConnLogFn = (source, options?: AnalyzerOptions & HostOptions & BrowserOptions & ConnLogOptions) =>
  connLogLines((o) => analyzeWithProgress(source, o), options);
