/**
 * A held stream block [seq, upper) with its bytes inline after a 24-byte header. When nothing can read
 * stream bytes (no tcp_contents, no rexmit_inconsistency, no old segments) blocks keep only their range:
 * every observable result is the same and the per-packet copy is saved.
 */
@final @unmanaged
export class Block {
  next: usize;
  seq: i64;
  upper: i64;
  @inline get data(): usize { return changetype<usize>(this) + offsetof<Block>(); }
  @inline get len(): u32 { return <u32>(this.upper - this.seq); }
}

/** Whether blocks carry their bytes (set once at init). */
export let keepBytes = true;
export function setKeepBytes(on: bool): void {
  // Spare blocks were sized for the old mode.
  if (on != keepBytes) {
    for (let k = 0; k < CLASSES; k++) {
      for (let b = unchecked(spare[k]); b != 0;) { const n = changetype<Block>(b).next; heap.free(b); b = n; }
      unchecked(spare[k] = 0);
    }
  }
  keepBytes = on;
}

/**
 * Freed blocks kept for reuse, so a data packet costs no allocation and free. Blocks without bytes all have one
 * size (list 0). Blocks with bytes go by power-of-two size class from 64 bytes to 16 KiB (a block's range never
 * changes once made, so it returns to the class it came from); larger ones are allocated and freed exactly. The
 * lists are bounded by the most blocks held at once.
 */
const MIN_CLASS_BITS = 6;
const CLASSES = 9;
const spare = new StaticArray<usize>(CLASSES);

/** The size class of a block of `size` bytes, or -1 when it is larger than the largest class. */
// @ts-ignore: decorator
@inline function sizeClass(size: usize): i32 {
  if (size <= (1 << MIN_CLASS_BITS)) return 0;
  const k = <i32>(32 - clz(<u32>size - 1)) - MIN_CLASS_BITS;
  return k < CLASSES ? k : -1;
}

export function newBlock(seq: i64, src: usize, len: u32): Block {
  const size = offsetof<Block>() + (keepBytes ? <usize>len : 0);
  const k = keepBytes ? sizeClass(size) : 0;
  let b: Block;
  if (k >= 0 && unchecked(spare[k]) != 0) {
    b = changetype<Block>(unchecked(spare[k]));
    unchecked(spare[k] = b.next);
  } else {
    b = changetype<Block>(heap.alloc(keepBytes && k >= 0 ? <usize>1 << (k + MIN_CLASS_BITS) : size));
  }
  b.next = 0;
  b.seq = seq;
  b.upper = seq + <i64>len;
  if (keepBytes) memory.copy(b.data, src, len);
  return b;
}

export function freeBlock(b: Block): void {
  const k = keepBytes ? sizeClass(offsetof<Block>() + <usize>b.len) : 0;
  if (k < 0) { heap.free(changetype<usize>(b)); return; }
  b.next = unchecked(spare[k]);
  unchecked(spare[k] = changetype<usize>(b));
}
