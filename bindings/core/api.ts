/**
 * The declared public API. Every host entry (node.ts, and later deno.ts / browser.ts) implements these
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

/** Capture input: a file path (hosts with a file system), bytes, or a stream of byte chunks. */
export type CaptureSource = string | Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Runs the analysis; events come in core order. Throws SynackOptionError before reading, SynackCaptureError on bad input. */
export type AnalyzeFn = (source: CaptureSource, options?: AnalyzerOptions) => AsyncIterable<SynackEvent>;

/** conn.log text (TSV or JSON lines) of a capture, in chunks of whole lines. */
export type ConnLogFn = (source: CaptureSource, options?: AnalyzerOptions & ConnLogOptions) => AsyncIterable<string>;
