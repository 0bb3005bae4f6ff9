/**
 * Event staging. Events raised while one unit of work runs (a packet, or one timer) are staged here; the
 * connection snapshot each carries is the one taken at the *last* event raised for that connection in the
 * unit (events.md §1.2: Zeek refreshes the shared record on every raise and runs handlers afterwards).
 * endUnit() resolves snapshots into finished records, in the ring while they fit, else in the outbox; the
 * outbox drains into the ring as space allows, and the run loop does not start a new unit while the outbox
 * holds anything: nothing is dropped.
 */
import { ByteBuf } from '../util/buffer';
import { ringFits, ringPut, ringClaim, ringCommit, ringRewind } from '../ring/ring';
import { copySmall } from '../util/copy';
import { EventId, RecordFormat } from '../schema.generated';
import { takeSnapshot, snapOwner } from './snapshot';

const RECORD_HEADER = RecordFormat.HEADER_BYTES;

/** Subscribed event ids. */
const subs = new StaticArray<bool>(<i32>EventId.MAX + 1);

export function setSubscribed(id: u32, on: bool): void {
  if (id <= <u32>EventId.MAX) unchecked(subs[id] = on);
}

// @ts-ignore: decorator
@inline export function subscribed(id: u16): bool { return unchecked(subs[id]); }

/** Frame number and network time stamped on every record of the current unit. */
export let unitFrame: u32 = 0;
export let unitTime: f64 = 0;
export function setUnitClock(frame: u32, ts: f64): void { unitFrame = frame; unitTime = ts; }

/** Staged event bytes (header + arguments), the snapshot area, and per-event (offset, owner) pairs. */
const stage = new ByteBuf();
export const snaps = new ByteBuf();
const index = new ByteBuf();
let recordStart: u32 = 0;
let recordConn: usize = 0;
let staged: u32 = 0;

/** Finished records waiting for ring space, and how far they were drained. */
const outbox = new ByteBuf();
let outboxRead: u32 = 0;

export function beginEvent(id: u16, conn: usize): void {
  recordStart = stage.len;
  recordConn = conn;
  const p = stage.reserve(RECORD_HEADER);
  store<u32>(p, 0);
  store<u16>(p, id, 4);
  store<u16>(p, conn != 0 ? RecordFormat.FLAG_CONN : 0, 6);
  store<u32>(p, unitFrame, 8);
  store<f64>(p, unitTime, 12);
  stage.len += RECORD_HEADER;
}

export function endEvent(): void {
  store<u32>(stage.ptr + recordStart, stage.len - recordStart);
  const e = index.reserve(16);
  store<u32>(e, recordStart);
  store<u32>(e, 0, 4);
  store<u64>(e, <u64>recordConn, 8);
  index.len += 16;
  staged++;
  // Taken after the arguments: the snapshot of the last raise wins for every event of this connection.
  if (recordConn != 0) {
    if (recordConn != heldConn) takeSnapshot(recordConn);
    else if (!heldTaken) { takeSnapshot(recordConn); heldTaken = true; }
  }
}

/**
 * Between holdSnapshot(conn) and releaseSnapshot() nothing a snapshot shows changes (the option events of a
 * packet): the first event raised for `conn` takes its snapshot, the others reuse it instead of re-writing
 * identical bytes.
 */
let heldConn: usize = 0;
let heldTaken = false;
export function holdSnapshot(conn: usize): void { heldConn = conn; heldTaken = false; }
export function releaseSnapshot(): void { heldConn = 0; }

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
 * Finishes the unit: every staged record gets its connection's last snapshot appended. A record whose
 * connection is the one of the latest record that carried a snapshot shows the same snapshot (one per
 * connection per unit), so it only gets the same-snapshot flag (schema/ring.ts). Records are written straight
 * into the ring while they fit and nothing waits in the outbox, else into the outbox.
 */
export function endUnit(): void {
  let carried: usize = 0;
  let direct = outbox.len == 0;
  if (direct) ringRewind();
  for (let i: u32 = 0; i < staged; i++) {
    const e = index.ptr + <usize>i * 16;
    const src = stage.ptr + load<u32>(e);
    const conn = <usize>load<u64>(e, 8);
    const argLen = load<u32>(src);
    let snapOff: u32 = 0, snapLen: u32 = 0;
    const same = conn != 0 && conn == carried;
    if (conn != 0 && !same) {
      snapOff = snapOwner(conn, true);
      snapLen = snapOwner(conn, false);
      carried = conn;
    }
    const total = (argLen + snapLen + 3) & ~3;
    direct = direct && ringFits(total);
    const dst = direct ? ringClaim(total) : outbox.reserve(total);
    // Zero padding first: the record's bytes then overwrite all but the padding.
    store<u32>(dst + total - 4, 0);
    copySmall(dst, src, argLen);
    if (snapLen != 0) copySmall(dst + argLen, snaps.ptr + snapOff, snapLen);
    store<u32>(dst, total);
    if (same) store<u16>(dst, RecordFormat.FLAG_CONN | RecordFormat.FLAG_SAME_SNAPSHOT, 6);
    if (direct) ringCommit(total);
    else outbox.len += total;
  }
  staged = 0;
  stage.len = 0;
  index.len = 0;
  snaps.len = 0;
}

/** Moves finished records into the ring while they fit. Returns true when the outbox is empty. */
export function drainOutbox(): bool {
  if (outbox.len == 0) return true;
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
