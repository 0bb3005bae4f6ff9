/**
 * Analyzer: owns one core instance, feeds it capture bytes, and drains the event ring after every RingFull so no
 * event is dropped. Events come back in the order the core wrote them.
 */
import { STAT_NAMES, RunStatus } from './constants.generated.ts';
import { ContentsRouter, type ContentsOptions } from './contents.ts';
import { SynackCaptureError, SynackError, SynackInternalError } from './errors.ts';
import type { Count, SynackEvent } from './events.generated.ts';
import { instantiate, instantiateSync, type CoreExports, type CoreInstance, type WasmSource } from './instance.ts';
import { resolveOptions, type AnalyzerOptions, type ResolvedOptions } from './options.ts';
import { RingReader, type RecordTaker } from './ring-reader.ts';

/** The f64 counters the core keeps (STATS in schema/status.ts). */
export type AnalyzerStats = Record<(typeof STAT_NAMES)[number], number>;

export class Analyzer {
  readonly options: ResolvedOptions;
  #core: CoreInstance;
  #ring: RingReader;
  #failed: SynackError | null = null;
  #finished = false;
  /** Contents-file routing (extract_contents), contents.ts. */
  #contents: ContentsRouter | null = null;
  #taker: RecordTaker | null = null;

  /**
   * Creates an analyzer from the core's bytes or compiled module. Options are validated first. With
   * `extract_contents`, `contents` chooses each side's sink (without it, nothing is written). `memory`: for the
   * shared-memory core, the memory it runs on (then the input can also be read into its slabs: commitSlab).
   */
  static async create(wasm: WasmSource, options: AnalyzerOptions & ContentsOptions = {}, memory?: WebAssembly.Memory): Promise<Analyzer> {
    const { contents, contents_dir: _, ...rest } = options;
    const resolved = resolveOptions(rest);
    return new Analyzer(await instantiate(wasm, memory), resolved, rest.extract_contents === true, contents);
  }

  /** Creates an analyzer synchronously from a compiled module. */
  static createSync(module: WebAssembly.Module, options: AnalyzerOptions & ContentsOptions = {}): Analyzer {
    const { contents, contents_dir: _, ...rest } = options;
    return new Analyzer(instantiateSync(module), resolveOptions(rest), rest.extract_contents === true, contents);
  }

  private constructor(core: CoreInstance, options: ResolvedOptions, extract = false, contents?: ContentsOptions['contents']) {
    this.#core = core;
    this.options = options;
    if (extract) this.#contents = new ContentsRouter(contents, options.subscribed);
    const ex = core.exports;
    core.configure(options);
    this.#ring = new RingReader(core.views, core.guard(() => ex.ringPtr()));
  }

  /** From now on `taker` sees each record first; the ones it takes become no event (RingReader.drain). */
  takeRecords(taker: RecordTaker | null): void {
    this.#taker = taker;
  }

  /** Feeds capture bytes; returns the events they completed. Throws SynackCaptureError on unreadable input. */
  push(chunk: Uint8Array): SynackEvent[] {
    this.#check();
    const out: SynackEvent[] = [];
    try {
      this.#core.feed(chunk, () => this.#loop(this.#run, RunStatus.NeedInput, out));
    } catch (e) {
      this.#inputFailed(e);
    }
    return out;
  }

  /** Views of the core's two input slabs (shared-memory core only): a host reads a file into them in turn. */
  slabs(): [Uint8Array, Uint8Array] {
    return this.#core.slabs();
  }

  /**
   * n bytes were read into slab i, which the core is done with (the other slab was committed since): they join the
   * input, to be analysed by analyzeInput(). Between the two, the host can start reading into the other slab.
   */
  commitSlab(i: number, n: number): void {
    this.#check();
    try {
      this.#core.guard(() => this.#core.commitSlab(i, n));
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Analyses the input committed so far; returns the events it completed, like push(). */
  analyzeInput(): SynackEvent[] {
    this.#check();
    const out: SynackEvent[] = [];
    try {
      this.#core.guard(() => this.#loop(this.#run, RunStatus.NeedInput, out));
    } catch (e) {
      this.#inputFailed(e);
    }
    return out;
  }

  /**
   * Input failed. A damaged capture keeps what was analysed and stops reading: finish() ends the connections and
   * throws. Anything else fails the analyzer.
   */
  #inputFailed(e: unknown): void {
    if (!(e instanceof SynackCaptureError)) this.#fail(e);
    this.#captureError = e;
  }

  #run = (): number => this.#core.exports.run();

  /** Set once the capture turned out unreadable: further input is ignored, finish() reports the error. */
  get captureFailed(): boolean {
    return this.#captureError !== null;
  }

  /** Ends the input: returns the remaining events (end-of-input removals included). */
  /**
   * End of input. On a damaged capture the connections analysed so far still end as in Zeek, then the
   * SynackCaptureError is thrown carrying those last events in `.events`.
   */
  finish(): SynackEvent[] {
    this.#check();
    const out: SynackEvent[] = [];
    try {
      this.#core.guard(() => this.#loop(() => this.#core.exports.finish(), RunStatus.Done, out));
      this.#finished = true;
    } catch (e) {
      const err = e instanceof SynackCaptureError ? e : this.#captureError;
      if (err) {
        err.events = out;
        this.#fail(err);
      }
      this.#fail(e);
    }
    return out;
  }

  /**
   * Waits until the contents sinks have finished their asynchronous work, then reports the ones that failed;
   * returns the contents_file_write_failure events this raised. Hosts call it after push() and finish().
   */
  async settle(): Promise<SynackEvent[]> {
    const router = this.#contents;
    if (!router) return [];
    await router.settle();
    const out: SynackEvent[] = [];
    if (!router.hasLateFailures || this.#failed) return out;
    try {
      // #loop reports them; their records wait in the core's outbox until run() (finish() once finished) moves them.
      const ex = this.#core.exports;
      this.#core.guard(() => this.#loop(() => (this.#finished ? ex.finish() : ex.run()), this.#finished ? RunStatus.Done : RunStatus.NeedInput, out));
    } catch (e) {
      this.#fail(e);
    }
    return out;
  }

  /** Closes the contents sinks still open (a run that ends early); waits for them. */
  closeContents(): Promise<void> {
    return this.#contents?.closeAll() ?? Promise.resolve();
  }

  /** Tells the core that the sink of the side named by `handle` failed (contents_file_write_failure follows). */
  #reportFailure = (handle: Count, gap: boolean): void => {
    const h = BigInt(handle);
    const ex = this.#core.exports as CoreExports & { contentsWriteFailed(handleHi: number, serial: number, gap: number): number };
    this.#core.guard(() => ex.contentsWriteFailed(Number(h >> 32n), Number(h & 0xffffffffn), gap ? 1 : 0));
  };

  /** The core's counters now. */
  stats(): AnalyzerStats {
    const base = this.#core.guard(() => this.#core.exports.statsPtr());
    const dv = this.#core.views.dv;
    const s = {} as AnalyzerStats;
    STAT_NAMES.forEach((n, i) => { s[n] = dv.getFloat64(base + 8 * i, true); });
    return s;
  }

  /** Capture bytes consumed so far. */
  get bytesConsumed(): number {
    return this.#core.views.dv.getFloat64(this.#core.guard(() => this.#core.exports.statsPtr()) + 8, true);
  }

  /** Calls `step` until it returns `until`, draining the ring after each call. Callers guard it (core.guard). */
  #loop(step: () => number, until: RunStatus, out: SynackEvent[]): void {
    const core = this.#core;
    // Sinks that failed asynchronously since the last call: reported first, so their events precede the new ones.
    if (this.#contents?.hasLateFailures) this.#contents.reportLate(this.#reportFailure);
    for (;;) {
      const s = step();
      const start = out.length;
      this.#ring.drain(out, this.#taker);
      // Failures reported while routing contents records leave events in the core's outbox: step once more.
      const reported = this.#contents?.route(out, start, this.#reportFailure) ?? 0;
      if (s === until && reported === 0) return;
      if (s === until || s === RunStatus.RingFull) continue;
      if (s === RunStatus.Error) {
        const ex = core.exports;
        throw new SynackCaptureError(ex.errorCode(), ex.errorOffset(), ex.errorValue());
      }
      throw new SynackInternalError(`the core returned status ${s} (expected ${until})`);
    }
  }

  #captureError: SynackCaptureError | null = null;

  #check(): void {
    if (this.#failed) throw this.#failed;
    if (this.#finished) throw new SynackError('the analyzer has finished; create a new one for more input');
  }

  #fail(e: unknown): never {
    if (e instanceof SynackError) this.#failed = e;
    throw e;
  }
}
