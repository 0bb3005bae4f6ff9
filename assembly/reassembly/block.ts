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
export function setKeepBytes(on: bool): void { keepBytes = on; }

/**
 * Freed blocks kept for reuse while blocks carry no bytes (then they all have one size): a data packet would
 * otherwise cost an allocation and a free. Bounded by the most blocks held at once.
 */
let spare: usize = 0;

export function newBlock(seq: i64, src: usize, len: u32): Block {
  let b: Block;
  if (!keepBytes && spare != 0) {
    b = changetype<Block>(spare);
    spare = b.next;
  } else {
    b = changetype<Block>(heap.alloc(offsetof<Block>() + (keepBytes ? <usize>len : 0)));
  }
  b.next = 0;
  b.seq = seq;
  b.upper = seq + <i64>len;
  if (keepBytes) memory.copy(b.data, src, len);
  return b;
}

export function freeBlock(b: Block): void {
  if (keepBytes) { heap.free(changetype<usize>(b)); return; }
  b.next = spare;
  spare = changetype<usize>(b);
}
