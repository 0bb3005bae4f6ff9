/**
 * Per-side stream reassembly (TA §13): blocks are held from arrival until acknowledged (so the list is
 * delivered-but-unacked data plus data above holes); the first copy of a byte wins; acknowledgements trim
 * and reveal gaps; limits abandon a side. Positions are relative (1 = first byte after the SYN).
 */
import { Connection } from '../conn/connection';
import { Endpoint, State } from '../conn/endpoint';
import { Block, newBlock, freeBlock, keepBytes } from './block';
import {
  maxOldSegments, maxInitialWindow, maxAboveHole, excessiveData, reportGapsForPartial, detectFilteredTrace,
} from '../options';
import { emit_tcp_contents, emit_content_gap, emit_rexmit_inconsistency } from '../events/emit.generated';
import { connWeird, Source } from '../weird/report';
import { Weird, Stat } from '../schema.generated';
import { scaledLetter, Counter } from '../tcp/counters';
import { eofCheck } from '../tcp/close';
import { bumpStat } from '../stats';
import { contentsWrite, contentsGap } from './contents';

@inline function peerOf(c: Connection, e: Endpoint): Endpoint { return e == c.orig ? c.resp : c.orig; }
@inline function blk(p: usize): Block { return changetype<Block>(p); }

/** Hands [from, b.upper) of block b to consumers (tcp_contents when enabled). */
function deliverBlock(c: Connection, e: Endpoint, b: Block, from: i64): void {
  const skip = <u32>(from - b.seq);
  const n = b.len - skip;
  if (n > 0 && e.deliver) emit_tcp_contents(changetype<usize>(c), e == c.orig, <u64>from, b.data + skip, n);
  if (e.contents) contentsWrite(c, e, b.data + skip, n);
  e.lastReassem = b.upper;
}

/** Delivers every block that continues the stream at lastReassem (§13.2 step 8). */
function deliverFrom(c: Connection, e: Endpoint, start: usize): void {
  let b = start;
  while (b != 0 && blk(b).upper <= e.lastReassem) b = blk(b).next;
  while (b != 0 && blk(b).seq <= e.lastReassem) {
    if (blk(b).upper > e.lastReassem) deliverBlock(c, e, blk(b), e.lastReassem);
    b = blk(b).next;
  }
}

@inline function clean(x: Endpoint): bool {
  return x.state == State.ESTABLISHED || (x.state == State.CLOSED && x.prevState == State.ESTABLISHED);
}

/** §13.5 reporting a gap of side e. */
function reportGap(c: Connection, e: Endpoint, seq: i64, len: i64): void {
  const p = peerOf(c, e);
  const bothClean = clean(e) && clean(p);
  if (bothClean) scaledLetter(c, e, Counter.GAP);
  if (bothClean || reportGapsForPartial) {
    emit_content_gap(changetype<usize>(c), e == c.orig, <u64>seq, <u64>len);
    c.missedBytes += <u64>len;
  }
  e.hadGap = true;
}

/** §13.5 undelivered(x): bytes below x will never come. */
function undelivered(c: Connection, e: Endpoint, x: i64): void {
  if (x <= 2 && c.isPartial) return;
  const p = peerOf(c, e);
  if (detectFilteredTrace && e.lastReassem == 1 && (e.finCnt + e.rstCnt + p.finCnt + p.rstCnt) > 0) {
    e.skip = true;
  } else if (!e.skip) {
    let b = e.blocks;
    while (b != 0) {
      const bs = blk(b).seq;
      if (bs >= e.lastReassem && bs < x) {
        reportGap(c, e, e.lastReassem, bs - e.lastReassem);
        e.lastReassem = bs;
        deliverFrom(c, e, b);
        b = e.blocks;
        continue;
      }
      b = blk(b).next;
    }
    if (x > e.lastReassem) reportGap(c, e, e.lastReassem, x - e.lastReassem);
  }
  // A contents file marks the hole only when held data lies beyond it.
  if (e.contents && x > e.lastReassem && e.lastBlock != 0 && blk(e.lastBlock).upper > x) {
    contentsGap(c, e, <u64>(x - e.lastReassem));
  }
  if (x > e.lastReassem) e.lastReassem = x;
}

/** Moves a trimmed block to the old list (kept for inconsistency checks) or frees it. */
function retire(e: Endpoint, b: Block): void {
  e.buffered -= <u64>b.len;
  bumpStat(Stat.buffered_bytes, -<f64>b.len);
  if (maxOldSegments == 0) { freeBlock(b); return; }
  b.next = 0;
  if (e.oldBlocks == 0) {
    e.oldBlocks = changetype<usize>(b);
  } else {
    let t = e.oldBlocks;
    while (blk(t).next != 0) t = blk(t).next;
    blk(t).next = changetype<usize>(b);
  }
  e.oldCount++;
  while (e.oldCount > maxOldSegments) {
    const h = blk(e.oldBlocks);
    e.oldBlocks = h.next;
    freeBlock(h);
    e.oldCount--;
  }
}

/** §13.5 trim_to(x). */
function trimTo(c: Connection, e: Endpoint, x: i64): void {
  if (x > e.lastReassem) undelivered(c, e, x);
  while (e.blocks != 0 && blk(e.blocks).upper <= x) {
    const b = blk(e.blocks);
    e.blocks = b.next;
    retire(e, b);
  }
  if (e.blocks == 0) e.lastBlock = 0;
  if (e.blocks != 0 && blk(e.blocks).seq == e.lastReassem) deliverFrom(c, e, e.blocks);
  if (x > e.trim) e.trim = x;
}

/** §13.4: one rexmit_inconsistency per overlapping block whose bytes differ. */
function checkOverlaps(c: Connection, e: Endpoint, list: usize, s: i64, u: i64, src: usize, flags: u8): void {
  const p = peerOf(c, e);
  for (let b = list; b != 0; b = blk(b).next) {
    const bb = blk(b);
    if (bb.seq >= u) break;
    if (bb.upper <= s) continue;
    const lo = max(s, bb.seq), hi = min(u, bb.upper);
    const n = <u32>(hi - lo);
    const oldp = bb.data + <usize>(lo - bb.seq), newp = src + <usize>(lo - s);
    if (memory.compare(oldp, newp, n) != 0 && (n > 1 || p.lastTime != 0)) {
      emit_rexmit_inconsistency(changetype<usize>(c), oldp, n, newp, n, flags);
    }
  }
}

function dropAll(e: Endpoint): void {
  let b = e.blocks;
  while (b != 0) {
    const nb = blk(b).next;
    e.buffered -= <u64>blk(b).len;
    bumpStat(Stat.buffered_bytes, -<f64>blk(b).len);
    freeBlock(blk(b));
    b = nb;
  }
  e.blocks = 0;
  e.lastBlock = 0;
}

/** Inserts [s, u) in order between prev and next; returns the new block. */
function link(e: Endpoint, prev: usize, next: usize, s: i64, src: usize, n: u32): usize {
  const nb = changetype<usize>(newBlock(s, src, n));
  blk(nb).next = next;
  if (prev == 0) e.blocks = nb; else blk(prev).next = nb;
  if (next == 0) e.lastBlock = nb;
  e.buffered += <u64>n;
  bumpStat(Stat.buffered_bytes, <f64>n);
  return nb;
}

/** §13.2: payload of side e at relative position s. */
// @ts-ignore: decorator
@inline export function dataSent(c: Connection, e: Endpoint, s: i64, src: usize, len: u32, flags: u8): void {
  if (e.skip) return;
  let u = s + <i64>len;
  if (e.oldBlocks != 0 && keepBytes) checkOverlaps(c, e, e.oldBlocks, s, u, src, flags);
  if (u <= e.trim) return;
  const appending = e.lastBlock == 0 || s >= blk(e.lastBlock).upper;
  if (!appending && keepBytes) checkOverlaps(c, e, e.blocks, s, u, src, flags);
  if (s < e.trim) {
    src += <usize>(e.trim - s);
    s = e.trim;
  }
  let first: usize = 0;
  if (appending && !keepBytes && e.lastBlock != 0 && s == blk(e.lastBlock).upper) {
    // Blocks without bytes that continue the last one are merged: a block is always delivered whole or not at
    // all, so the union answers every question (held data, gaps, pending) as the separate blocks would.
    first = e.lastBlock;
    blk(first).upper = u;
    e.buffered += <u64>(u - s);
    bumpStat(Stat.buffered_bytes, <f64>(u - s));
  } else if (appending) {
    first = link(e, e.lastBlock, 0, s, src, <u32>(u - s));
  } else {
    // Add only the parts no held block covers: the first copy of a byte wins.
    let prev: usize = 0, b = e.blocks, cur = s;
    while (b != 0 && blk(b).upper <= cur) { prev = b; b = blk(b).next; }
    while (cur < u) {
      if (b == 0 || blk(b).seq >= u) {
        const nb = link(e, prev, b, cur, src + <usize>(cur - s), <u32>(u - cur));
        if (first == 0) first = nb;
        cur = u;
      } else if (blk(b).seq > cur) {
        const nb = link(e, prev, b, cur, src + <usize>(cur - s), <u32>(blk(b).seq - cur));
        if (first == 0) first = nb;
        prev = nb;
        cur = blk(b).seq;
      } else {
        cur = blk(b).upper;
        prev = b;
        b = blk(b).next;
      }
    }
  }
  // The first newly inserted piece starts at s (a merged block holds it at its end).
  const firstSeq = first != 0 ? max(blk(first).seq, s) : 0;
  if (first != 0 && firstSeq <= e.lastReassem && blk(first).upper > e.lastReassem) {
    deliverFrom(c, e, first == e.lastBlock && blk(first).seq <= e.lastReassem ? first : e.blocks);
    const p = peerOf(c, e);
    if (!p.hasReassembler) {
      trimTo(c, e, e.lastReassem);
    } else if (e.noDataAcked() && maxInitialWindow > 0 && e.size(p) > maxInitialWindow) {
      trimTo(c, e, e.lastReassem);
    }
  }
  checkLimits(c, e);
}

/** §13.6. */
function checkLimits(c: Connection, e: Endpoint): void {
  if (e.lastBlock == 0) return;
  if (e.noDataAcked() && maxAboveHole > 0 && <u64>(blk(e.lastBlock).upper - e.lastReassem) > maxAboveHole) {
    connWeird(c, Weird.above_hole_data_without_any_acks, Source.TCP);
    dropAll(e);
    e.skip = true;
    return;
  }
  if (excessiveData > 0 && e.buffered > excessiveData) {
    connWeird(c, Weird.excessive_data_without_further_acks, Source.TCP);
    dropAll(e);
    e.skip = true;
  }
}

/** §13.3: side s's data was acknowledged up to relAck. */
export function ackReceived(c: Connection, s: Endpoint, relAck: i64): void {
  if (!s.hasReassembler) return;
  if (s.finCnt > 0 && relAck >= s.finSeq) relAck = s.finSeq - 1;
  if (relAck <= s.trim) return;
  trimTo(c, s, relAck);
  eofCheck(c, s);
}

/** §11.2 DataPending. */
export function dataPending(c: Connection, e: Endpoint): bool {
  if (!e.hasReassembler || e.skip) return false;
  const delivered = <u64>e.isn + <u64>e.lastReassem;
  const top = (<u64>e.seqWraps << 32) + <u64>e.lastSeq;
  if (top < delivered) return false;
  if (delivered != top - 1 && delivered != top) return true;
  const p = peerOf(c, e);
  return e.state != State.RESET && p.blocks != 0;
}

/** Frees every block of a side (connection removal). */
export function releaseSide(e: Endpoint): void {
  dropAll(e);
  let b = e.oldBlocks;
  while (b != 0) {
    const nb = blk(b).next;
    freeBlock(blk(b));
    b = nb;
  }
  e.oldBlocks = 0;
  e.oldCount = 0;
}
