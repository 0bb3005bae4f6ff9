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

/** Copies one 32-byte entry. */
@inline function copyEntry(dst: usize, src: usize): void {
  v128.store(dst, v128.load(src));
  v128.store(dst, v128.load(src, 16), 16);
}

// Scratch slot for the entry being sifted (hole method: move entries, write the moving one once).
const moving = memory.data(32, 16);

export function schedule(c: Connection, kind: u8, due: f64): void {
  if (heapLen == heapCap) {
    const cap = max<u32>(heapCap << 1, 1024);
    heapPtr = heapPtr == 0 ? heap.alloc(<usize>cap * ENTRY) : heap.realloc(heapPtr, <usize>cap * ENTRY);
    heapCap = cap;
  }
  // Several timers of one kind may be pending (Zeek adds, it does not replace); cancel() kills them all.
  const gen = c.timerGen(kind);
  const e = moving;
  store<f64>(e, due);
  store<u32>(e, seqCounter++, 8);
  store<u32>(e, c.serial, 12);
  store<u64>(e, <u64>changetype<usize>(c), 16);
  store<u32>(e, gen, 24);
  store<u32>(e, kind, 28);
  let i = heapLen++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(e, at(parent))) break;
    copyEntry(at(i), at(parent));
    i = parent;
  }
  copyEntry(at(i), e);
}

/** Cancels the pending timer of `kind` on `c` (if any). */
@inline export function cancel(c: Connection, kind: u8): void { c.bumpTimerGen(kind); }

function popTop(): void {
  heapLen--;
  if (heapLen == 0) return;
  const e = moving;
  copyEntry(e, at(heapLen));
  let i: u32 = 0;
  while (true) {
    const l: u32 = 2 * i + 1;
    if (l >= heapLen) break;
    let m = l;
    if (l + 1 < heapLen && less(at(l + 1), at(l))) m = l + 1;
    if (!less(at(m), e)) break;
    copyEntry(at(i), at(m));
    i = m;
  }
  copyEntry(at(i), e);
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
