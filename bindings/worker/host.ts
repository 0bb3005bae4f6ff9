/**
 * Consumer side of worker mode, host-neutral: creates the shared memory, starts the core in a worker (the host
 * supplies `spawn`), sends it the input (transferred, at most MAX_IN_FLIGHT messages at a time; small chunks that
 * arrive while the worker is busy are gathered into one message) and reads the events
 * in place from the ring in the shared memory. After each drain the tail is stored with Atomics.store and the
 * producer woken with Atomics.notify; new records are awaited with Atomics.waitAsync on the head word (a short
 * timer poll where a host lacks waitAsync), never by blocking the thread, which must keep reading input.
 */
import { SynackError } from '../core/errors.ts';
import type { SynackEvent } from '../core/events.generated.ts';
import { MemoryViews } from '../core/memory.ts';
import { resolveOptions, type AnalyzerOptions } from '../core/options.ts';
import { RingReader, type RecordTaker } from '../core/ring-reader.ts';
import { HEAD_WORD, SHARED_MEMORY_PAGES, TAIL_WORD, fromWire, type FromWorker, type ToWorker } from './protocol.ts';

/** Messages sent to the worker and not yet acknowledged: bounds the input held in memory. */
const MAX_IN_FLIGHT = 4;
/** Input read ahead while MAX_IN_FLIGHT messages are unacknowledged (a larger single chunk is kept whole). */
const MAX_PENDING_BYTES = 1 << 20;

/** Size of the buffers small chunks are copied into while they wait for the worker. */
const GATHER_BYTES = 64 << 10;

/**
 * Input waiting for the worker. A chunk that owns its whole buffer is kept as is (posting transfers it); any other
 * is copied at once, because its buffer may be reused by the source or shared with other chunks (a Node Buffer
 * is often a view of a larger one, and transferring that would detach the caller's bytes).
 */
export class Pending {
  #parts: Uint8Array[] = [];
  #gather: Uint8Array | null = null;
  #gathered = 0;
  bytes = 0;

  add(c: Uint8Array): void {
    if (c.length === 0) return;
    this.bytes += c.length;
    const own = c.byteOffset === 0 && c.byteLength === c.buffer.byteLength && c.buffer instanceof ArrayBuffer;
    if (own && c.length >= GATHER_BYTES) {
      this.#seal();
      this.#parts.push(c);
      return;
    }
    if (!this.#gather || this.#gathered + c.length > this.#gather.length) {
      this.#seal();
      this.#gather = new Uint8Array(Math.max(GATHER_BYTES, c.length));
    }
    this.#gather.set(c, this.#gathered);
    this.#gathered += c.length;
  }

  /** Everything pending as one message's bytes (a whole buffer of its own, ready to transfer); empties this. */
  take(): Uint8Array {
    this.#seal();
    const parts = this.#parts.splice(0);
    const total = this.bytes;
    this.bytes = 0;
    if (parts.length === 1 && parts[0].byteLength === parts[0].buffer.byteLength) return parts[0];
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out;
  }

  #seal(): void {
    if (this.#gather && this.#gathered) this.#parts.push(this.#gather.subarray(0, this.#gathered));
    this.#gather = null;
    this.#gathered = 0;
  }
}

/** A started worker as the consumer sees it. */
export interface WorkerHandle {
  post(msg: ToWorker, transfer?: ArrayBuffer[]): void;
  onMessage(fn: (msg: FromWorker) => void): void;
  /** Called on a worker-level failure (script error, exit). */
  onError(fn: (e: unknown) => void): void;
  terminate(): void;
}

/** Whether this thread can run worker mode: SharedArrayBuffer exists (browsers: only when cross-origin isolated). */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

type WaitAsync = (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string };

/**
 * Runs the analysis in a worker; yields the events in core order, in batches (what one ring drain read, possibly
 * nothing left after `taker` took its records). `wasm` is the shared-memory core (a Module is
 * posted as is; bytes are compiled in the worker).
 */
export async function* analyzeInWorker(
  chunks: AsyncIterable<Uint8Array>, options: AnalyzerOptions, wasm: WebAssembly.Module | Uint8Array,
  spawn: () => WorkerHandle, onProgress?: (bytesConsumed: number) => void, taker: RecordTaker | null = null,
): AsyncGenerator<SynackEvent[]> {
  resolveOptions(options); // option errors before any work, as in-thread
  const memory = new WebAssembly.Memory({ ...SHARED_MEMORY_PAGES, shared: true } as WebAssembly.MemoryDescriptor);
  const worker = spawn();
  const inbox: FromWorker[] = [];
  let wake: (() => void) | null = null;
  const poke = () => { const w = wake; wake = null; w?.(); };
  let failure: unknown = null;
  worker.onMessage((m) => { inbox.push(m); poke(); });
  worker.onError((e) => { failure ??= e; poke(); });
  const input = chunks[Symbol.asyncIterator]();
  let base = 0;
  try {
    worker.post({ type: 'init', wasm, memory, options });
    let ring: RingReader | null = null;
    let words: Int32Array | null = null;
    let inFlight = 0, inputDone = false, finishSent = false, done = false;
    let reading: Promise<void> | null = null;
    const pending = new Pending();
    const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
    // One pending waitAsync per head value; a notify without a new head settles it, and a new one is made.
    interface HeadWait { seen: number; settled: boolean; promise: Promise<unknown> }
    let headWait: HeadWait | null = null;
    const out: SynackEvent[] = [];
    for (;;) {
      while (inbox.length) {
        const m = inbox.shift()!;
        if (m.type === 'error') {
          // The worker reports an error once it has stopped: what it wrote before is all in the ring, read it first.
          if (ring && ring.drain(out, taker) > 0) yield out.splice(0);
          throw fromWire(m.error);
        }
        if (m.type === 'ready') {
          ring = new RingReader(new MemoryViews(memory), m.ringPtr, true);
          words = new Int32Array(memory.buffer);
          base = m.ringPtr >>> 2;
        } else if (m.type === 'consumed') {
          inFlight--;
          onProgress?.(m.bytesConsumed);
        } else if (m.type === 'done') {
          done = true;
          onProgress?.(m.bytesConsumed);
        }
      }
      if (failure) throw failure instanceof SynackError ? failure : fromWire({ kind: 'other', message: String(failure) });
      if (!ring || !words) { await new Promise<void>((r) => { wake = r; if (inbox.length || failure) poke(); }); continue; }
      if (ring.drain(out, taker) > 0) {
        yield out.splice(0);
        continue;
      }
      if (done) return;
      // Post when the worker is idle, or once a gather buffer is full: a source of tiny chunks then costs one
      // message per 64 KiB rather than one per chunk, and an idle worker never waits for more input.
      const canPost = () => pending.bytes > 0 && inFlight < MAX_IN_FLIGHT && (inFlight === 0 || inputDone || pending.bytes >= GATHER_BYTES);
      if (!inputDone && !reading && pending.bytes < MAX_PENDING_BYTES) {
        reading = (async () => {
          do {
            const r = await input.next();
            if (r.done) { inputDone = true; break; }
            pending.add(r.value);
          } while (!canPost() && pending.bytes < MAX_PENDING_BYTES);
          reading = null;
        })();
      }
      if (canPost()) {
        const bytes = pending.take();
        inFlight++;
        worker.post({ type: 'chunk', bytes }, [bytes.buffer as ArrayBuffer]);
      }
      if (inputDone && !reading && pending.bytes === 0 && !finishSent) {
        finishSent = true;
        worker.post({ type: 'finish' });
      }
      // Sleep until a message, the input read, or the producer publishing a head past what was drained.
      const seen = Atomics.load(words, base + HEAD_WORD);
      if (seen !== Atomics.load(words, base + TAIL_WORD)) continue;
      const wakers: Promise<unknown>[] = [new Promise<void>((r) => { wake = r; if (inbox.length || failure) poke(); })];
      if (reading) wakers.push(reading);
      if (waitAsync) {
        if (!headWait || headWait.settled || headWait.seen !== seen) {
          const w = waitAsync(words, base + HEAD_WORD, seen);
          const hw: HeadWait = { seen, settled: false, promise: w.async ? (w.value as Promise<string>) : Promise.resolve(w.value) };
          hw.promise.then(() => { hw.settled = true; });
          headWait = hw;
        }
        wakers.push(headWait!.promise);
      } else {
        wakers.push(new Promise((r) => setTimeout(r, 2)));
      }
      await Promise.race(wakers);
    }
  } finally {
    // Release a pending waitAsync (it would keep some hosts alive), stop reading, stop the worker.
    if (base) Atomics.notify(new Int32Array(memory.buffer), base + HEAD_WORD);
    worker.terminate();
    void input.return?.();
  }
}
