/**
 * Storage for pending fragmented datagrams (ip/fragments.ts holds Zeek's rules): a fixed table of slots and
 * a budget of 2 KiB payload chunks, both allocated on first use and then reused.
 *
 * A datagram keeps its unfragmentable header (up to MAX_HEADER bytes), its payload in chunks indexed by
 * offset (64 KiB of offsets at most), and its pieces: the disjoint [seq, upper) ranges held, sorted, one per
 * stretch of new data as Zeek's reassembler keeps blocks (up to MAX_PIECES). New data only fills holes: the
 * bytes that arrived first stay. Eviction always takes the oldest datagram (creation order), so it is
 * deterministic.
 */
import { Packet } from "../decode/packet";
import { Weird } from "../schema.generated";
import { flowWeird, Source } from "../weird/report";

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

/** One pending datagram; its header bytes, pieces and chunk numbers follow inline (see the accessors). */
@final @unmanaged
export class Datagram {
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

  /** The stored unfragmentable header. */
  @inline get hdr(): usize { return changetype<usize>(this) + HDR_AT; }
  @inline pieceSeq(i: u32): u32 { return load<u32>(changetype<usize>(this) + PIECES_AT + (<usize>i << 3)); }
  @inline pieceUpper(i: u32): u32 { return load<u32>(changetype<usize>(this) + PIECES_AT + (<usize>i << 3) + 4); }
  /** Whether the datagram belongs to p's address pair. */
  @inline samePair(p: Packet): bool {
    return this.src0 == p.src0 && this.src1 == p.src1 && this.dst0 == p.dst0 && this.dst1 == p.dst1;
  }
}

// @ts-ignore: decorator
@inline const HDR_AT: usize = offsetof<Datagram>();
// @ts-ignore: decorator
@inline const PIECES_AT: usize = HDR_AT + <usize>MAX_HEADER;
// @ts-ignore: decorator
@inline const CHUNKS_AT: usize = PIECES_AT + (<usize>MAX_PIECES << 3);
// @ts-ignore: decorator
@inline const SLOT_SIZE: usize = CHUNKS_AT + (<usize>CHUNKS_PER_DATAGRAM << 1);

/** Chunk number + 1 holding payload offsets [k·CHUNK, (k+1)·CHUNK) of `d`, 0 when none yet. */
// @ts-ignore: decorator
@inline function chunkAt(d: Datagram, k: u32): usize { return changetype<usize>(d) + CHUNKS_AT + (<usize>k << 1); }

export let maxDatagrams: u32 = 64;
export let maxPerPair: u32 = 16;
let maxChunks: u32 = 1024;

let slots: usize = 0;
let serial: u64 = 0;
let pending: u32 = 0;
/** Chunk arena: pointers (each allocated on first need), and a stack of free chunk numbers. */
let chunkPtrs: usize = 0;
let chunksMade: u32 = 0;
let freeChunks: usize = 0;
let freeTop: u32 = 0;

/** Table sizes; only before the first datagram (storage is sized then). */
export function setTableLimits(datagrams: u32, perPair: u32, budgetBytes: u32): void {
  maxPerPair = max<u32>(perPair, 1);
  if (slots != 0) return;
  maxDatagrams = min<u32>(max<u32>(datagrams, 1), 4096);
  maxChunks = min<u32>(max<u32>(budgetBytes >> CHUNK_SHIFT, CHUNKS_PER_DATAGRAM), 65535);
}

/** Datagrams waiting for fragments. */
export function pendingCount(): u32 { return pending; }

/** Bytes of payload storage in use (whole chunks). */
export function bytesInUse(): u32 { return (chunksMade - freeTop) << CHUNK_SHIFT; }

/** Slot i of the table (allocated on the first call of ensureTable). */
// @ts-ignore: decorator
@inline export function slot(i: u32): Datagram { return changetype<Datagram>(slots + <usize>i * SLOT_SIZE); }

export function ensureTable(): void {
  if (slots != 0) return;
  slots = heap.alloc(<usize>maxDatagrams * SLOT_SIZE);
  memory.fill(slots, 0, <usize>maxDatagrams * SLOT_SIZE);
  chunkPtrs = heap.alloc(<usize>maxChunks << alignof<usize>());
  freeChunks = heap.alloc(<usize>maxChunks << 1);
}

/** Whether the table exists yet. */
export function tableReady(): bool { return slots != 0; }

/** The pending datagram with p's key (source, destination, identification), or null. */
export function findDatagram(p: Packet): Datagram | null {
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    const d = slot(i);
    if (d.serial != 0 && d.id == p.fragId && d.samePair(p)) return d;
  }
  return null;
}

/** Pending datagrams of p's address pair. */
export function pairCount(p: Packet): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    const d = slot(i);
    if (d.serial != 0 && d.samePair(p)) n++;
  }
  return n;
}

/** A free slot made into an empty datagram for p's key with `hdrLen` header bytes from p.ipPtr, or null. */
export function newDatagram(p: Packet, hdrLen: u32, now: f64): Datagram | null {
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    const d = slot(i);
    if (d.serial != 0) continue;
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
    memory.copy(d.hdr, p.ipPtr, hdrLen);
    memory.fill(changetype<usize>(d) + CHUNKS_AT, 0, <usize>CHUNKS_PER_DATAGRAM << 1);
    pending++;
    return d;
  }
  return null;
}

/** Evicts the oldest pending datagram other than `keep` (of p's address pair when `pair` is given). */
export function evictOldest(keep: Datagram | null, pair: Packet | null): bool {
  let oldest: Datagram | null = null;
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    const d = slot(i);
    if (d.serial == 0 || d === keep) continue;
    if (pair !== null && !d.samePair(pair)) continue;
    if (oldest === null || d.serial < oldest.serial) oldest = d;
  }
  if (oldest === null) return false;
  release(oldest);
  return true;
}

/** Frees a datagram and returns its chunks. */
export function release(d: Datagram): void {
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

// @ts-ignore: decorator
@inline function chunkPtr(c: u32): usize { return load<usize>(chunkPtrs + (<usize>c << alignof<usize>())); }

/** Zeek's Reassembler::CheckOverlap: one weird per piece the new data overlaps (skipped when appending). */
export function checkOverlap(d: Datagram, p: Packet, seq: u32, upper: u32, data: usize): void {
  const n = d.pieces;
  if (n == 0 || seq == d.pieceUpper(n - 1)) return;
  for (let i: u32 = 0; i < n; i++) {
    const bs = d.pieceSeq(i), bu = d.pieceUpper(i);
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
    const inChunk = at & (CHUNK - 1);
    const n = min<u32>(to - at, CHUNK - inChunk);
    const c = chunkPtr(<u32>load<u16>(chunkAt(d, at >> CHUNK_SHIFT)) - 1) + inChunk;
    if (memory.compare(c, src, n) != 0) return false;
    at += n;
    src += n;
  }
  return true;
}

/**
 * Adds [seq, upper) (bytes at `data`) where nothing is held yet, as new pieces. False when the datagram
 * was dropped: too many pieces (fragment_datagram_limit), or no chunk left even after evicting every other
 * datagram (fragment_memory_full).
 */
export function insertPieces(d: Datagram, p: Packet, seq: u32, upper: u32, data: usize): bool {
  let cur = seq;
  let i: u32 = 0;
  while (cur < upper) {
    // Skip pieces below cur; a piece covering cur moves cur past it.
    while (i < d.pieces && d.pieceUpper(i) <= cur) i++;
    if (i < d.pieces && d.pieceSeq(i) <= cur) {
      cur = d.pieceUpper(i);
      i++;
      continue;
    }
    const end = i < d.pieces ? min<u32>(d.pieceSeq(i), upper) : upper;
    if (d.pieces == MAX_PIECES) {
      flowWeird(p, Weird.fragment_datagram_limit, Source.CORE);
      release(d);
      return false;
    }
    if (!keep(d, p, cur, end, data + <usize>(cur - seq))) return false;
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

/** Copies payload [0, size) of a complete datagram (every chunk below `size` is held) to `dst`. */
export function copyPayload(d: Datagram, size: u32, dst: usize): void {
  let at: u32 = 0;
  while (at < size) {
    const n = min<u32>(size - at, CHUNK);
    memory.copy(dst + at, chunkPtr(<u32>load<u16>(chunkAt(d, at >> CHUNK_SHIFT)) - 1), n);
    at += n;
  }
}
