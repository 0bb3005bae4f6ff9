/**
 * Event staging. Events raised while one unit of work runs (a packet, or one timer) are staged here; the
 * connection snapshot each carries is the one taken at the *last* event raised for that connection in the
 * unit (events.md §1.2: Zeek refreshes the shared record on every raise and runs handlers afterwards).
 * A record showing the same snapshot as the record before it gets the same-snapshot flag instead of a copy
 * (schema/ring.ts). endUnit() appends the snapshots and writes the unit into the ring in one stretch when it
 * fits, else into the outbox; the outbox drains into the ring as space allows, and the run loop does not start a
 * new unit while the outbox holds anything: nothing is dropped.
 */
import { ByteBuf } from '../util/buffer';
import { ringFits, ringPut, ringClaim, ringCommit, ringRewind } from '../ring/ring';
import { copySmall } from '../util/copy';
import { EventId, RecordFormat } from '../schema.generated';
import { takeSnapshot, snapOwner } from './snapshot';
import { Connection } from '../conn/connection';

const RECORD_HEADER = RecordFormat.HEADER_BYTES;

/**
 * Subscribed event ids (the analysis behaves as when Zeek has a handler for them), and the ones of those whose
 * records go into the ring. A subscribed event that is not delivered still counts as raised: it refreshes its
 * connection's snapshot (raisedUndelivered), so the delivered records show what they would show with it on.
 */
const subs = new StaticArray<bool>(<i32>EventId.MAX + 1);
const delivers = new StaticArray<bool>(<i32>EventId.MAX + 1);

/** Subscribes (`on`) and delivers the event, or neither; setDelivered then narrows delivery. */
export function setSubscribed(id: u32, on: bool): void {
  if (id > <u32>EventId.MAX) return;
  unchecked(subs[id] = on);
  unchecked(delivers[id] = on);
}

export function setDelivered(id: u32, on: bool): void {
  if (id <= <u32>EventId.MAX) unchecked(delivers[id] = on && unchecked(subs[id]));
}

// @ts-ignore: decorator
@inline export function subscribed(id: u16): bool { return unchecked(subs[id]); }
// @ts-ignore: decorator
@inline export function delivered(id: u16): bool { return unchecked(delivers[id]); }

/** Frame number and network time stamped on every record of the current unit. */
export let unitFrame: u32 = 0;
export let unitTime: f64 = 0;
export function setUnitClock(frame: u32, ts: f64): void { unitFrame = frame; unitTime = ts; }

/**
 * The unit's records in order. A record finished when it was raised (no snapshot of its own to append: it has
 * no connection, or it shows the same snapshot as the record before it) is final here, padding included; a
 * record that will carry its connection's snapshot holds its header and arguments, with the arguments' end in
 * its length word, and is listed in `carriers` (stage offset u32, padding u32, connection u64).
 */
const stage = new ByteBuf();
const snaps = new ByteBuf();
const carriers = new ByteBuf();
let recordStart: u32 = 0;
let recordConn: usize = 0;
let staged: u32 = 0;
/** Connection of the unit's latest record with one: a record of the same connection shows the same snapshot. */
let lastConn: usize = 0;

/** Number of the current unit (from 1): a connection's snapUnit equal to it means it has a record in this unit. */
let unitSerial: u32 = 1;

/**
 * An event of `conn` was raised but is not written (not delivered, or a weird nobody subscribed to): Zeek builds
 * the connection record for it all the same, so a record of `conn` already staged in this unit shows the
 * snapshot as of now. Without such a record there is nothing to refresh: a later record takes its own.
 */
export function raisedUndelivered(conn: usize): void {
  if (conn != 0 && changetype<Connection>(conn).snapUnit == unitSerial) takeSnapshot(conn);
}

/**
 * Whether an event of connection `conn` writes no record: true when it is not delivered, after a subscribed one
 * has refreshed the snapshot (raisedUndelivered). The check every connection event's writer starts with.
 */
// @ts-ignore: decorator
@inline export function skipRecord(id: u16, conn: usize): bool {
  if (delivered(id)) return false;
  if (subscribed(id)) raisedUndelivered(conn);
  return true;
}

/** Finished records waiting for ring space, and how far they were drained. */
const outbox = new ByteBuf();
let outboxRead: u32 = 0;

/**
 * Starts a record with room for `n` argument bytes; returns where they go (the generated writers store there).
 * Inlined: a call costs about as much as this body, and option events raise it several times per packet.
 */
// @ts-ignore: decorator
@inline export function beginEventRoom(id: u16, conn: usize, n: u32): usize {
  recordStart = stage.len;
  recordConn = conn;
  const p = stage.reserve(RECORD_HEADER + n);
  store<u16>(p, id, 4);
  store<u16>(p, conn != 0 ? RecordFormat.FLAG_CONN : 0, 6);
  store<u32>(p, unitFrame, 8);
  store<f64>(p, unitTime, 12);
  stage.len += RECORD_HEADER;
  return p + RECORD_HEADER;
}

/** Ends the record whose arguments were stored up to `end`. */
export function endEventAt(end: usize): void {
  const start = recordStart, conn = recordConn;
  const len = <u32>(end - stage.ptr) - start;
  if (conn == 0 || conn == lastConn) {
    const total = (len + 3) & ~3;
    stage.len = start + len;
    // zero padding: room for a whole word after the arguments, then the word
    store<u32>(stage.reserve(4), 0);
    const p = stage.ptr + start;
    store<u32>(p, total);
    if (conn != 0) store<u16>(p, RecordFormat.FLAG_CONN | RecordFormat.FLAG_SAME_SNAPSHOT, 6);
    stage.len = start + total;
  } else {
    store<u32>(stage.ptr + start, len);
    const e = carriers.reserve(16);
    store<u32>(e, start);
    store<u64>(e, <u64>conn, 8);
    carriers.len += 16;
    lastConn = conn;
    stage.len = start + len;
  }
  staged++;
  // Taken after the arguments: the snapshot of the last raise wins for every event of this connection.
  if (conn != 0) {
    changetype<Connection>(conn).snapUnit = unitSerial;
    if (conn != heldConn) takeSnapshot(conn);
    else if (!heldTaken) { takeSnapshot(conn); heldTaken = true; }
  }
}

/** Starts a record whose arguments the put… functions append. */
export function beginEvent(id: u16, conn: usize): void { beginEventRoom(id, conn, 0); }

export function endEvent(): void { endEventAt(stage.ptr + stage.len); }

/**
 * Between holdSnapshot(conn) and releaseSnapshot() nothing a snapshot shows changes (the option events of a
 * packet): the first event raised for `conn` takes its snapshot, the others reuse it instead of re-writing
 * identical bytes.
 */
let heldConn: usize = 0;
let heldTaken = false;
export function holdSnapshot(conn: usize): void { heldConn = conn; heldTaken = false; }
export function releaseSnapshot(): void { heldConn = 0; }

// Argument writers for hand-built records (beginEvent … endEvent); the generated writers store at offsets.
// @ts-ignore: decorator
@inline export function putU8(v: u8): void { store<u8>(stage.reserve(1), v); stage.len += 1; }
// @ts-ignore: decorator
@inline export function putBool(v: bool): void { putU8(v ? 1 : 0); }
// @ts-ignore: decorator
@inline export function putU16(v: u16): void { store<u16>(stage.reserve(2), v); stage.len += 2; }
// @ts-ignore: decorator
@inline export function putU32(v: u32): void { store<u32>(stage.reserve(4), v); stage.len += 4; }
// @ts-ignore: decorator
@inline export function putU64(v: u64): void { store<u64>(stage.reserve(8), v); stage.len += 8; }
// @ts-ignore: decorator
@inline export function putI64(v: i64): void { store<i64>(stage.reserve(8), v); stage.len += 8; }
// @ts-ignore: decorator
@inline export function putF64(v: f64): void { store<f64>(stage.reserve(8), v); stage.len += 8; }
export function putRaw(ptr: usize, n: u32): void {
  memory.copy(stage.reserve(n), ptr, n);
  stage.len += n;
}
export function putBytes(ptr: usize, len: u32): void {
  putU32(len);
  if (len > 0) putRaw(ptr, len);
}

/** Room for a snapshot of up to `n` bytes at the end of the snapshot area (the generated snapshot writer). */
export function snapshotRoom(n: u32): usize { return snaps.reserve(n); }

/** Ends the snapshot written from `start` to `end`; returns its offset in the snapshot area. */
export function snapshotCommit(start: usize, end: usize): u32 {
  snaps.len = <u32>(end - snaps.ptr);
  return <u32>(start - snaps.ptr);
}

/** Bytes in the snapshot area (the end of the latest snapshot). */
export function snapshotEnd(): u32 { return snaps.len; }

/** Whether any event was staged in this unit. */
export function unitHasEvents(): bool { return staged != 0; }

/**
 * Finishes the unit: each carrier gets its connection's last snapshot appended (records of one connection in a
 * unit all show that one, events.md §1.2), and the unit goes straight into the ring in one stretch when it fits
 * and nothing waits in the outbox, else into the outbox (which drains record by record).
 */
export function endUnit(): void {
  const n = carriers.len;
  let total = stage.len;
  for (let i: u32 = 0; i < n; i += 16) {
    const e = carriers.ptr + i;
    const argLen = load<u32>(stage.ptr + load<u32>(e));
    const snapLen = snapOwner(<usize>load<u64>(e, 8), false);
    const pad = ((argLen + snapLen + 3) & ~3) - argLen - snapLen;
    store<u32>(e, pad, 4);
    total += snapLen + pad;
  }
  let direct = outbox.len == 0;
  if (direct) {
    ringRewind();
    direct = ringFits(total);
  }
  let at = direct ? ringClaim(total) : outbox.reserve(total);
  let from: u32 = 0;
  for (let i: u32 = 0; i < n; i += 16) {
    const e = carriers.ptr + i;
    const off = load<u32>(e), pad = load<u32>(e, 4);
    const conn = <usize>load<u64>(e, 8);
    // the finished records before this carrier, then the carrier with the snapshot and the padding
    copySmall(at, stage.ptr + from, off - from);
    at += off - from;
    const src = stage.ptr + off;
    const argLen = load<u32>(src);
    const snapLen = snapOwner(conn, false);
    const len = argLen + snapLen + pad;
    store<u32>(at + len - 4, 0);
    copySmall(at, src, argLen);
    copySmall(at + argLen, snaps.ptr + snapOwner(conn, true), snapLen);
    store<u32>(at, len);
    at += len;
    from = off + argLen;
  }
  copySmall(at, stage.ptr + from, stage.len - from);
  if (direct) ringCommit(total);
  else outbox.len += total;
  staged = 0;
  lastConn = 0;
  unitSerial++;
  stage.len = 0;
  carriers.len = 0;
  snaps.len = 0;
}

/**
 * Moves finished records into the ring while they fit. Returns true when the outbox is empty. Inlined: the run
 * loop asks twice per packet, and the outbox is almost always empty.
 */
// @ts-ignore: decorator
@inline export function drainOutbox(): bool {
  return outbox.len == 0 || drainSome();
}

function drainSome(): bool {
  while (outboxRead < outbox.len) {
    const p = outbox.ptr + outboxRead;
    const len = load<u32>(p);
    if (!ringFits(len)) return false;
    ringPut(p, len);
    outboxRead += len;
  }
  outbox.len = 0;
  outboxRead = 0;
  outbox.shrink(1 << 20);
  stage.shrink(1 << 20);
  snaps.shrink(1 << 20);
  return true;
}

export function outboxEmpty(): bool { return outboxRead >= outbox.len; }
