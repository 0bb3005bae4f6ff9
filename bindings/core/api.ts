/**
 * The declared public API. Every host entry (node.ts, deno.ts, browser.ts) implements these
 * signatures, typing its exports as `typeof`-compatible with the ones here (esbuild's lib/shared/types.ts pattern).
 */
import type { AnalyzerOptions } from './options.ts';
import type { SynackEvent } from './events.generated.ts';
import type { ConnLogOptions } from '../logs/conn-log.ts';

export type { AnalyzerOptions } from './options.ts';
export type { OptionValues, OptionInfo } from './options.generated.ts';
export type {
  SynackEvent, EventName, EventOf, EventInfo, Connection, ConnId, Endpoint, ConnState, SYNPacket, EndpointStats,
} from './events.generated.ts';
export type { Count, TcpOption } from './values.ts';
export type { ConnLogOptions } from '../logs/conn-log.ts';
export { SynackError, SynackOptionError, SynackCaptureError, SynackInternalError } from './errors.ts';

/** Capture input: a file path (hosts with a file system), bytes, a Blob or File (read by slices), or a stream of byte chunks. */
export type CaptureSource = string | Uint8Array | Blob | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Where the core runs: on the calling thread, or in a worker sharing the event ring's memory. */
export type AnalysisMode = 'in-thread' | 'worker';

/** Options of the host, not of the core. */
export interface HostOptions {
  /**
   * Run the core in a worker on shared memory; the calling thread reads events in place from the ring. Same
   * events in the same order. Where SharedArrayBuffer or workers are unavailable (a browser page that is not
   * cross-origin isolated) the run falls back to in-thread with one console warning; `mode` tells which ran.
   */
  worker?: boolean;
}

/**
 * The events of a run (in core order), and the mode it runs in. Read it once: event by event (`for await` over the
 * run), or with `batches()` in the groups the core delivered them, which costs one await per group instead of one
 * per event (what conn.log and `synack events` use).
 */
export type AnalyzeRun = AsyncIterable<SynackEvent> & {
  readonly mode: AnalysisMode;
  batches(): AsyncIterable<readonly SynackEvent[]>;
};

/** Runs the analysis; events come in core order. Throws SynackOptionError before reading, SynackCaptureError on bad input. */
export type AnalyzeFn = (source: CaptureSource, options?: AnalyzerOptions & HostOptions) => AnalyzeRun;

/** conn.log text (TSV or JSON lines) of a capture, in chunks of whole lines. */
export type ConnLogFn = (source: CaptureSource, options?: AnalyzerOptions & HostOptions & ConnLogOptions) => AsyncIterable<string>;
