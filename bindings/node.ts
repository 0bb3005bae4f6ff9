/**
 * Node entry: loads build/synack.wasm from disk (relative to this file, which works from bindings/ under tsx and
 * from dist/ after bundling), reads captures 4 MiB at a time, one read ahead (memory stays flat; in-thread straight
 * into the core), and yields events;
 * `{ worker: true }` runs the core in a worker_threads Worker on shared memory (bindings/worker/).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalyzeFn, AnalyzeRun, CaptureSource, ConnLogFn, HostOptions } from './core/api.ts';
import { contentsFileName, trackSinks, type ContentsOptions, type ContentsSink } from './core/contents.ts';
import { SynackInternalError, SynackOptionError } from './core/errors.ts';
import {
  CHUNK_BYTES, ReadInto, connLogLines, runAnalysis, runOf, sourceChunks, type HostCore, type ModeInput, type Progress,
} from './core/host-common.ts';
import type { SynackEvent } from './core/events.generated.ts';
import type { AnalyzerOptions } from './core/options.ts';
import type { ConnLogOptions } from './logs/conn-log.ts';

export * from './index.ts';

/**
 * Built-ins that only some runs need, loaded when first used: node:crypto and node:worker_threads with what they
 * pull in are a fifth of what synack adds to Node's start-up.
 */
const nodeRequire = createRequire(import.meta.url);
const crypto = (): typeof import('node:crypto') => nodeRequire('node:crypto');
const workerThreads = (): typeof import('node:worker_threads') => nodeRequire('node:worker_threads');

let sha1: ((bytes: Uint8Array) => string) | null = null;

/** SHA-1 as hex with node:crypto (the one-shot crypto.hash where Node has it), for the events JSON writer. */
export function nodeSha1(bytes: Uint8Array): string {
  if (sha1 === null) {
    const c = crypto();
    sha1 = typeof (c as { hash?: unknown }).hash === 'function'
      ? (b) => (c as unknown as { hash(alg: string, data: Uint8Array, enc: 'hex'): string }).hash('sha1', b, 'hex')
      : (b) => c.createHash('sha1').update(b).digest('hex');
  }
  return sha1(bytes);
}

/** Chunk size for splitting byte inputs and reading byte streams (paths are read FILE_CHUNK_BYTES at a time). */
export { CHUNK_BYTES };

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

/**
 * The input of a run: a path is read by libuv's pool into the views it is given (fileReader: in-thread, straight into
 * the core), other sources are split by sourceChunks; in-thread, their buffers are reused (the analyzer copies a
 * chunk into the core before it asks for the next).
 */
function input(source: CaptureSource): ModeInput {
  return (mode) => (typeof source === 'string' ? fileReader(source) : sourceChunks(source, CHUNK_BYTES, mode === 'in-thread'));
}

/** A file (or a FIFO, a device), opened at the first read, so a missing one fails the run like any unreadable input. */
function fileReader(path: string): ReadInto {
  let file: FileHandle | null = null;
  return new ReadInto(async (into) => {
    file ??= await open(path, 'r');
    return (await file.read(into, 0, into.length, null)).bytesRead;
  }, () => file?.close());
}

export type { Progress } from './core/host-common.ts';

/** Where the Node entry looks for the shared-memory core (worker mode). */
export const SHARED_WASM_URL = new URL('../build/synack-shared.wasm', import.meta.url);

let sharedPromise: Promise<WebAssembly.Module> | null = null;

/**
 * A worker running TypeScript source (bindings/ under tsx, tests and development): Node 20 does not apply the
 * parent's --import hooks to workers, so the worker registers tsx itself before importing the entry.
 */
function tsxWorker(entry: URL): import('node:worker_threads').Worker {
  const { Worker } = workerThreads();
  const api = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, execArgv: workerExecArgv() });
}

/** Flags that preload modules or hook module loading, with or without `=value`. */
const PRELOAD_FLAGS = ['--import', '--require', '-r', '--loader', '--experimental-loader'];

/**
 * The parent's Node flags for a worker, minus --input-type (it applies only to the parent's own input, and a
 * worker rejects it) and minus module preloads and loader hooks: the worker runs only synack's own module (the
 * source one registers tsx itself), and a parent's hooks would run again in it on every start. Under
 * `--import tsx` that alone made worker mode 0.3 s slower than in-thread.
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--input-type')) continue;
    if (PRELOAD_FLAGS.includes(a)) { i++; continue; }
    if (PRELOAD_FLAGS.some((f) => a.startsWith(`${f}=`))) continue;
    out.push(a);
  }
  return out;
}

/** The Node host: the two cores from build/, workers from worker_threads (the .ts source under tsx, else dist/). */
const nodeHost: HostCore = {
  name: 'Node',
  core: loadCore,
  sharedCore: () => (sharedPromise ??= readFile(SHARED_WASM_URL).then((b) => WebAssembly.compile(b), (e: Error) => {
    sharedPromise = null;
    throw new SynackInternalError(`cannot read the shared-memory core ${fileURLToPath(SHARED_WASM_URL)} (run npm run build): ${e.message}`);
  })),
  spawnWorker: () => {
    const w = import.meta.url.endsWith('.ts')
      ? tsxWorker(new URL('./worker/node.ts', import.meta.url))
      : new (workerThreads().Worker)(new URL('./worker-node.mjs', import.meta.url), { execArgv: workerExecArgv() });
    return {
      post: (msg, transfer) => w.postMessage(msg, transfer),
      onMessage: (fn) => w.on('message', fn),
      onError: (fn) => {
        w.on('error', fn);
        w.on('exit', (code) => fn(new SynackInternalError(`the worker exited (code ${code})`)));
      },
      terminate: () => { w.removeAllListeners('exit'); void w.terminate(); },
    };
  },
};

/** Analyzes a capture; yields its events in order. `onProgress` is called after each chunk. */
export function analyzeWithProgress(
  source: CaptureSource, options: AnalyzerOptions & HostOptions & ContentsOptions = {}, onProgress?: Progress,
): AnalyzeRun {
  return withContents(options, (o) => runAnalysis(nodeHost, input(source), o, onProgress));
}

/**
 * Analyzes a capture (file path, bytes, Blob or stream); yields its events in order. `{ worker: true }`: worker mode.
 * `{ extract_contents: true }` writes each side's stream to a contents file (see withContents).
 */
export const analyze = ((source: CaptureSource, options?: AnalyzerOptions & HostOptions & ContentsOptions): AnalyzeRun =>
  analyzeWithProgress(source, options)) satisfies AnalyzeFn;

/** A contents file written synchronously, so that a failing write (ENOSPC, EMFILE, …) is reported at once. */
function contentsFile(path: string): ContentsSink {
  const fd = openSync(path, 'w');
  return {
    write(b) { for (let off = 0; off < b.length;) off += writeSync(fd, b, off); },
    close() { closeSync(fd); },
  };
}

/**
 * Contents files (`extract_contents`, Zeek's Conn::default_extract): each side's sink comes from the `contents`
 * callback, by default a file named as Zeek's scripts name it in `contents_dir` (default: the working directory).
 * Sinks are callbacks of this thread, so such a run is in-thread; sinks left open by a run that ends early are closed.
 */
function withContents(
  options: AnalyzerOptions & HostOptions & ContentsOptions, run: (o: AnalyzerOptions & HostOptions & ContentsOptions) => AnalyzeRun,
): AnalyzeRun {
  const { contents, contents_dir, ...rest } = options;
  if (rest.extract_contents !== true) return run(rest);
  if (contents !== undefined && typeof contents !== 'function') throw new SynackOptionError('contents', 'option contents: expected a function (c, isOrig) => sink or null');
  if (contents_dir !== undefined && typeof contents_dir !== 'string') throw new SynackOptionError('contents_dir', 'option contents_dir: expected a directory path');
  const dir = contents_dir ?? process.cwd();
  const sinks = trackSinks(contents ?? ((c, isOrig) => contentsFile(join(dir, contentsFileName(c, isOrig)))));
  const run0 = run({ ...rest, worker: false, contents: sinks.open });
  async function* closing(): AsyncGenerator<readonly SynackEvent[]> {
    try {
      yield* run0.batches();
    } finally {
      await sinks.closeOpen();
    }
  }
  return runOf(closing(), run0.mode);
}

/** conn.log text of a capture, with progress; subscribes to Zeek's default events (core behaviour depends on it). */
export function connLogWithProgress(
  source: CaptureSource, options: AnalyzerOptions & HostOptions & ConnLogOptions = {}, onProgress?: Progress,
): AsyncIterable<string> {
  return connLogLines((o) => analyzeWithProgress(source, o, onProgress), options);
}

/** conn.log of a capture (TSV or JSON lines), in chunks of whole lines. */
export const connLog: ConnLogFn = (source, options) => connLogWithProgress(source, options);
