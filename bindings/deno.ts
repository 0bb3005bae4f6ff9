/**
 * Deno entry: the declared API (core/api.ts) with files opened by Deno.open and read 4 MiB at a time, one read
 * ahead (memory stays flat), the cores read from build/ next to this file (bindings/ as source, dist/ as the
 * bundle), and worker mode on a Deno Worker running bindings/worker/web.ts. Run it with --allow-read.
 */
import type { AnalysisMode, AnalyzeFn, AnalyzeRun, CaptureSource, ConnLogFn, HostOptions } from './core/api.ts';
import { SynackInternalError } from './core/errors.ts';
import { CHUNK_BYTES, FILE_CHUNK_BYTES, ReadInto, connLogLines, runAnalysis, sourceChunks, type HostCore, type Progress } from './core/host-common.ts';
import type { AnalyzerOptions } from './core/options.ts';
import type { ConnLogOptions } from './logs/conn-log.ts';

export * from './index.ts';
export { CHUNK_BYTES };
export type { Progress };

/** The part of the Deno namespace this entry uses (declared here so the file also type-checks under tsc). */
interface DenoFile {
  read(p: Uint8Array): Promise<number | null>;
  close(): void;
}
declare const Deno: {
  open(path: string | URL, options?: { read: boolean }): Promise<DenoFile>;
  readFile(path: string | URL): Promise<Uint8Array>;
};

/** Where the Deno entry looks for the cores. */
export const WASM_URL = new URL('../build/synack.wasm', import.meta.url);
export const SHARED_WASM_URL = new URL('../build/synack-shared.wasm', import.meta.url);

const compiled = new Map<string, Promise<WebAssembly.Module>>();

function compile(url: URL): Promise<WebAssembly.Module> {
  let p = compiled.get(url.href);
  if (!p) {
    p = Deno.readFile(url).then((b) => WebAssembly.compile(b as Uint8Array<ArrayBuffer>), (e: Error) => {
      compiled.delete(url.href);
      throw new SynackInternalError(`cannot read the core ${url.pathname} (run npm run build; needs --allow-read): ${e.message}`);
    });
    compiled.set(url.href, p);
  }
  return p;
}

const denoHost: HostCore = {
  name: 'Deno',
  core: () => compile(WASM_URL),
  sharedCore: () => compile(SHARED_WASM_URL),
  spawnWorker: () => {
    const fromSource = import.meta.url.endsWith('.ts');
    const w = new Worker(new URL(fromSource ? './worker/web.ts' : './worker-web.mjs', import.meta.url), { type: 'module' });
    return {
      post: (msg, transfer) => w.postMessage(msg, transfer ?? []),
      onMessage: (fn) => { w.onmessage = (e) => fn(e.data); },
      onError: (fn) => { w.onerror = (e) => { e.preventDefault(); fn(new SynackInternalError(`the worker failed: ${e.message}`)); }; },
      terminate: () => w.terminate(),
    };
  },
};

/** A file opened with Deno.open at the first read, read on Deno's I/O threads into the views it is given. */
function fileReader(path: string | URL): ReadInto {
  let file: DenoFile | null = null;
  return new ReadInto(async (into) => {
    file ??= await Deno.open(path, { read: true });
    return file.read(into);
  }, () => file?.close());
}

/**
 * The chunks of a file, read ahead (readAhead: the next read runs on Deno's I/O threads while the current chunk is
 * analysed); `reuse` lets two buffers take turns, for a consumer done with a chunk before it asks for the next.
 */
export function fileChunks(path: string | URL, size = FILE_CHUNK_BYTES, reuse = false): AsyncIterable<Uint8Array> {
  return fileReader(path).chunks(reuse, size);
}

/** Analyzes a capture with progress. A path in-thread is read straight into the core (ReadInto). */
export function analyzeWithProgress(
  source: CaptureSource, options: AnalyzerOptions & HostOptions = {}, onProgress?: Progress,
): AnalyzeRun {
  const input = (mode: AnalysisMode) =>
    (typeof source === 'string' ? fileReader(source) : sourceChunks(source, CHUNK_BYTES, mode === 'in-thread'));
  return runAnalysis(denoHost, input, options, onProgress);
}

/** Analyzes a capture (file path, bytes, Blob or stream); yields its events in order. `{ worker: true }`: worker mode. */
export const analyze: AnalyzeFn = (source, options) => analyzeWithProgress(source, options);

/** conn.log of a capture (TSV or JSON lines), in chunks of whole lines. */
export const connLog: ConnLogFn = (source, options?: AnalyzerOptions & HostOptions & ConnLogOptions) =>
  connLogLines((o) => analyzeWithProgress(source, o), options);
