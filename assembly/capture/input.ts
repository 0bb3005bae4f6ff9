/**
 * The capture input buffer: one allocation, filled by the host in chunks of any size, read by the
 * capture reader in place. The unread bytes are the window [start, end).
 *
 * Compaction (moving the window to the front) happens only in inputSpace(), which the host calls between
 * runs, and never while a record is held: so a record's bytes stay where they are while it is processed.
 */

/** Largest block (1 MiB + 64 KiB) plus headroom: a whole record or block always fits. */
export const INPUT_CAPACITY: u32 = (1 << 20) + (256 << 10);
/**
 * Most the host may write per call: small enough that the bytes it just wrote are still in the CPU cache
 * when they are decoded and checksummed. A longer record still arrives whole over several calls.
 */
const INPUT_CHUNK: u32 = 256 << 10;

// Plain globals: there is exactly one input buffer per instance, allocated once.
const buf: usize = heap.alloc(<usize>INPUT_CAPACITY);
let start: u32 = 0;
let end: u32 = 0;
/** Absolute input offset of buf[0]: bytes dropped by compaction so far. */
let base: u64 = 0;
/** Bytes at `start` that belong to the record handed out last (released by the next read). */
let held: u32 = 0;
let closed: bool = false;

/**
 * Compacts the unread bytes to the buffer front, then returns how many bytes the host may write now (> 0 while
 * there is room). The unread bytes go up to 7 bytes past the front so that the host writes at an 8-byte aligned
 * address: a host copying into shared memory (worker mode) is copied byte by byte by V8 when source and target
 * are misaligned, ten times slower than an aligned copy.
 */
export function inputSpace(): u32 {
  // start ≥ 8 ≥ pad: the window only moves toward the front.
  if (held == 0 && start >= 8) {
    const n = end - start;
    const pad = (8 - (n & 7)) & 7;
    if (n > 0 && start != pad) memory.copy(buf + pad, buf + start, n);
    base += <u64>(start - pad);
    end = pad + n;
    start = pad;
  }
  return min<u32>(INPUT_CAPACITY - end, INPUT_CHUNK);
}

/** Where the host writes its next bytes. */
export function inputWritePtr(): usize {
  return buf + end;
}

/** The host wrote n bytes at inputWritePtr() (n ≤ inputSpace()). */
export function inputCommit(n: u32): void {
  const room = INPUT_CAPACITY - end;
  end += n < room ? n : room;
}

/** No more bytes will come: a partial record at the end is now an error, not a wait. */
export function inputClose(): void {
  closed = true;
}

/** Forget all input (a new capture follows). */
export function inputReset(): void {
  start = 0;
  end = 0;
  base = 0;
  held = 0;
  closed = false;
}

// ---- reader side (capture/) ----

/** Unread bytes available. */
// @ts-ignore: decorator
@inline export function inputAvail(): u32 {
  return end - start;
}

/** Pointer to the first unread byte. */
// @ts-ignore: decorator
@inline export function inputPtr(): usize {
  return buf + start;
}

/** Absolute input offset of the first unread byte. */
// @ts-ignore: decorator
@inline export function inputOffset(): u64 {
  return base + <u64>start;
}

// @ts-ignore: decorator
@inline export function inputClosed(): bool {
  return closed;
}

/** Marks n bytes as read. */
// @ts-ignore: decorator
@inline export function inputConsume(n: u32): void {
  start += n;
}

/** Keeps the next n bytes in place (a record handed out); released by inputRelease(). */
// @ts-ignore: decorator
@inline export function inputHold(n: u32): void {
  held = n;
}

/** Consumes the held record, if any. */
// @ts-ignore: decorator
@inline export function inputRelease(): void {
  start += held;
  held = 0;
}
