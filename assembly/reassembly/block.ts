/** A held stream block [seq, upper) with its bytes inline after a 24-byte header. */
@final @unmanaged
export class Block {
  next: usize;
  seq: i64;
  upper: i64;
  @inline get data(): usize { return changetype<usize>(this) + offsetof<Block>(); }
  @inline get len(): u32 { return <u32>(this.upper - this.seq); }
}

export function newBlock(seq: i64, src: usize, len: u32): Block {
  const b = changetype<Block>(heap.alloc(offsetof<Block>() + <usize>len));
  b.next = 0;
  b.seq = seq;
  b.upper = seq + <i64>len;
  memory.copy(b.data, src, len);
  return b;
}

@inline export function freeBlock(b: Block): void { heap.free(changetype<usize>(b)); }
