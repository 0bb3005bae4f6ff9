/**
 * The capture reader's fatal error: set once, then every nextRecord() returns it again. Codes are
 * CaptureError ids from schema/status.ts; the host formats the message with offset and value.
 */

let code: i32 = 0;
let offset: u64 = 0;
let value: u64 = 0;

/** Records a fatal error and returns the value nextRecord() gives back (−code). */
export function fail(c: i32, at: u64, v: u64): i32 {
  code = c;
  offset = at;
  value = v;
  return -c;
}

/** The error code (0 when none). */
export function captureErrorCode(): i32 {
  return code;
}

/** Absolute input offset of the record or block that is bad. */
export function captureErrorOffset(): u64 {
  return offset;
}

/** The offending number (a length, a version, an interface id…). */
export function captureErrorValue(): u64 {
  return value;
}

export function clearCaptureError(): void {
  code = 0;
  offset = 0;
  value = 0;
}
