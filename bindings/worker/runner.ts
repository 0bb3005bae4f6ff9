/**
 * Producer side of worker mode, host-neutral: instantiates the shared-memory core once on the memory the consumer
 * created, feeds it the chunks it is sent and never reads the ring. The core publishes the ring head atomically;
 * after a run()/finish() return that moved the head this wakes the consumer (Atomics.notify on the head word),
 * and on RingFull it blocks (Atomics.wait on the tail word) until the consumer has freed space.
 */
import { RunStatus } from '../core/constants.generated.ts';
import { SynackCaptureError, SynackInternalError } from '../core/errors.ts';
import { CoreInstance } from '../core/instance.ts';
import { resolveOptions, type AnalyzerOptions } from '../core/options.ts';
import { FLAGS_WORD, FLAG_PRODUCER_WAITING, HEAD_WORD, TAIL_WORD, toWire, type FromWorker, type Port, type ToWorker } from './protocol.ts';

class Producer {
  #core: CoreInstance;
  #words: Int32Array;
  #base: number;
  /** The head value the consumer was last woken for. */
  #notified = 0;

  constructor(core: CoreInstance, memory: WebAssembly.Memory, options: AnalyzerOptions) {
    this.#core = core;
    const ex = core.exports, r = resolveOptions(options);
    core.configure(r);
    // A shared buffer is never detached by memory.grow, so this view of the ring header stays valid.
    this.#words = new Int32Array(memory.buffer);
    this.#base = core.guard(() => ex.ringPtr()) >>> 2;
  }

  get ringPtr(): number { return this.#base << 2; }

  get bytesConsumed(): number {
    return this.#core.views.dv.getFloat64(this.#core.guard(() => this.#core.exports.statsPtr()) + 8, true);
  }

  push(chunk: Uint8Array): void {
    const ex = this.#core.exports;
    this.#core.feed(chunk, () => this.#loop(() => ex.run(), RunStatus.NeedInput));
  }

  finish(): void {
    this.#loop(() => this.#core.exports.finish(), RunStatus.Done);
  }

  /** Calls `step` until `until`; a full ring blocks this thread until the consumer moves the tail. */
  #loop(step: () => number, until: RunStatus): void {
    const w = this.#words, head = this.#base + HEAD_WORD, tail = this.#base + TAIL_WORD, flags = this.#base + FLAGS_WORD;
    for (;;) {
      // The tail seen before the step: if the consumer moves it after the core read it, the wait returns at once.
      const seen = Atomics.load(w, tail);
      const s = this.#core.guard(step);
      // Wake the consumer when there is something new to read; a notify wakes every waiter, even of the same value.
      const h = Atomics.load(w, head);
      if (h !== this.#notified) {
        this.#notified = h;
        Atomics.notify(w, head);
      }
      if (s === until) return;
      if (s === RunStatus.RingFull) {
        // RingFull implies a non-empty ring, which the consumer (woken above) always drains: no lost wake-up.
        Atomics.or(w, flags, FLAG_PRODUCER_WAITING);
        Atomics.wait(w, tail, seen);
        Atomics.and(w, flags, ~FLAG_PRODUCER_WAITING);
        continue;
      }
      if (s === RunStatus.Error) {
        const ex = this.#core.exports;
        throw new SynackCaptureError(ex.errorCode(), ex.errorOffset(), ex.errorValue());
      }
      throw new SynackInternalError(`the core returned status ${s} (expected ${until})`);
    }
  }
}

/** Serves one analysis over `port`: init, chunks, finish. After an error it ignores further input. */
export function serve(port: Port): void {
  let producer: Producer | null = null;
  let failed = false;
  const send = (m: FromWorker) => port.post(m);
  port.onMessage(async (msg: ToWorker) => {
    if (failed) return;
    try {
      switch (msg.type) {
        case 'init': {
          const module = msg.wasm instanceof WebAssembly.Module ? msg.wasm : await WebAssembly.compile(msg.wasm as BufferSource);
          const instance = await WebAssembly.instantiate(module, { env: { memory: msg.memory } });
          producer = new Producer(new CoreInstance(instance), msg.memory, msg.options);
          send({ type: 'ready', ringPtr: producer.ringPtr });
          break;
        }
        case 'chunk':
          if (!producer) throw new SynackInternalError('input before init');
          try {
            producer.push(msg.bytes);
          } catch (e) {
            // A damaged capture, as in-thread: what was read is analysed, every connection ends, then the error
            // (the core's finish() reports it once the end-of-input records are in the ring).
            if (e instanceof SynackCaptureError) producer.finish();
            throw e;
          }
          send({ type: 'consumed', bytesConsumed: producer.bytesConsumed });
          break;
        case 'finish':
          if (!producer) throw new SynackInternalError('finish before init');
          producer.finish();
          send({ type: 'done', bytesConsumed: producer.bytesConsumed });
          break;
      }
    } catch (e) {
      failed = true;
      send({ type: 'error', error: toWire(e) });
    }
  });
}
