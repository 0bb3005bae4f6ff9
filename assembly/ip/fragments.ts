/**
 * IP fragment reassembly, the stage between decoding and TCP analysis (TA §2), with Zeek's behaviour
 * (Frag.cc): datagrams are keyed by (source, destination, identification); the first fragment seen supplies
 * the header; overlapping data keeps the bytes that arrived first (fragment_overlap when equal,
 * fragment_inconsistency when not); the size comes from the last fragment, with Zeek's
 * fragment_size_inconsistency repairs; a completed datagram is handed on with the time of the fragment
 * that completed it and forgotten.
 *
 * Unlike Zeek, memory is bounded: a datagram holds at most 64 KiB of payload (its 16-bit length field;
 * a fragment reaching further is dropped), MAX_PIECES pieces and a 512-byte unfragmentable header; at most
 * `maxDatagrams` are pending (`maxPerFlow` per address pair) and their bytes come from a budget of 2 KiB
 * chunks. When a bound is hit the oldest pending datagram is evicted (creation order, so deterministic) with
 * a synack weird. Pending datagrams expire `timeout` seconds after their first fragment, on packet time
 * (Zeek's frag_timeout; 0, Zeek's default, means never).
 *
 * Storage is allocated on first use and then reused; nothing is allocated for a packet that is not a
 * fragment. The completed datagram is copied to an output buffer per tunnel level (a reassembled outer
 * datagram can carry an A-MSDU whose subframes are still to be read while an inner one completes).
 */
import { Packet } from "../decode/packet";
import { MAX_TUNNEL_DEPTH } from "../decode/encap";
import { Weird } from "../schema.generated";
import { flowWeird, Source } from "../weird/report";

/** reassemble(): nothing to analyse now (the fragment is held, or was dropped with its weirds). */
// @ts-ignore: decorator
@inline export const FRAGMENT_HELD: i32 = -2;

// @ts-ignore: decorator
@inline const CHUNK_SHIFT: u32 = 11;
// @ts-ignore: decorator
@inline const CHUNK: u32 = 1 << CHUNK_SHIFT;
/** Chunks per datagram: 64 KiB of payload offsets. */
// @ts-ignore: decorator
@inline const CHUNKS_PER_DATAGRAM: u32 = 32;
/** Pieces (Zeek's data blocks) held per datagram. */
export const MAX_PIECES: u32 = 128;
/** Largest unfragmentable header kept (IPv4: 60; IPv6: 40 + extension headers). */
export const MAX_HEADER: u32 = 512;
// @ts-ignore: decorator
@inline const OUT_SIZE: usize = <usize>MAX_HEADER + 65536;
/** Zeek's MIN_ACCEPTABLE_FRAG_SIZE and MAX_ACCEPTABLE_FRAG_SIZE. */
// @ts-ignore: decorator
@inline const SMALL_FRAGMENT: u32 = 64;
// @ts-ignore: decorator
@inline const LARGE_FRAGMENT: u32 = 64000;

/** One pending datagram; its header bytes, pieces and chunk numbers follow inline (see the accessors). */
@final @unmanaged
class Datagram {
  /** Creation order, 0 when the slot is free. */
  serial: u64;
  created: f64;
  src0: u64; src1: u64;
  dst0: u64; dst1: u64;
  id: u32;
  /** Payload size from the last fragment, 0 while unknown (Zeek's frag_size). */
  size: u32;
  hdrLen: u32;
  pieces: u32;
  version: u8;
  /** IPv6: the protocol after the fragment header (from the offset-0 fragment once seen). */
  nextProto: u8;
}

// @ts-ignore: decorator
@inline const HDR_AT: usize = offsetof<Datagram>();
// @ts-ignore: decorator
@inline const PIECES_AT: usize = HDR_AT + <usize>MAX_HEADER;
// @ts-ignore: decorator
@inline const CHUNKS_AT: usize = PIECES_AT + (<usize>MAX_PIECES << 3);
// @ts-ignore: decorator
@inline const SLOT_SIZE: usize = CHUNKS_AT + (<usize>CHUNKS_PER_DATAGRAM << 1);

// @ts-ignore: decorator
@inline function hdrOf(d: Datagram): usize { return changetype<usize>(d) + HDR_AT; }
// @ts-ignore: decorator
@inline function pieceSeq(d: Datagram, i: u32): u32 { return load<u32>(changetype<usize>(d) + PIECES_AT + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function pieceUpper(d: Datagram, i: u32): u32 { return load<u32>(changetype<usize>(d) + PIECES_AT + (<usize>i << 3) + 4); }
/** Chunk number + 1 holding payload offsets [k·CHUNK, (k+1)·CHUNK), 0 when none yet. */
// @ts-ignore: decorator
@inline function chunkAt(d: Datagram, k: u32): usize { return changetype<usize>(d) + CHUNKS_AT + (<usize>k << 1); }

let timeout: f64 = 0;
let maxDatagrams: u32 = 64;
let maxPerFlow: u32 = 16;
let maxChunks: u32 = 1024;

let slots: usize = 0;
let serial: u64 = 0;
let pending: u32 = 0;
/** Chunk arena: pointers (allocated on first need), and a stack of free chunk numbers. */
let chunkPtrs: usize = 0;
let chunksMade: u32 = 0;
let freeChunks: usize = 0;
let freeTop: u32 = 0;
const outBuffers = new StaticArray<usize>(<i32>MAX_TUNNEL_DEPTH + 1);

/**
 * Sets the limits: expiry after `timeoutS` seconds of packet time (0 = never, Zeek's default), pending
 * datagrams in total and per address pair, and the byte budget. Datagram and byte counts only take
 * effect before the first fragment (storage is sized then).
 */
export function configureFragments(timeoutS: f64, datagrams: u32, perFlow: u32, budgetBytes: u32): void {
  timeout = timeoutS > 0 ? timeoutS : 0;
  maxPerFlow = max<u32>(perFlow, 1);
  if (slots != 0) return;
  maxDatagrams = min<u32>(max<u32>(datagrams, 1), 4096);
  maxChunks = min<u32>(max<u32>(budgetBytes >> CHUNK_SHIFT, CHUNKS_PER_DATAGRAM), 65535);
}

/** Forgets every pending datagram (their chunks are kept for reuse). */
export function resetFragments(): void {
  for (let i: u32 = 0; i < maxDatagrams && slots != 0; i++) {
    const d = slot(i);
    if (d.serial != 0) release(d);
  }
}

/** Datagrams waiting for fragments. */
export function pendingDatagrams(): u32 { return pending; }

/** Bytes of payload storage in use (whole chunks). */
export function heldBytes(): u32 { return (chunksMade - freeTop) << CHUNK_SHIFT; }

// @ts-ignore: decorator
@inline function slot(i: u32): Datagram { return changetype<Datagram>(slots + <usize>i * SLOT_SIZE); }

function init(): void {
  slots = heap.alloc(<usize>maxDatagrams * SLOT_SIZE);
  memory.fill(slots, 0, <usize>maxDatagrams * SLOT_SIZE);
  chunkPtrs = heap.alloc(<usize>maxChunks << alignof<usize>());
  freeChunks = heap.alloc(<usize>maxChunks << 1);
}

/**
 * Offers the fragment in p (p.isFragment) at packet time `now`. Returns 0 when p now holds a datagram to
 * analyse (the completed one, its IP fields re-pointed at the output buffer; or an incompletely captured
 * first fragment, as it is), or FRAGMENT_HELD.
 */
export function reassemble(p: Packet, now: f64): i32 {
  // Zeek does not reassemble what was not fully captured; a first fragment is still analysed as it is.
  if (p.layerCap - p.l2Len < p.ipTotal) {
    flowWeird(p, Weird.incompletely_captured_fragment, Source.CORE);
    if (p.fragOffset != 0) return FRAGMENT_HELD;
    p.isFragment = false;
    return 0;
  }
  if (slots == 0) init();
  if (timeout > 0) expire(now);
  let d = find(p);
  if (d === null) {
    d = create(p, now);
    if (d === null) return FRAGMENT_HELD;
  }
  if (!add(d, p) || !complete(d, p)) return FRAGMENT_HELD;
  emit(d, p);
  release(d);
  return 0;
}

function expire(now: f64): void {
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    const d = slot(i);
    if (d.serial != 0 && d.created + timeout <= now) release(d);
  }
}

function find(p: Packet): Datagram | null {
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    const d = slot(i);
    if (d.serial != 0 && d.id == p.fragId && d.src0 == p.src0 && d.src1 == p.src1 &&
        d.dst0 == p.dst0 && d.dst1 == p.dst1) return d;
  }
  return null;
}

/** A new datagram from its first-seen fragment, evicting to stay within the datagram limits. */
function create(p: Packet, now: f64): Datagram | null {
  // IPv6 keeps the headers before the fragment header; IPv4 the whole header.
  const hdrLen = p.ipVersion == 6 ? p.ipHdrLen - 8 : p.ipHdrLen;
  if (hdrLen > MAX_HEADER) {
    flowWeird(p, Weird.fragment_datagram_limit, Source.CORE);
    return null;
  }
  let flowCount: u32 = 0;
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    const o = slot(i);
    if (o.serial != 0 && o.src0 == p.src0 && o.src1 == p.src1 && o.dst0 == p.dst0 && o.dst1 == p.dst1) flowCount++;
  }
  if (flowCount >= maxPerFlow) {
    flowWeird(p, Weird.fragment_table_full, Source.CORE);
    evictOldest(null, p);
  } else if (pending >= maxDatagrams) {
    flowWeird(p, Weird.fragment_table_full, Source.CORE);
    evictOldest(null, null);
  }
  let d: Datagram | null = null;
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    if (slot(i).serial == 0) { d = slot(i); break; }
  }
  if (d === null) return null;
  d.serial = ++serial;
  d.created = now;
  d.src0 = p.src0; d.src1 = p.src1;
  d.dst0 = p.dst0; d.dst1 = p.dst1;
  d.id = p.fragId;
  d.size = 0;
  d.hdrLen = hdrLen;
  d.pieces = 0;
  d.version = p.ipVersion;
  d.nextProto = p.proto;
  memory.copy(hdrOf(d), p.ipPtr, hdrLen);
  memory.fill(changetype<usize>(d) + CHUNKS_AT, 0, <usize>CHUNKS_PER_DATAGRAM << 1);
  pending++;
  return d;
}

/** Evicts the oldest pending datagram other than `keep` (of p's address pair when `flow` is given). */
function evictOldest(keep: Datagram | null, flow: Packet | null): bool {
  let oldest: Datagram | null = null;
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    const d = slot(i);
    if (d.serial == 0 || d === keep) continue;
    if (flow !== null && !(d.src0 == flow.src0 && d.src1 == flow.src1 && d.dst0 == flow.dst0 && d.dst1 == flow.dst1)) continue;
    if (oldest === null || d.serial < oldest.serial) oldest = d;
  }
  if (oldest === null) return false;
  release(oldest);
  return true;
}

/** Frees a datagram and returns its chunks. */
function release(d: Datagram): void {
  for (let k: u32 = 0; k < CHUNKS_PER_DATAGRAM; k++) {
    const at = chunkAt(d, k);
    const c = <u32>load<u16>(at);
    if (c != 0) {
      store<u16>(freeChunks + (<usize>freeTop << 1), <u16>(c - 1));
      freeTop++;
      store<u16>(at, 0);
    }
  }
  d.serial = 0;
  pending--;
}

/**
 * Zeek's AddFragment: consistency weirds, size bookkeeping, then the payload as new pieces. True when
 * payload was added (Zeek then checks for completion); false also when the datagram was dropped.
 */
function add(d: Datagram, p: Packet): bool {
  const hdr = hdrOf(d);
  if (p.ipVersion == 4) {
    if (p.proto != load<u8>(hdr + 9) || p.ipHdrLen != <u32>(load<u8>(hdr) & 0xf) << 2) {
      flowWeird(p, Weird.fragment_protocol_inconsistency, Source.CORE);
    }
  } else if (p.proto != d.nextProto || p.ipHdrLen - 8 != d.hdrLen) {
    flowWeird(p, Weird.fragment_protocol_inconsistency, Source.CORE);
  }
  if (p.df) flowWeird(p, Weird.fragment_with_DF, Source.CORE);
  // A total length of 0 (accepted with checksums ignored) is shorter than the header for Zeek.
  if (p.ipTotalZero) {
    flowWeird(p, Weird.fragment_protocol_inconsistency, Source.CORE);
    return false;
  }
  const offset = p.fragOffset;
  const len = p.ipTotal - p.ipHdrLen;
  const upper = offset + len;
  if (offset == 0) d.nextProto = p.proto;
  if (!p.fragMore) {
    if (d.size == 0) d.size = upper;
    else if (upper != d.size) {
      flowWeird(p, Weird.fragment_size_inconsistency, Source.CORE);
      if (upper > d.size) d.size = upper;
    }
  } else if (p.ipTotal < SMALL_FRAGMENT) {
    flowWeird(p, Weird.excessively_small_fragment, Source.CORE);
  }
  if (upper > LARGE_FRAGMENT) flowWeird(p, Weird.excessively_large_fragment, Source.CORE);
  if (d.size != 0 && upper > d.size) {
    flowWeird(p, Weird.fragment_size_inconsistency, Source.CORE);
    d.size = upper;
  }
  // Beyond what the datagram's 16-bit length can hold: not kept (the datagram can then not complete).
  if (len == 0 || upper > maxPayload(d)) return false;
  checkOverlap(d, p, offset, upper, p.l4Ptr);
  return insert(d, p, offset, upper, p.l4Ptr);
}

/** Payload bytes a datagram can hold: its total length (IPv4) or payload length (IPv6) is 16 bits. */
// @ts-ignore: decorator
@inline function maxPayload(d: Datagram): u32 {
  return d.version == 4 ? 65535 - d.hdrLen : 65535 + 40 - d.hdrLen;
}

/** Zeek's Reassembler::CheckOverlap: one weird per piece the new data overlaps (skipped when appending). */
function checkOverlap(d: Datagram, p: Packet, seq: u32, upper: u32, data: usize): void {
  const n = d.pieces;
  if (n == 0 || seq == pieceUpper(d, n - 1)) return;
  for (let i: u32 = 0; i < n; i++) {
    const bs = pieceSeq(d, i), bu = pieceUpper(d, i);
    if (upper <= bs) break;
    if (seq >= bu) continue;
    const from = max<u32>(seq, bs), to = min<u32>(upper, bu);
    const same = sameBytes(d, from, to, data + <usize>(from - seq));
    flowWeird(p, same ? Weird.fragment_overlap : Weird.fragment_inconsistency, Source.CORE);
  }
}

/** Whether the held payload [from, to) equals the bytes at `src`. */
function sameBytes(d: Datagram, from: u32, to: u32, src: usize): bool {
  let at = from;
  while (at < to) {
    const k = at >> CHUNK_SHIFT;
    const inChunk = at & (CHUNK - 1);
    const n = min<u32>(to - at, CHUNK - inChunk);
    const c = chunkPtr(<u32>load<u16>(chunkAt(d, k)) - 1) + inChunk;
    if (memory.compare(c, src, n) != 0) return false;
    at += n;
    src += n;
  }
  return true;
}

// @ts-ignore: decorator
@inline function chunkPtr(c: u32): usize { return load<usize>(chunkPtrs + (<usize>c << alignof<usize>())); }

/**
 * Adds [seq, upper) where nothing is held yet, as new pieces (Zeek keeps the first bytes of an overlap).
 * False when the datagram was dropped (too many pieces, or no memory left even after evictions).
 */
function insert(d: Datagram, p: Packet, seq: u32, upper: u32, data: usize): bool {
  let cur = seq;
  let i: u32 = 0;
  while (cur < upper) {
    // Skip pieces entirely below cur; stop at the first that starts at or after cur, or covers it.
    while (i < d.pieces && pieceUpper(d, i) <= cur) i++;
    if (i < d.pieces && pieceSeq(d, i) <= cur) {
      cur = pieceUpper(d, i);
      i++;
      continue;
    }
    const end = i < d.pieces ? min<u32>(pieceSeq(d, i), upper) : upper;
    if (d.pieces == MAX_PIECES) {
      flowWeird(p, Weird.fragment_datagram_limit, Source.CORE);
      release(d);
      return false;
    }
    if (!keep(d, p, cur, end, data + <usize>(cur - seq))) return false;
    // Insert the piece at index i (pieces stay sorted and disjoint).
    const base = changetype<usize>(d) + PIECES_AT;
    memory.copy(base + (<usize>(i + 1) << 3), base + (<usize>i << 3), <usize>(d.pieces - i) << 3);
    store<u32>(base + (<usize>i << 3), cur);
    store<u32>(base + (<usize>i << 3) + 4, end);
    d.pieces++;
    i++;
    cur = end;
  }
  return true;
}

/** Copies payload [from, to) into the datagram's chunks, taking chunks from the budget as needed. */
function keep(d: Datagram, p: Packet, from: u32, to: u32, src: usize): bool {
  let at = from;
  while (at < to) {
    const k = at >> CHUNK_SHIFT;
    const inChunk = at & (CHUNK - 1);
    const n = min<u32>(to - at, CHUNK - inChunk);
    let c = <u32>load<u16>(chunkAt(d, k));
    if (c == 0) {
      c = takeChunk(d, p) + 1;
      if (c == 0) return false;
      store<u16>(chunkAt(d, k), <u16>c);
    }
    memory.copy(chunkPtr(c - 1) + inChunk, src, n);
    at += n;
    src += n;
  }
  return true;
}

/** A free chunk number, or −1 (as u32) after dropping `d` when the budget has nothing left for it. */
function takeChunk(d: Datagram, p: Packet): u32 {
  while (true) {
    if (freeTop > 0) {
      freeTop--;
      return <u32>load<u16>(freeChunks + (<usize>freeTop << 1));
    }
    if (chunksMade < maxChunks) {
      store<usize>(chunkPtrs + (<usize>chunksMade << alignof<usize>()), heap.alloc(CHUNK));
      return chunksMade++;
    }
    flowWeird(p, Weird.fragment_memory_full, Source.CORE);
    if (!evictOldest(d, null)) {
      release(d);
      return <u32>-1;
    }
  }
}

/** Zeek's BlockInserted: is the datagram complete (with its size repairs)? */
function complete(d: Datagram, p: Packet): bool {
  const n = d.pieces;
  if (n == 0 || pieceSeq(d, 0) > 0 || d.size == 0) return false;
  let i: u32 = 0;
  while (i + 1 < n && pieceUpper(d, i) == pieceSeq(d, i + 1)) i++;
  if (i + 1 < n) {
    // A hole, but the contiguous part already reaches the size: analyse that part (Zeek).
    if (pieceUpper(d, i) < d.size) return false;
    flowWeird(p, Weird.fragment_size_inconsistency, Source.CORE);
    d.size = pieceUpper(d, i);
  } else if (pieceUpper(d, n - 1) > d.size) {
    flowWeird(p, Weird.fragment_size_inconsistency, Source.CORE);
    d.size = pieceUpper(d, n - 1);
  } else if (pieceUpper(d, n - 1) < d.size) {
    return false;
  }
  return true;
}

/** Copies the datagram to the output buffer of p's tunnel level and re-points p's IP fields at it. */
function emit(d: Datagram, p: Packet): void {
  const level = <i32>p.tunnelCount;
  let out = unchecked(outBuffers[level]);
  if (out == 0) {
    out = heap.alloc(OUT_SIZE);
    unchecked(outBuffers[level] = out);
  }
  const hdrLen = d.hdrLen;
  const size = d.size;
  memory.copy(out, hdrOf(d), hdrLen);
  let at: u32 = 0;
  while (at < size) {
    const k = at >> CHUNK_SHIFT;
    const n = min<u32>(size - at, CHUNK);
    memory.copy(out + hdrLen + at, chunkPtr(<u32>load<u16>(chunkAt(d, k)) - 1), n);
    at += n;
  }
  const total = hdrLen + size;
  if (d.version == 4) {
    // A whole datagram: total length set, MF and offset cleared (DF and the header kept, as Zeek keeps them).
    store<u16>(out + 2, bswap<u16>(<u16>total));
    store<u16>(out + 6, bswap<u16>(bswap<u16>(load<u16>(out + 6)) & 0xc000));
    p.proto = load<u8>(out + 9);
    p.ttl = load<u8>(out + 8);
    p.df = (load<u8>(out + 6) & 0x40) != 0;
    p.ipId = bswap<u16>(load<u16>(out + 4));
  } else {
    store<u16>(out + 4, bswap<u16>(<u16>(total - 40)));
    patchNextHeader(out, hdrLen, d.nextProto);
    p.proto = d.nextProto;
    p.ttl = load<u8>(out + 7);
    p.flowLabel = bswap<u32>(load<u32>(out)) & 0xfffff;
  }
  p.isFragment = false;
  p.ipPtr = out;
  p.ipTotal = total;
  p.ipTotalZero = false;
  p.ipHdrLen = hdrLen;
  p.payloadDecl = size;
  p.payloadCap = size;
  p.l4Ptr = out + hdrLen;
  p.layerPtr = out;
  p.l2Len = 0;
  p.layerCap = total;
  p.layerWire = total;
  p.wireExtra = 0;
}

/** IPv6: the header that pointed at the (removed) fragment header now names the reassembled protocol. */
function patchNextHeader(ip: usize, hdrLen: u32, next: u8): void {
  let at: u32 = 6;
  let off: u32 = 40;
  while (off + 2 <= hdrLen) {
    const t = <u32>load<u8>(ip + at);
    const hl: u32 = t == 44 ? 8 : t == 51 ? (<u32>load<u8>(ip + off + 1) + 2) << 2 : (<u32>load<u8>(ip + off + 1) + 1) << 3;
    at = off;
    off += hl;
  }
  store<u8>(ip + at, next);
}
