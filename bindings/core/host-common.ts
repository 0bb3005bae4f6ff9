/**
 * What the host entries (node.ts, deno.ts, browser.ts) share: turning a capture source into chunks, and running an
 * analysis in-thread or in worker mode. A host supplies only what differs (HostCore: where the two builds of the
 * core come from and how a worker is started), as in esbuild's lib/npm/{node,browser}.ts.
 */
import { Analyzer } from './analyzer.ts';
import type { AnalyzeRun, AnalysisMode, CaptureSource, HostOptions } from './api.ts';
import { SynackCaptureError, SynackError, SynackOptionError } from './errors.ts';
import { DEFAULT_EVENTS, type EventName, type SynackEvent } from './events.generated.ts';
import { ConnLogWriter, type ConnLogOptions } from '../logs/conn-log.ts';
import type { WasmSource } from './instance.ts';
import type { AnalyzerOptions } from './options.ts';
import { analyzeInWorker, sharedMemoryAvailable, type WorkerHandle } from '../worker/host.ts';
import { SHARED_MEMORY_PAGES } from '../worker/protocol.ts';
import type { RecordTaker } from './ring-reader.ts';

/** Default chunk size for splitting byte inputs and reading blobs and byte streams (files: FILE_CHUNK_BYTES). */
export const CHUNK_BYTES = 1 << 20;

/** How one host gets the core and starts workers. */
export interface HostCore {
  /** The host's name, for messages. */
  readonly name: string;
  /** The in-thread core (bytes or compiled module). */
  core(): Promise<WasmSource>;
  /** The shared-memory core (worker mode). */
  sharedCore(): Promise<WebAssembly.Module | Uint8Array>;
  /** Starts a worker running bindings/worker/{node,web}.ts; null when this host cannot. */
  spawnWorker: (() => WorkerHandle) | null;
}

/**
 * Bytes a file is read in: each read is a turn through the host's I/O pool and the analyzer, so 1 MiB reads took
 * longer end to end; 8 and 16 MiB were no faster, and a run holds two of them.
 */
export const FILE_CHUNK_BYTES = 4 << 20;

/**
 * A file's chunks, `size` bytes at a time, with the next read already under way while the consumer works on the
 * current chunk: the host's I/O threads (libuv's pool in Node, Deno's) copy the next chunk out of the page cache
 * while the core analyses this one, so the kernel's copy costs the analysing thread nothing. `read` fills the view
 * it is given and resolves to the bytes it put there, 0 or null at the end; only one read is under way at a time,
 * so a read from the current file position is in order. With `reuse` two buffers take turns (for a consumer done
 * with a chunk when it asks for the next: the in-thread analyzer copies it into the core), else every chunk has its
 * own. `close` runs once, after the last read has settled (also when the consumer stops early).
 */
export async function* readAhead(
  read: (into: Uint8Array) => Promise<number | null>, close: () => unknown, size = FILE_CHUNK_BYTES, reuse = false,
): AsyncGenerator<Uint8Array> {
  const pair = reuse ? [new Uint8Array(size), new Uint8Array(size)] : null;
  let turn = 0;
  const nextBuffer = (): Uint8Array => (pair ? pair[turn ^= 1] : new Uint8Array(size));
  let buf = nextBuffer();
  let pending: Promise<number | null> | null = read(buf);
  try {
    for (;;) {
      const n = await pending;
      pending = null;
      if (!n) return;
      const chunk = n === size ? buf : buf.subarray(0, n);
      buf = nextBuffer();
      pending = read(buf);
      yield chunk;
    }
  } finally {
    // A consumer that stopped early leaves a read under way: it still writes into its buffer and uses the file.
    await pending?.catch(() => 0);
    await close();
  }
}

/**
 * A capture the host reads into views it is given: a file, read on the host's I/O threads. An in-thread run with
 * shared memory reads it straight into the core (directBatches); otherwise readAhead makes chunks of it.
 */
export class ReadInto {
  /**
   * `read` fills the view it is given from the current position and resolves to the bytes it put there, 0 or null
   * at the end (one read at a time); `close` runs once, after the last read has settled.
   */
  constructor(readonly read: (into: Uint8Array) => Promise<number | null>, readonly close: () => unknown) {}

  /** As chunks of `size` (readAhead); `reuse`: the consumer is done with a chunk when it asks for the next. */
  chunks(reuse: boolean, size = FILE_CHUNK_BYTES): AsyncIterable<Uint8Array> {
    return readAhead(this.read, this.close, size, reuse);
  }
}

/** Progress callback: capture bytes consumed so far. */
export type Progress = (bytesConsumed: number) => void;

/**
 * Chunks of the host-neutral sources (bytes, Blob/File, ReadableStream, async iterable); paths are the host's.
 * `reuse`: the consumer is done with a chunk when it asks for the next (the in-thread analyzer), so a byte
 * stream may be read into one buffer again and again.
 */
export function sourceChunks(source: Exclude<CaptureSource, string>, chunkBytes = CHUNK_BYTES, reuse = false): AsyncIterable<Uint8Array> {
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return streamChunks(source, chunkBytes, reuse);
  if (source instanceof Uint8Array || (typeof Blob !== 'undefined' && source instanceof Blob)) return splitSource(source, chunkBytes);
  // An async iterable is read as it is: a wrapping generator would cost more per tiny chunk than the core does.
  return source as AsyncIterable<Uint8Array>;
}

async function* splitSource(source: Uint8Array | Blob, chunkBytes: number): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let off = 0; off < source.length; off += chunkBytes) yield source.subarray(off, off + chunkBytes);
    return;
  }
  // Blob.slice reads one window at a time: a 2 GB File is never in memory at once.
  for (let off = 0; off < source.size; off += chunkBytes) {
    yield new Uint8Array(await source.slice(off, Math.min(off + chunkBytes, source.size)).arrayBuffer());
  }
}

/**
 * A ReadableStream's chunks. A byte stream (fetch and request bodies, Blob streams) is read into buffers of
 * `chunkBytes`, each filled as far as the stream allows: the chunks a network body arrives in are often a few
 * KiB, and every chunk costs a round through the analyzer. Other streams are read chunk by chunk.
 */
async function* streamChunks(stream: ReadableStream<Uint8Array>, chunkBytes: number, reuse: boolean): AsyncIterable<Uint8Array> {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    const reader = stream.getReader();
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
  try {
    let buffer = new ArrayBuffer(chunkBytes);
    for (;;) {
      // `min` asks for a full buffer (a runtime without it returns what it has, which is also correct).
      const { done, value } = await (byob.read as (view: Uint8Array, opts: { min: number }) => Promise<ReadableStreamReadResult<Uint8Array>>)
        .call(byob, new Uint8Array(buffer), { min: chunkBytes });
      if (value !== undefined && value.byteLength > 0) yield value;
      if (done) return;
      // The read took the buffer over; value views it. Once the chunk is used, it can take the next read.
      buffer = reuse && value !== undefined ? value.buffer as ArrayBuffer : new ArrayBuffer(chunkBytes);
    }
  } finally {
    byob.releaseLock();
  }
}

let warned = false;

/** The mode a run will use; warns once when worker mode was asked for and is unavailable. */
export function chooseMode(host: HostCore, worker: boolean | undefined): AnalysisMode {
  if (!worker) return 'in-thread';
  if (host.spawnWorker && sharedMemoryAvailable()) return 'worker';
  if (!warned) {
    warned = true;
    console.warn(`synack: worker mode needs SharedArrayBuffer (cross-origin isolation in browsers) and workers; ` +
      `${host.name} has not both here, so the analysis runs in-thread (result.mode === 'in-thread')`);
  }
  return 'in-thread';
}

/**
 * A run option for synack's own writers, not part of the API: a RecordTaker that sees the ring's records before
 * events are made of them (conn.log writes its rows straight from the ring bytes). A run with one yields a batch for
 * every drain that read records, even when the taker took them all, so the writer's text can go out.
 */
export const RECORD_TAKER = Symbol('synack.recordTaker');
export type TakerOption = { [RECORD_TAKER]?: RecordTaker };

/** Splits host options from analyzer options; rejects a non-boolean `worker` by name. */
export function splitOptions(options: AnalyzerOptions & HostOptions & TakerOption = {}): [AnalyzerOptions, HostOptions, RecordTaker | null] {
  const { worker, [RECORD_TAKER]: taker, ...rest } = options;
  if (worker !== undefined && typeof worker !== 'boolean') throw new SynackOptionError('worker', 'option worker: expected true or false');
  return [rest, { worker }, taker ?? null];
}

/** The input of a run, chosen by the mode it runs in. */
export type ModeInput = (mode: AnalysisMode) => AsyncIterable<Uint8Array> | ReadInto;

/**
 * Runs an analysis over `chunks` on `host`; the result is the events plus the mode actually used. `chunks` may be
 * a function of the mode: in-thread, a chunk is copied into the core before the next is asked for, so a host may
 * then reuse its read buffers.
 */
export function runAnalysis(
  host: HostCore, chunks: AsyncIterable<Uint8Array> | ModeInput,
  options: AnalyzerOptions & HostOptions & TakerOption = {}, onProgress?: Progress,
): AnalyzeRun {
  const [core, hostOptions, taker] = splitOptions(options);
  const mode = chooseMode(host, hostOptions.worker);
  const input = typeof chunks === 'function' ? chunks(mode) : chunks;
  let batches: AsyncIterable<SynackEvent[]>;
  if (mode === 'worker') {
    batches = workerBatches(host, input instanceof ReadInto ? input.chunks(false) : input, core, onProgress, taker);
  } else if (input instanceof ReadInto && sharedMemoryAvailable()) {
    batches = directBatches(host, input, core, onProgress, taker);
  } else {
    batches = inThreadBatches(host, input instanceof ReadInto ? input.chunks(true) : input, core, onProgress, taker);
  }
  return runOf(batches, mode);
}

/** A run over `batches`: read once, as events or as batches. */
export function runOf(batches: AsyncIterable<readonly SynackEvent[]>, mode: AnalysisMode): AnalyzeRun {
  let taken = false;
  const take = (): AsyncIterable<readonly SynackEvent[]> => {
    if (taken) throw new SynackError('an analysis run is read once: its events or its batches');
    taken = true;
    return batches;
  };
  return { mode, batches: take, [Symbol.asyncIterator]: () => eventsOf(take()) };
}

/** One event at a time from batches; a plain iterator costs less per event than an async generator's yield*. */
function eventsOf(batches: AsyncIterable<readonly SynackEvent[]>): AsyncIterator<SynackEvent> {
  const it = batches[Symbol.asyncIterator]();
  let batch: readonly SynackEvent[] = [];
  let i = 0;
  const refill = async (): Promise<IteratorResult<SynackEvent>> => {
    for (;;) {
      const r = await it.next();
      if (r.done) return { done: true, value: undefined };
      if (r.value.length) { batch = r.value; i = 1; return { done: false, value: batch[0] }; }
    }
  };
  return {
    next: () => (i < batch.length ? Promise.resolve({ done: false, value: batch[i++] }) : refill()),
    return: async (): Promise<IteratorResult<SynackEvent>> => {
      batch = [];
      await it.return?.();
      return { done: true, value: undefined };
    },
  };
}

/**
 * Batches of at most this many events. A consumer that decodes snapshots (conn.log) keeps each decoded one alive
 * while its batch is: small batches let them die young, where one array per input chunk, or one for the ten
 * thousand connections that end with the input, kept them all alive through several collections.
 */
const BATCH_EVENTS = 512;

/**
 * Hands `events` out in batches, letting go of each (its places are cleared), so nothing here keeps a handed-out
 * event alive. Not splice() from the front: that moves every later event each time, quadratic in the events of a
 * chunk (a 4 MiB chunk of a SYN scan ends some 70 k connections).
 */
function* pieces(events: SynackEvent[], evenEmpty = false): Generator<SynackEvent[]> {
  if (events.length <= BATCH_EVENTS) {
    if (events.length || evenEmpty) yield events;
    return;
  }
  for (let i = 0; i < events.length; i += BATCH_EVENTS) {
    const end = Math.min(i + BATCH_EVENTS, events.length);
    const batch = events.slice(i, end);
    events.fill(undefined as unknown as SynackEvent, i, end);
    yield batch;
  }
}

async function* inThreadBatches(
  host: HostCore, chunks: AsyncIterable<Uint8Array>, options: AnalyzerOptions, onProgress?: Progress, taker: RecordTaker | null = null,
): AsyncGenerator<SynackEvent[]> {
  const analyzer = await Analyzer.create(await host.core(), options);
  analyzer.takeRecords(taker);
  // With a taker, records may have been taken whatever came back: every step yields.
  const always = taker !== null;
  for await (const chunk of chunks) {
    yield* pieces(analyzer.push(chunk), always);
    onProgress?.(analyzer.bytesConsumed);
    if (analyzer.captureFailed) break;
  }
  yield* finishBatches(analyzer, always, onProgress);
}

/**
 * In-thread, with the input read straight into the core: the shared-memory core's two input slabs take turns, one
 * filled by the host's I/O threads while the core analyses the other, so this thread never copies capture bytes
 * (the copy cost about a seventh of the analysis). Shared memory, because memory.grow never moves or detaches it:
 * a read under way stays valid while the core runs. The events are the same as inThreadBatches gives.
 */
async function* directBatches(
  host: HostCore, input: ReadInto, options: AnalyzerOptions, onProgress?: Progress, taker: RecordTaker | null = null,
): AsyncGenerator<SynackEvent[]> {
  const memory = new WebAssembly.Memory({ ...SHARED_MEMORY_PAGES, shared: true } as WebAssembly.MemoryDescriptor);
  const analyzer = await Analyzer.create(await host.sharedCore(), options, memory);
  analyzer.takeRecords(taker);
  const always = taker !== null;
  const slabs = analyzer.slabs();
  let turn = 0;
  let pending: Promise<number | null> | null = input.read(slabs[turn]);
  try {
    for (;;) {
      const n = await pending;
      pending = null;
      if (!n) break;
      // Committing slab `turn` moves the unread end of the other slab in front of it: only then is the other one
      // free to be read into while the core analyses this one (readAhead starts its next read before it hands a
      // chunk out, which here would overwrite that unread end).
      analyzer.commitSlab(turn, n);
      turn ^= 1;
      pending = input.read(slabs[turn]);
      yield* pieces(analyzer.analyzeInput(), always);
      onProgress?.(analyzer.bytesConsumed);
      if (analyzer.captureFailed) break;
    }
  } finally {
    // A consumer that stopped early leaves a read under way: it still writes into the slab and uses the file.
    await pending?.catch(() => 0);
    await input.close();
  }
  yield* finishBatches(analyzer, always, onProgress);
}

/** The end of an in-thread run; a damaged capture delivers what was analysed before it, then the error. */
function* finishBatches(analyzer: Analyzer, always: boolean, onProgress?: Progress): Generator<SynackEvent[]> {
  let last: SynackEvent[];
  try {
    last = analyzer.finish();
  } catch (e) {
    if (e instanceof SynackCaptureError) yield* pieces(e.events.splice(0), always);
    throw e;
  }
  yield* pieces(last, always);
  onProgress?.(analyzer.bytesConsumed);
}

async function* workerBatches(
  host: HostCore, chunks: AsyncIterable<Uint8Array>, options: AnalyzerOptions, onProgress?: Progress, taker: RecordTaker | null = null,
): AsyncGenerator<SynackEvent[]> {
  const run = analyzeInWorker(chunks, options, await host.sharedCore(), host.spawnWorker!, onProgress, taker);
  for await (const events of run) yield* pieces(events, taker !== null);
}

/**
 * conn.log text from an analysis, in chunks of whole lines. Subscribes to Zeek's default events plus
 * connection_state_remove (the core's behaviour depends on the subscription, so conn.log uses Zeek's) and has
 * only connection_state_remove delivered.
 */
export async function* connLogLines(
  analyze: (options: AnalyzerOptions & HostOptions) => AnalyzeRun,
  options: AnalyzerOptions & HostOptions & ConnLogOptions = {},
): AsyncIterable<string> {
  const { format, localNets, now, ...rest } = options;
  const subscribe: EventName[] = [...new Set([...(rest.subscribe ?? DEFAULT_EVENTS), 'connection_state_remove' as const])];
  const writer = new ConnLogWriter({ format, localNets: [...(localNets ?? []), ...(rest.local_nets ?? [])], now });
  let started = false;
  const run = analyze({ ...rest, subscribe, deliver: ['connection_state_remove'], [RECORD_TAKER]: writer } as AnalyzerOptions & HostOptions);
  for await (const batch of run.batches()) {
    // The header comes with the first row: a capture rejected before any row gets no log, only its error.
    const rows = writer.events(batch);
    if (!rows) continue;
    yield (started ? '' : writer.header()) + rows;
    started = true;
  }
  if (!started) yield writer.header();
  yield writer.footer();
}
