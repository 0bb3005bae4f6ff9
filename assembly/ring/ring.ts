/**
 * The event ring in linear memory (layout in schema/ring.ts). The core is the only producer; the host
 * consumes in place and advances `tail`. Records never split: a record that does not fit before the end is
 * preceded by a wrap marker. The ring never drops: writers check `ringFits` first and keep what does not fit.
 */
export const RING_HEADER: usize = 16;
const WRAP_MARKER: u32 = 0xffffffff;

export let ringBase: usize = 0;
let capacity: u32 = 0;

export function ringInit(cap: u32): void {
  capacity = cap;
  ringBase = heap.alloc(RING_HEADER + <usize>cap);
  memory.fill(ringBase, 0, RING_HEADER);
  store<u32>(ringBase, 0);
  store<u32>(ringBase, 0, 4);
  store<u32>(ringBase, cap, 8);
}

/** Bytes a record of `len` (multiple of 4) would occupy, counting the skip to the start when it must wrap. */
@inline function cost(head: u32, len: u32): u32 {
  const off = head & (capacity - 1);
  const room = capacity - off;
  return len <= room ? len : room + len;
}

/**
 * Whether a record of `len` bytes fits now. An empty ring whose free stretch before the end is too short
 * gets its wrap marker at once, so that after the consumer's next drain the record starts at offset 0: any
 * record up to the capacity eventually fits (records are bounded well below it).
 */
export function ringFits(len: u32): bool {
  const head = load<u32>(ringBase);
  const used = head - loadTail();
  if (cost(head, len) <= capacity - used) return true;
  const off = head & (capacity - 1);
  if (used == 0 && off != 0 && len > capacity - off) {
    store<u32>(ringBase + RING_HEADER + off, WRAP_MARKER);
    publishHead(head + capacity - off);
  }
  return false;
}

/**
 * Once the consumer has taken every record and the head is past REWIND_AT, writing goes on at the start of the
 * data area (after a wrap marker). A consumer that keeps up then finds records in the first part of the ring
 * only: the same few pages stay warm, instead of every record touching memory not written for a whole cycle
 * (and a fresh instance faulting in every page of the ring).
 */
const REWIND_AT: u32 = 64 << 10;

export function ringRewind(): void {
  const head = load<u32>(ringBase);
  const off = head & (capacity - 1);
  if (off < REWIND_AT || head != loadTail()) return;
  store<u32>(ringBase + RING_HEADER + off, WRAP_MARKER);
  publishHead(head + capacity - off);
}

/** Copies one record in; the caller checked ringFits. */
export function ringPut(src: usize, len: u32): void {
  memory.copy(ringClaim(len), src, len);
  ringCommit(len);
}

/** Head of the record being written in place (ringClaim → ringCommit). */
let claimed: u32 = 0;

/**
 * Where a record of `len` bytes is to be written in place (the caller checked ringFits), after a wrap marker
 * when it must wrap; ringCommit(len) publishes it.
 */
export function ringClaim(len: u32): usize {
  let head = load<u32>(ringBase);
  let off = head & (capacity - 1);
  if (len > capacity - off) {
    store<u32>(ringBase + RING_HEADER + off, WRAP_MARKER);
    head += capacity - off;
    off = 0;
  }
  claimed = head;
  return ringBase + RING_HEADER + off;
}

export function ringCommit(len: u32): void { publishHead(claimed + len); }

// With shared memory (the threads build) the consumer runs on another thread: the tail is read and the head
// published with atomics, so a record's bytes are visible before the head that covers them.
@inline function loadTail(): u32 {
  if (ASC_FEATURE_THREADS) return atomic.load<u32>(ringBase, 4);
  return load<u32>(ringBase, 4);
}

@inline function publishHead(head: u32): void {
  if (ASC_FEATURE_THREADS) atomic.store<u32>(ringBase, head);
  else store<u32>(ringBase, head);
}

export function ringCapacity(): u32 { return capacity; }
