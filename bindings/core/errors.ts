/** The error family of synack's bindings. Weirds are events, not errors; these are the real failures. */
import type { SynackEvent } from './events.generated.ts';
import { CAPTURE_ERROR_MESSAGES } from './constants.generated.ts';

/** Base class of every error synack throws. */
export class SynackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An option name is unknown or its value is invalid; `option` names it. */
export class SynackOptionError extends SynackError {
  constructor(readonly option: string, message: string) {
    super(message);
  }
}

/** The capture cannot be read past `offset` (a byte offset in the input); `code` is a CAPTURE_ERRORS id. */
export class SynackCaptureError extends SynackError {
  /** Events of the end of input (connections seen before the damage), not yet delivered when thrown by finish(). */
  events: SynackEvent[] = [];
  constructor(readonly code: number, readonly offset: number, readonly value: number) {
    super(captureMessage(code, offset, value));
  }
}

/** A bug in synack: the core trapped or broke the ring contract. */
export class SynackInternalError extends SynackError {}

/** "byte OFFSET: <what is wrong>" for a capture error. */
export function captureMessage(code: number, offset: number, value: number): string {
  const what = CAPTURE_ERROR_MESSAGES[code] ?? `capture error ${code}`;
  // The offending number is only meaningful for errors about a value in the file.
  const withValue = [1, 5, 6, 7, 8, 10, 11, 13, 14, 15].includes(code) && Number.isFinite(value);
  if (!withValue) return `byte ${offset}: ${what}`;
  // NotACapture: the magic number goes inside the message's own parenthesis.
  if (code === 1 && what.endsWith(')')) return `byte ${offset}: ${what.slice(0, -1)} 0x${(value >>> 0).toString(16).padStart(8, '0')})`;
  return `byte ${offset}: ${what} (value ${value})`;
}
