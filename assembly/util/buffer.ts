/** A growable byte buffer in linear memory (heap.realloc); used for staging and the outbox, never per byte. */
@final @unmanaged
export class ByteBuf {
  ptr: usize = 0;
  len: u32 = 0;
  cap: u32 = 0;

  /** Makes room for `n` more bytes and returns the write pointer. */
  @inline reserve(n: u32): usize {
    const need = this.len + n;
    if (need > this.cap) this.grow(need);
    return this.ptr + this.len;
  }

  grow(need: u32): void {
    let cap = max<u32>(this.cap << 1, 4096);
    while (cap < need) cap <<= 1;
    this.ptr = this.ptr == 0 ? heap.alloc(cap) : heap.realloc(this.ptr, cap);
    this.cap = cap;
  }

  /** Releases memory above `keep` bytes of capacity once a burst is over. */
  shrink(keep: u32): void {
    if (this.len == 0 && this.cap > keep && this.ptr != 0) {
      heap.free(this.ptr);
      this.ptr = 0;
      this.cap = 0;
    }
  }
}
