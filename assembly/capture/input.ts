/**
 * The capture input: bytes the host writes into the core's memory, read by the capture reader in place. The
 * unread bytes are the window [lo, hi), and a byte's input offset is `bias` plus its address.
 *
 * Two ways to fill it, one per run:
 * - Copying (any host, any chunk size): the host writes at inputWritePtr() as far as inputSpace() allows. Compaction
 *   (moving the window to the front of one buffer) happens only in inputSpace(), which the host calls between runs.
 * - Slabs (a host that reads a file on another thread straight into shared memory, in-thread): two slabs take
 *   turns. While the core analyses one, the host's I/O pool reads the next part of the file into the other, so the
 *   bytes are never copied by the analysing thread. Each slab has room in front of it for the longest record, where
 *   the unread end of the other slab (a partial record) is moved when the slab is committed: the window then runs
 *   on into the new bytes, and the other slab is free for the next read.
 *
 * Either way the window only moves between runs and never while a record is held, so a record's bytes stay where
 * they are while it is processed.
 */

/** Largest block (1 MiB + 64 KiB) plus headroom: a whole record or block always fits. */
export const INPUT_CAPACITY: u32 = (1 << 20) + (256 << 10);
/**
 * Most the host may write per call: small enough that the bytes it just wrote are still in the CPU cache
 * when they are decoded and checksummed. A longer record still arrives whole over several calls.
 */
const INPUT_CHUNK: u32 = 256 << 10;
/** Bytes of one slab: a host's file read (bindings FILE_CHUNK_BYTES). */
export const INPUT_SLAB: u32 = 4 << 20;
/** Room in front of a slab for the unread end of the other one: less than the longest record, so this fits. */
const SLAB_FRONT: u32 = INPUT_CAPACITY;

// Plain globals: one input per instance. The copying buffer is allocated up front, the slabs at first use.
const buf: usize = heap.alloc(<usize>INPUT_CAPACITY);
let slabs: usize = 0;
let lo: usize = buf;
let hi: usize = buf;
/** Input offset of the byte at address 0 (so negative once the window moved to a higher address). */
let bias: i64 = -<i64>buf;
/** Bytes at `lo` that belong to the record handed out last (released by the next read). */
let held: u32 = 0;
let closed: bool = false;

/** Moves the unread bytes to `to` (keeping their input offsets). */
function moveWindow(to: usize): void {
  const n = hi - lo;
  if (n > 0 && to != lo) memory.copy(to, lo, n);
  bias += <i64>lo - <i64>to;
  lo = to;
  hi = to + n;
}

/**
 * Compacts the unread bytes to the buffer front, then returns how many bytes the host may write now (> 0 while
 * there is room). The unread bytes go up to 7 bytes past the front so that the host writes at an 8-byte aligned
 * address: a host copying into shared memory (worker mode) is copied byte by byte by V8 when source and target
 * are misaligned, ten times slower than an aligned copy.
 */
export function inputSpace(): u32 {
  const n = <u32>(hi - lo);
  const inBuf = lo >= buf && hi <= buf + INPUT_CAPACITY;
  // Only once the window has moved 8 bytes on: bytes pushed one at a time must not move it at every call.
  if (held == 0 && (!inBuf || lo >= buf + 8)) {
    const pad = (8 - (n & 7)) & 7;
    // A window left in a slab is taken back only when it fits (a run uses one way of filling).
    if (n + pad > INPUT_CAPACITY) return 0;
    moveWindow(buf + pad);
  } else if (!inBuf) {
    return 0;
  }
  return min<u32>(INPUT_CAPACITY - <u32>(hi - buf), INPUT_CHUNK);
}

/** Where the host writes its next bytes. */
export function inputWritePtr(): usize {
  return hi;
}

/** The host wrote n bytes at inputWritePtr() (n ≤ inputSpace()). */
export function inputCommit(n: u32): void {
  if (hi < buf || hi > buf + INPUT_CAPACITY) return;
  const room = INPUT_CAPACITY - <u32>(hi - buf);
  hi += n < room ? n : room;
}

/** Bytes a slab holds. */
export function inputSlabBytes(): u32 {
  return INPUT_SLAB;
}

/** Where slab `i` (0 or 1) starts; it holds INPUT_SLAB bytes. The slabs are allocated on first use. */
export function inputSlab(i: u32): usize {
  if (slabs == 0) slabs = heap.alloc(<usize>(SLAB_FRONT + INPUT_SLAB) << 1);
  return slabs + SLAB_FRONT + (<usize>(i & 1)) * <usize>(SLAB_FRONT + INPUT_SLAB);
}

/**
 * The host read n bytes into slab `i`, which it may only do while the window is outside it: after the previous
 * commit of the other slab. The unread bytes move in front of the slab, so the window runs on into the new bytes.
 * Returns false (nothing done) while a record is held or when the unread bytes do not fit in front of the slab:
 * the host commits only after run() asked for input, when at most a partial record is left.
 */
export function inputSlabCommit(i: u32, n: u32): bool {
  const at = inputSlab(i);
  if (held != 0 || hi - lo > <usize>SLAB_FRONT || n > INPUT_SLAB) return false;
  moveWindow(at - (hi - lo));
  hi = at + n;
  return true;
}

/** No more bytes will come: a partial record at the end is now an error, not a wait. */
export function inputClose(): void {
  closed = true;
}

/** Forget all input (a new capture follows). */
export function inputReset(): void {
  lo = buf;
  hi = buf;
  bias = -<i64>buf;
  held = 0;
  closed = false;
}

// ---- reader side (capture/) ----

/** Unread bytes available. */
// @ts-ignore: decorator
@inline export function inputAvail(): u32 {
  return <u32>(hi - lo);
}

/** Pointer to the first unread byte. */
// @ts-ignore: decorator
@inline export function inputPtr(): usize {
  return lo;
}

/** Absolute input offset of the first unread byte. */
// @ts-ignore: decorator
@inline export function inputOffset(): u64 {
  return <u64>(bias + <i64>lo);
}

// @ts-ignore: decorator
@inline export function inputClosed(): bool {
  return closed;
}

/** Marks n bytes as read. */
// @ts-ignore: decorator
@inline export function inputConsume(n: u32): void {
  lo += n;
}

/** Keeps the next n bytes in place (a record handed out); released by inputRelease(). */
// @ts-ignore: decorator
@inline export function inputHold(n: u32): void {
  held = n;
}

/** Consumes the held record, if any. */
// @ts-ignore: decorator
@inline export function inputRelease(): void {
  lo += held;
  held = 0;
}
