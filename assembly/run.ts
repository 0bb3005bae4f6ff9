/**
 * The run loop: capture records → timers due at the packet's time → decode → TCP analysis, one unit of
 * work at a time, and the end-of-input sequence (TA §16.5). Every unit's events go through the outbox; a
 * unit is only started when the outbox is empty, so a full ring pauses the core at a clean point.
 */
import { packet, Packet } from './decode/packet';
import { decodeFrame, decodeDatagram, decodeNextSubframe } from './decode/frame';
import { reassemble, FRAGMENT_HELD } from './ip/fragments';
import { nextRecord, captureEnded, captureBytesConsumed } from './capture/reader';
import { inputClose } from './capture/input';
import { analyzeTcp } from './tcp/analyzer';
import { popDue, popAny, firedConn, firedKind } from './timers/timer-queue';
import { fireTimer, removeConnection, buryRemoved } from './conn/lifecycle';
import { Connection } from './conn/connection';
import { State } from './conn/endpoint';
import { collect, tableCount, addrCompare } from './conn/table';
import { setUnitClock, endUnit, drainOutbox, outboxEmpty, unitHasEvents } from './events/stage';
import { emit_connection_pending } from './events/emit.generated';
import { RunStatus, Stat, Weird } from './schema.generated';
import { ignoreChecksums, maxTimerExpires, seed } from './options';
import { netWeird, flowWeird, Source } from './weird/report';
import { bumpStat, setStat } from './stats';

let netTime: f64 = 0;
let frame: u32 = 0;
/** A record is taken and its timers may still be firing. */
let pending = false;
let firedForPacket: u32 = 0;

/** End-of-input phases. */
let finishPhase = 0;
let captureFailed = false;
let finishList: usize = 0;
let finishCount: u32 = 0;
let finishIndex: u32 = 0;

function closeUnit(): void {
  if (unitHasEvents()) endUnit();
  buryRemoved();
}

/** Ends a unit of work started from outside the run loop (a host callback); its records wait in the outbox. */
export function closeUnitNow(): void {
  setUnitClock(frame, netTime);
  closeUnit();
}

/** Processes the held record: its due timers (each its own unit), then the packet. Returns false on RingFull. */
// @ts-ignore: decorator
@inline function processPending(): bool {
  while (maxTimerExpires == 0 || firedForPacket < maxTimerExpires) {
    if (!popDue(netTime)) break;
    firedForPacket++;
    fireTimer(firedConn, firedKind, netTime, false);
    closeUnit();
    if (!drainOutbox()) return false;
  }
  pending = false;
  decodeAndAnalyze();
  closeUnit();
  return true;
}

/** Decodes the held record; a frame can hold several packets (802.11 A-MSDU), each analysed in turn. */
// @ts-ignore: decorator
@inline function decodeAndAnalyze(): void {
  const p = packet;
  let r = decodeFrame(p, ignoreChecksums, seed);
  while (true) {
    analyzeDatagram(p, r);
    if (!p.moreSubframes) return;
    r = decodeNextSubframe(p, ignoreChecksums, seed);
  }
}

/** One decoded packet: fragments are reassembled first (TA §2), a completed datagram decoded on. */
// @ts-ignore: decorator
@inline function analyzeDatagram(p: Packet, r: i32): void {
  while (r == 0 && p.isFragment) {
    bumpStat(Stat.fragments);
    r = reassemble(p, netTime);
    if (r == 0) r = decodeDatagram(p, ignoreChecksums, seed);
  }
  // With checksums ignored a zero IPv4 total length is reported and the capture length used (TA §2).
  for (let i: u8 = 0; i < p.zeroTotals; i++) netWeird(Weird.ip_hdr_len_zero, Source.CORE);
  if (r == FRAGMENT_HELD) return;
  if (r < 0) { bumpStat(Stat.non_ip_packets); return; }
  if (r > 0) {
    // Zeek: a flow weird once an IP header was accepted (the innermost one so far), else a net weird.
    if (p.ipVersion != 0) flowWeird(p, <u16>r, Source.CORE);
    else netWeird(<u16>r, Source.CORE);
    return;
  }
  if (p.proto != 6) { bumpStat(Stat.non_tcp_packets); return; }
  bumpStat(Stat.tcp_packets);
  analyzeTcp(p);
}

/** Processes complete records until input runs out or the ring is full. */
export function run(): i32 {
  while (true) {
    if (!drainOutbox()) return RunStatus.RingFull;
    // Taking a record raises no event: its packet goes on to its timers and analysis in the same pass.
    if (!pending) {
      const r = nextRecord(packet);
      setStat(Stat.bytes_consumed, <f64>captureBytesConsumed());
      if (r == 0) return RunStatus.NeedInput;
      if (r < 0) return RunStatus.Error;
      frame++;
      bumpStat(Stat.packets);
      if (packet.ts > netTime) netTime = packet.ts;
      setUnitClock(frame, netTime);
      pending = true;
      firedForPacket = 0;
    }
    if (!processPending()) return RunStatus.RingFull;
  }
}

@inline function connAt(i: u32): Connection { return changetype<Connection>(load<usize>(finishList + (<usize>i << 3))); }

/** Canonical key order (TA §16.5): first address, second address, then the two ports as numbers. */
function keyLess(a: Connection, b: Connection): bool {
  let c = addrCompare(a.keyA0, a.keyA1, b.keyA0, b.keyA1);
  if (c == 0) c = addrCompare(a.keyB0, a.keyB1, b.keyB0, b.keyB1);
  if (c != 0) return c < 0;
  if (a.keyPortA != b.keyPortA) return a.keyPortA < b.keyPortA;
  return a.keyPortB < b.keyPortB;
}

function sortFinishList(): void {
  // Heap sort: no recursion, no allocation, O(n log n) for any input.
  const n = finishCount;
  if (n < 2) return;
  for (let start = <i32>(n >> 1) - 1; start >= 0; start--) siftDown(<u32>start, n);
  for (let end = n - 1; end > 0; end--) {
    swapAt(0, end);
    siftDown(0, end);
  }
}

function siftDown(i: u32, n: u32): void {
  while (true) {
    const l: u32 = 2 * i + 1, r: u32 = l + 1;
    let m = i;
    if (l < n && keyLess(connAt(m), connAt(l))) m = l;
    if (r < n && keyLess(connAt(m), connAt(r))) m = r;
    if (m == i) return;
    swapAt(i, m);
    i = m;
  }
}

@inline function swapAt(i: u32, j: u32): void {
  const a = finishList + (<usize>i << 3), b = finishList + (<usize>j << 3);
  const t = load<usize>(a);
  store<usize>(a, load<usize>(b));
  store<usize>(b, t);
}

/** End of input (TA §16.5); resumable after RingFull. */
export function finish(): i32 {
  if (finishPhase == 0) {
    inputClose();
    const s = run();
    if (s == RunStatus.RingFull) return s;
    // Like Zeek on a damaged capture: stop reading there, but still end every connection seen so far; the
    // capture error is reported once they are all out.
    captureFailed = s == RunStatus.Error || !captureEnded();
    finishPhase = 1;
  }
  setUnitClock(frame, netTime);
  if (finishPhase == 1) {
    // Remaining timers in due order; only attempt and reset timers act.
    while (popAny()) {
      fireTimer(firedConn, firedKind, netTime, true);
      closeUnit();
      if (!drainOutbox()) return RunStatus.RingFull;
    }
    finishCount = tableCount();
    finishList = heap.alloc(<usize>max<u32>(finishCount, 1) << 3);
    collect(finishList);
    sortFinishList();
    finishIndex = 0;
    finishPhase = 2;
  }
  if (finishPhase == 2) {
    while (finishIndex < finishCount) {
      if (!drainOutbox()) return RunStatus.RingFull;
      const c = connAt(finishIndex++);
      if (c.isActive && !(c.orig.didClose && c.resp.didClose)) emit_connection_pending(changetype<usize>(c));
      removeConnection(c);
      closeUnit();
    }
    finishPhase = 3;
  }
  if (!drainOutbox()) return RunStatus.RingFull;
  return captureFailed ? RunStatus.Error : RunStatus.Done;
}

