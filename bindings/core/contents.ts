/**
 * Contents files on the host side (TA §13.9, Zeek's set_contents_file / Conn::default_extract). With
 * `extract_contents` the core attaches both sides of a connection at connection_established and sends each side's
 * stream as internal contents_file_write records (delivered bytes, and "\n<<gap N>>\n" markers for holes that have
 * data after them) and a contents_file_close at removal. The router here hands them to sinks the host chooses and
 * reports a failed sink back to the core, which raises contents_file_write_failure and stops writing that side.
 */
import type { Connection, Count, EventOf, SynackEvent } from './events.generated.ts';
import { EVENT_INFO } from './events.generated.ts';

/** Where one side's stream goes. A throw or a rejected promise is a write failure. */
export interface ContentsSink {
  write(bytes: Uint8Array): void | Promise<void>;
  close(): void | Promise<void>;
}

/**
 * Chooses the sink of one side when its first record arrives (a side without data still gets one, at close, so
 * that an empty file exists as in Zeek). null: that side is not recorded. A throw counts as a failed write.
 */
export type ContentsOpener = (c: Connection, isOrig: boolean) => ContentsSink | null;

/** Options of the contents-file feature (used when `extract_contents` is true). */
export interface ContentsOptions {
  /** The sink of each side; default of hosts with a file system: Zeek-named files in `contents_dir`. */
  contents?: ContentsOpener;
  /** Directory of the default contents files (hosts with a file system; default: the working directory). */
  contents_dir?: string;
}

/** Zeek's addr_to_uri: IPv6 addresses in brackets. */
const uriAddr = (a: string): string => (a.includes(':') ? `[${a}]` : a);

/**
 * The file name Zeek's default scripts give a side's contents file (base/protocols/conn/contents.zeek):
 * `contents_<orig_h>:<orig_p>-<resp_h>:<resp_p>_orig.dat` or `…_resp.dat`.
 */
export function contentsFileName(c: Connection, isOrig: boolean): string {
  const id = c.id;
  return `contents_${uriAddr(id.orig_h)}:${id.orig_p}-${uriAddr(id.resp_h)}:${id.resp_p}_${isOrig ? 'orig' : 'resp'}.dat`;
}

/** Reports a failed side to the core: the record's handle and whether a gap marker was being written. */
export type ReportFailure = (handle: Count, gap: boolean) => void;

const WRITE_ID = EVENT_INFO.find((e) => e.name === 'contents_file_write')!.id;
const CLOSE_ID = EVENT_INFO.find((e) => e.name === 'contents_file_close')!.id;

interface Side {
  sink: ContentsSink | null;
  /** The sink failed (its later records are dropped); `reported`: the core has been told. */
  failed: boolean;
  reported: boolean;
  /** The sink's unfinished asynchronous work; later calls wait for it, in order. */
  busy: Promise<void> | null;
}

const isThenable = (v: unknown): v is PromiseLike<void> => typeof (v as PromiseLike<void> | null)?.then === 'function';
const quiet = (): void => {};

/**
 * Routes the internal contents records of an analyzer to sinks. The records are removed from the event stream
 * unless the user subscribed to them by name. Failures of synchronous sinks are reported while routing the batch
 * that held the write; failures of asynchronous sinks once their promise has settled, by the analyzer before its
 * next unit of work (push, finish) or in settle().
 */
export class ContentsRouter {
  readonly #open: ContentsOpener | undefined;
  readonly #keepWrite: boolean;
  readonly #keepClose: boolean;
  readonly #sides = new Map<Count, Side>();
  readonly #pending = new Set<Promise<void>>();
  /** Failed asynchronous sides not yet reported to the core. */
  #late: [Count, boolean, Side][] = [];

  constructor(open: ContentsOpener | undefined, subscribed: ReadonlySet<number>) {
    this.#open = open;
    this.#keepWrite = subscribed.has(WRITE_ID);
    this.#keepClose = subscribed.has(CLOSE_ID);
  }

  /** Whether failures of asynchronous sinks wait to be reported (reportLate). */
  get hasLateFailures(): boolean {
    return this.#late.length > 0;
  }

  /**
   * Routes the contents records of `out[start..]` (in order) and removes them from `out` unless subscribed.
   * Returns how many failures were reported to the core (their events follow in the ring).
   */
  route(out: SynackEvent[], start: number, report: ReportFailure): number {
    let reported = 0;
    let w = start;
    for (let i = start; i < out.length; i++) {
      const e = out[i];
      if (e.name === 'contents_file_write') {
        reported += this.#write(e, report);
        if (!this.#keepWrite) continue;
      } else if (e.name === 'contents_file_close') {
        this.#close(e);
        if (!this.#keepClose) continue;
      }
      out[w++] = e;
    }
    out.length = w;
    for (const [h, s] of this.#sides) if (s.reported) this.#sides.delete(h);
    return reported;
  }

  /** Reports the asynchronous failures seen so far; returns how many. */
  reportLate(report: ReportFailure): number {
    const late = this.#late;
    this.#late = [];
    for (const [handle, gap, side] of late) {
      side.reported = true;
      report(handle, gap);
    }
    return late.length;
  }

  /** Waits for every sink's outstanding asynchronous work (writes and closes). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Closes every sink still open (a run that ended early or failed); errors are ignored. */
  async closeAll(): Promise<void> {
    for (const s of this.#sides.values()) if (!s.failed) this.#closeQuietly(s);
    this.#sides.clear();
    await this.settle();
  }

  #side(e: EventOf<'contents_file_write'> | EventOf<'contents_file_close'>): Side | Error {
    let s = this.#sides.get(e.handle);
    if (s) return s;
    s = { sink: null, failed: false, reported: false, busy: null };
    this.#sides.set(e.handle, s);
    try {
      s.sink = this.#open?.(e.c, e.is_orig) ?? null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
    return s;
  }

  #write(e: EventOf<'contents_file_write'>, report: ReportFailure): number {
    const s = this.#side(e);
    const fail = (side: Side): number => {
      side.failed = side.reported = true;
      report(e.handle, e.gap);
      this.#closeQuietly(side);
      return 1;
    };
    if (s instanceof Error) return fail(this.#sides.get(e.handle)!);
    if (s.failed || s.sink === null) return 0;
    const sink = s.sink;
    try {
      this.#call(s, () => (s.failed ? undefined : sink.write(e.data)), () => {
        if (s.failed) return;
        s.failed = true;
        this.#late.push([e.handle, e.gap, s]);
        this.#closeQuietly(s);
      });
    } catch {
      return fail(s);
    }
    return 0;
  }

  #close(e: EventOf<'contents_file_close'>): void {
    const s = this.#side(e);
    this.#sides.delete(e.handle);
    // The connection is gone: a failing close can no longer be reported.
    if (!(s instanceof Error) && !s.failed) this.#closeQuietly(s);
  }

  /** Closes a side's sink (after its outstanding work), ignoring errors. */
  #closeQuietly(s: Side): void {
    const sink = s.sink;
    if (sink === null) return;
    s.sink = null;
    try {
      this.#call(s, () => sink.close(), quiet);
    } catch {
      // nothing to report to: the side failed already or its connection is gone
    }
  }

  /**
   * Calls `fn` now when the sink is idle (a synchronous throw propagates), else after its outstanding work;
   * an asynchronous failure goes to `onError`.
   */
  #call(s: Side, fn: () => void | Promise<void>, onError: (err: unknown) => void): void {
    let p: Promise<void>;
    if (s.busy) {
      p = s.busy.then(fn).then(undefined, onError);
    } else {
      const r = fn();
      if (!isThenable(r)) return;
      p = Promise.resolve(r).then(undefined, onError);
    }
    const tracked = p.finally(() => {
      this.#pending.delete(tracked);
      if (s.busy === tracked) s.busy = null;
    });
    s.busy = tracked;
    this.#pending.add(tracked);
  }
}

/**
 * Wraps an opener so that a host can close, when a run ends (early, or by an error), the sinks still open and wait
 * for their outstanding asynchronous work.
 */
export function trackSinks(open: ContentsOpener): { open: ContentsOpener; closeOpen(): Promise<void> } {
  const live = new Set<ContentsSink>();
  const work = new Set<Promise<void>>();
  const track = (r: void | Promise<void>): void | Promise<void> => {
    if (!isThenable(r)) return r;
    const p = Promise.resolve(r);
    const t = p.then(quiet, quiet).finally(() => work.delete(t));
    work.add(t);
    return p;
  };
  return {
    open(c, isOrig) {
      const sink = open(c, isOrig);
      if (sink === null) return null;
      live.add(sink);
      return {
        write: (b) => track(sink.write(b)),
        close: () => { live.delete(sink); return track(sink.close()); },
      };
    },
    async closeOpen() {
      for (const s of [...live]) {
        live.delete(s);
        try {
          track(s.close());
        } catch {
          // the run is over: nothing to report to
        }
      }
      while (work.size > 0) await Promise.all([...work]);
    },
  };
}
