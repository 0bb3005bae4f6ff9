/**
 * Timers on packet time (TA §16): a binary min-heap ordered by (due time, insertion order), so equal due
 * times fire in the order they were scheduled (synack's documented tie rule). Cancelling is lazy: a timer
 * carries its connection's serial and the generation of its kind; a mismatch when it pops means cancelled.
 * Entries of removed connections are skipped when they come due, so the heap stays bounded by live work.
 */
import { Connection } from '../conn/connection';

// Entry: f64 due | u32 seq | u32 serial | u64 conn | u32 gen | u8 kind (padded to 32 bytes)
const ENTRY: usize = 32;
let heapPtr: usize = 0;
let heapCap: u32 = 0;
let heapLen: u32 = 0;
let seqCounter: u32 = 0;

@inline function at(i: u32): usize { return heapPtr + <usize>i * ENTRY; }

@inline function less(a: usize, b: usize): bool {
  const da = load<f64>(a), db = load<f64>(b);
  if (da != db) return da < db;
  return load<u32>(a, 8) < load<u32>(b, 8);
}

function swap(i: u32, j: u32): void {
  const a = at(i), b = at(j);
  const t0 = load<u64>(a), t1 = load<u64>(a, 8), t2 = load<u64>(a, 16), t3 = load<u64>(a, 24);
  store<u64>(a, load<u64>(b)); store<u64>(a, load<u64>(b, 8), 8);
  store<u64>(a, load<u64>(b, 16), 16); store<u64>(a, load<u64>(b, 24), 24);
  store<u64>(b, t0); store<u64>(b, t1, 8); store<u64>(b, t2, 16); store<u64>(b, t3, 24);
}

export function schedule(c: Connection, kind: u8, due: f64): void {
  if (heapLen == heapCap) {
    const cap = max<u32>(heapCap << 1, 1024);
    heapPtr = heapPtr == 0 ? heap.alloc(<usize>cap * ENTRY) : heap.realloc(heapPtr, <usize>cap * ENTRY);
    heapCap = cap;
  }
  // Several timers of one kind may be pending (Zeek adds, it does not replace); cancel() kills them all.
  const gen = c.timerGen(kind);
  let i = heapLen++;
  const e = at(i);
  store<f64>(e, due);
  store<u32>(e, seqCounter++, 8);
  store<u32>(e, c.serial, 12);
  store<u64>(e, <u64>changetype<usize>(c), 16);
  store<u32>(e, gen, 24);
  store<u8>(e, kind, 28);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(at(i), at(parent))) break;
    swap(i, parent);
    i = parent;
  }
}

/** Cancels the pending timer of `kind` on `c` (if any). */
@inline export function cancel(c: Connection, kind: u8): void { c.bumpTimerGen(kind); }

function popTop(): void {
  heapLen--;
  if (heapLen == 0) return;
  swap(0, heapLen);
  let i: u32 = 0;
  while (true) {
    const l: u32 = 2 * i + 1, r: u32 = l + 1;
    let m = i;
    if (l < heapLen && less(at(l), at(m))) m = l;
    if (r < heapLen && less(at(r), at(m))) m = r;
    if (m == i) break;
    swap(i, m);
    i = m;
  }
}

/** The popped timer. */
export let firedConn: Connection = changetype<Connection>(0);
export let firedKind: u8 = 0;
export let firedDue: f64 = 0;

/**
 * Pops the next live timer due at or before `now` into firedConn/firedKind. Cancelled entries are dropped
 * on the way. Returns false when none is due.
 */
export function popDue(now: f64): bool {
  while (heapLen > 0) {
    const e = at(0);
    const due = load<f64>(e);
    if (due > now) return false;
    const c = changetype<Connection>(<usize>load<u64>(e, 16));
    const live = c.serial == load<u32>(e, 12) && c.timerGen(load<u8>(e, 28)) == load<u32>(e, 24);
    firedConn = c;
    firedKind = load<u8>(e, 28);
    firedDue = due;
    popTop();
    if (live) return true;
  }
  return false;
}

/** Pops the next live timer regardless of time (end of input). */
export function popAny(): bool { return popDue(Infinity); }

export function pendingTimers(): u32 { return heapLen; }
