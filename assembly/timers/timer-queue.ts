/**
 * Timers on packet time (TA §16), fired in (due time, insertion order), so equal due times fire in the
 * order they were scheduled (synack's documented tie rule). Cancelling is lazy: a timer carries its
 * connection's serial and the generation of its kind; a mismatch when it pops means cancelled. Entries of
 * removed connections are skipped when they come due; each connection counts its live entries per kind, and once
 * the cancelled entries outnumber the live ones (and SWEEP_MIN) they are swept out, so the queue stays bounded by
 * live work even when connections come and go faster than their timers come due.
 *
 * Most timers are "now + a fixed delay", so per kind and delay they arrive nearly in due order: each kind has
 * three sorted FIFO lanes (inactivity uses three delays: 60 s, 300 s, and 3600 s on login ports), and a timer
 * joins the lane whose last entry is nearest its due time, moving at most MAX_SHIFT later entries. That small
 * step back absorbs re-arms from a timer's due time (a little before the packet that fired it) and capture
 * clocks that go back a little; without it one such timer would close its lane to the delay it belongs to. The
 * rest go to a binary min-heap. Popping takes the least head of all; a lane pop costs no sifting and no cache
 * misses deep in a large heap, which matters because most timers die cancelled and are popped only to be
 * dropped.
 */
import { Connection, TimerKind } from '../conn/connection';

// Entry: f64 due | u32 seq | u32 serial | u64 conn | u32 gen | u8 kind (padded to 32 bytes)
const ENTRY: usize = 32;
let heapPtr: usize = 0;
let heapCap: u32 = 0;
let heapLen: u32 = 0;
let seqCounter: u32 = 0;
/** Pending entries in the heap and all lanes, and how many of them are live (the rest were cancelled). */
let count: u32 = 0;
let liveCount: u32 = 0;
/**
 * Cancelled entries are only dropped when they come due, and an inactivity timer waits an hour at most: under a
 * scan, which removes connections as fast as it opens them, they would pile up at the rate of connections times
 * that delay. Once they outnumber the live ones (and this many), the queue is swept.
 */
const SWEEP_MIN: u32 = 1 << 16;
/** Least due time of all pending entries (Infinity when none); recomputed after each pop. */
let nextDue: f64 = Infinity;

// Lanes: ring buffers of entries, each sorted by (due, seq). Per lane: u32 ptr | u32 cap | u32 head | u32 len.
// @ts-ignore: decorator
@inline const LANES_PER_KIND: u32 = 3;
// @ts-ignore: decorator
@inline const LANES: u32 = LANES_PER_KIND * TimerKind.COUNT;
const lanes = memory.data(<i32>LANES << 4, 16);
const NO_LANE: u32 = 0xffffffff;
/**
 * Per kind, the lane it joined last (0–2 within the kind's lanes). Which sorted lane an entry joins never changes
 * the pop order, only how far schedule() looks.
 */
const laneHints = memory.data(TimerKind.COUNT);
/** Bit l set: lane l holds entries (popping looks at those lanes only; LANES ≤ 32). */
let busyLanes: u32 = 0;

@inline function lanePtr(l: u32): usize { return load<u32>(lanes + (<usize>l << 4)); }
@inline function laneCap(l: u32): u32 { return load<u32>(lanes + (<usize>l << 4), 4); }
@inline function laneHead(l: u32): u32 { return load<u32>(lanes + (<usize>l << 4), 8); }
@inline function laneLen(l: u32): u32 { return load<u32>(lanes + (<usize>l << 4), 12); }
/** Entry k (0 = first) of lane l. */
@inline function laneAt(l: u32, k: u32): usize {
  return lanePtr(l) + (<usize>((laneHead(l) + k) & (laneCap(l) - 1)) * ENTRY);
}

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

// Scratch slot for the entry being placed or sifted (hole method: move entries, write the moving one once).
const moving = memory.data(32, 16);

/** Most later entries a timer may be placed before in a lane. */
// @ts-ignore: decorator
@inline const MAX_SHIFT: u32 = 16;
/**
 * An append gap beyond which an empty lane is taken instead: a much later due time is most likely another of the
 * kind's delays, which would otherwise share (and soon block) this lane.
 */
// @ts-ignore: decorator
@inline const NEW_LANE_GAP: f64 = 1.0;

/**
 * The largest append gap at which the kind's last lane is taken without looking at the others: far below the
 * difference of two delays of one kind (5 s and 6 s for EXPIRE), so that a timer still joins the lane of its own
 * delay, and far above the spacing of packets in traffic that keeps one lane busy.
 */
// @ts-ignore: decorator
@inline const HINT_GAP: f64 = 0.1;

/** Entries of lane l that sort after `due` (a new entry goes after equal ones), or MAX_SHIFT + 1 when more. */
function laterEntries(l: u32, due: f64): u32 {
  let k = laneLen(l), n: u32 = 0;
  while (k > 0 && load<f64>(laneAt(l, k - 1)) > due) {
    if (++n > MAX_SHIFT) break;
    k--;
  }
  return n;
}

/**
 * The lane for a timer of `kind` due at `due`: the one whose last entry is nearest `due` among those it can
 * join, an empty one rather than a far append, or NO_LANE (the heap).
 */
function laneFor(kind: u8, due: f64): u32 {
  // Most timers of a kind come at a steady delay after the last one: the kind's last lane takes them as they are.
  const hint = <u32>kind * LANES_PER_KIND + <u32>load<u8>(laneHints + <usize>kind);
  const hn = laneLen(hint);
  if (hn != 0) {
    const gap = due - load<f64>(laneAt(hint, hn - 1));
    if (gap >= 0 && gap <= HINT_GAP) return hint;
  }
  let best = NO_LANE, bestGap: f64 = Infinity, empty = NO_LANE;
  for (let l = <u32>kind * LANES_PER_KIND, end = l + LANES_PER_KIND; l < end; l++) {
    const n = laneLen(l);
    if (n == 0) { if (empty == NO_LANE) empty = l; continue; }
    const tail = load<f64>(laneAt(l, n - 1));
    let gap = due - tail;
    if (gap < 0) {
      if (laterEntries(l, due) > MAX_SHIFT) continue;
      gap = -gap;
    }
    if (gap < bestGap) { best = l; bestGap = gap; }
  }
  if (empty != NO_LANE && (best == NO_LANE || bestGap > NEW_LANE_GAP)) best = empty;
  if (best != NO_LANE) store<u8>(laneHints + <usize>kind, <u8>(best - <u32>kind * LANES_PER_KIND));
  return best;
}

function laneGrow(l: u32): void {
  const cap = laneCap(l), n = laneLen(l);
  const newCap = max<u32>(cap << 1, 64);
  const buf = heap.alloc(<usize>newCap * ENTRY);
  // Unwrap into the new buffer, first entry at 0.
  for (let k: u32 = 0; k < n; k++) copyEntry(buf + <usize>k * ENTRY, laneAt(l, k));
  if (cap != 0) heap.free(lanePtr(l));
  const m = lanes + (<usize>l << 4);
  store<u32>(m, <u32>buf);
  store<u32>(m, newCap, 4);
  store<u32>(m, 0, 8);
}

export function schedule(c: Connection, kind: u8, due: f64): void {
  const dead = count > liveCount ? count - liveCount : 0;
  if (dead > liveCount && dead > SWEEP_MIN) sweep();
  // Several timers of one kind may be pending (Zeek adds, it does not replace); cancel() kills them all.
  const live = c.timerLiveAt(kind);
  store<u32>(live, load<u32>(live) + 1);
  liveCount++;
  const e = moving;
  store<f64>(e, due);
  store<u32>(e, seqCounter++, 8);
  store<u32>(e, c.serial, 12);
  store<u64>(e, <u64>changetype<usize>(c), 16);
  store<u32>(e, c.timerGen(kind), 24);
  store<u32>(e, kind, 28);
  count++;
  if (due < nextDue) nextDue = due;
  const l = laneFor(kind, due);
  if (l != NO_LANE) {
    if (laneLen(l) == laneCap(l)) laneGrow(l);
    const n = laneLen(l);
    // Hole method from the tail: later entries move up one place.
    let k = n;
    while (k > 0 && load<f64>(laneAt(l, k - 1)) > due) {
      copyEntry(laneAt(l, k), laneAt(l, k - 1));
      k--;
    }
    copyEntry(laneAt(l, k), e);
    store<u32>(lanes + (<usize>l << 4), n + 1, 12);
    busyLanes |= 1 << l;
    return;
  }
  if (heapLen == heapCap) {
    const cap = max<u32>(heapCap << 1, 1024);
    heapPtr = heapPtr == 0 ? heap.alloc(<usize>cap * ENTRY) : heap.realloc(heapPtr, <usize>cap * ENTRY);
    heapCap = cap;
  }
  let i = heapLen++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(e, at(parent))) break;
    copyEntry(at(i), at(parent));
    i = parent;
  }
  copyEntry(at(i), e);
}

/** Cancels the pending timers of `kind` on `c` (if any). */
export function cancel(c: Connection, kind: u8): void {
  const live = c.timerLiveAt(kind);
  const n = load<u32>(live);
  if (n == 0) return;
  c.bumpTimerGen(kind);
  liveCount -= n;
  store<u32>(live, 0);
}

/** Whether the entry at `e` still counts: its slot holds the same connection, and its kind was not cancelled since. */
// @ts-ignore: decorator
@inline function isLive(e: usize): bool {
  const c = changetype<Connection>(<usize>load<u64>(e, 16));
  const kind = load<u8>(e, 28);
  return c.serial == load<u32>(e, 12) && c.timerGen(kind) == load<u32>(e, 24);
}

/**
 * Drops every cancelled entry, keeping the order of the rest: lanes are filtered in place, the heap is filtered and
 * made a heap again (pops follow (due, seq), which the rebuild does not change). Connection slots are never
 * returned to the heap (conn/pool.ts), so a cancelled entry's slot is still there to be asked.
 */
function sweep(): void {
  let kept: u32 = 0;
  for (let busy = busyLanes; busy != 0; busy &= busy - 1) {
    const l = <u32>ctz(busy);
    const n = laneLen(l);
    let k: u32 = 0;
    for (let i: u32 = 0; i < n; i++) {
      const e = laneAt(l, i);
      if (!isLive(e)) continue;
      if (k != i) copyEntry(laneAt(l, k), e);
      k++;
    }
    store<u32>(lanes + (<usize>l << 4), k, 12);
    if (k == 0) busyLanes &= ~(1 << l);
    kept += k;
  }
  let h: u32 = 0;
  for (let i: u32 = 0; i < heapLen; i++) {
    if (!isLive(at(i))) continue;
    if (h != i) copyEntry(at(h), at(i));
    h++;
  }
  heapLen = h;
  for (let i = <i32>(h >> 1) - 1; i >= 0; i--) {
    copyEntry(moving, at(<u32>i));
    siftDown(<u32>i, moving);
  }
  count = kept + h;
  liveCount = count;
  nextDue = leastDue();
}

function popTop(): void {
  heapLen--;
  if (heapLen == 0) return;
  copyEntry(moving, at(heapLen));
  siftDown(0, moving);
}

/** Places the entry at `e` (a copy outside the heap) at or below heap index `i`, whose entry it replaces. */
function siftDown(i: u32, e: usize): void {
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

/** The least due time of the heap top and the lane heads. */
function leastDue(): f64 {
  let d: f64 = heapLen > 0 ? load<f64>(heapPtr) : Infinity;
  for (let busy = busyLanes; busy != 0; busy &= busy - 1) {
    const h = load<f64>(laneAt(ctz(busy), 0));
    if (h < d) d = h;
  }
  return d;
}

/** The popped timer. */
export let firedConn: Connection = changetype<Connection>(0);
export let firedKind: u8 = 0;
export let firedDue: f64 = 0;

/**
 * Pops the next live timer due at or before `now` into firedConn/firedKind. Cancelled entries are dropped
 * on the way. Returns false when none is due.
 */
// @ts-ignore: decorator
@inline export function popDue(now: f64): bool {
  // Asked at every packet; usually nothing is due.
  return count > 0 && nextDue <= now && popDueNow(now);
}

function popDueNow(now: f64): bool {
  while (count > 0 && nextDue <= now) {
    // The least (due, seq) of the heap top and the lane heads, and the least due time of the other heads (so the
    // next nextDue needs only the new head of the one popped from).
    let e: usize = heapLen > 0 ? heapPtr : 0;
    let from = NO_LANE;
    let others: f64 = Infinity;
    for (let busy = busyLanes; busy != 0; busy &= busy - 1) {
      const l = ctz(busy);
      const h = laneAt(l, 0);
      if (e == 0 || less(h, e)) {
        if (e != 0) others = min(others, load<f64>(e));
        e = h;
        from = l;
      } else {
        others = min(others, load<f64>(h));
      }
    }
    const due = load<f64>(e);
    const c = changetype<Connection>(<usize>load<u64>(e, 16));
    const kind = load<u8>(e, 28);
    const live = isLive(e);
    if (from == NO_LANE) {
      popTop();
      if (heapLen > 0) others = min(others, load<f64>(heapPtr));
    } else {
      const m = lanes + (<usize>from << 4);
      store<u32>(m, (laneHead(from) + 1) & (laneCap(from) - 1), 8);
      store<u32>(m, laneLen(from) - 1, 12);
      if (laneLen(from) == 0) busyLanes &= ~(1 << from);
      else others = min(others, load<f64>(laneAt(from, 0)));
    }
    count--;
    nextDue = others;
    firedConn = c;
    firedKind = kind;
    firedDue = due;
    if (live) {
      liveCount--;
      const n = c.timerLiveAt(kind);
      store<u32>(n, load<u32>(n) - 1);
      return true;
    }
  }
  return false;
}

/** Pops the next live timer regardless of time (end of input). */
export function popAny(): bool { return popDue(Infinity); }

export function pendingTimers(): u32 { return count; }

/** Pending entries held in the heap rather than a lane (how well the lanes fit the traffic). */
export function heapTimers(): u32 { return heapLen; }
