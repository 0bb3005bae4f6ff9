/**
 * IP fragment reassembly, the stage between decoding and TCP analysis (TA §2), with Zeek's behaviour
 * (Frag.cc): datagrams are keyed by (source, destination, identification); the first fragment seen supplies
 * the header; overlapping data keeps the bytes that arrived first (fragment_overlap when equal,
 * fragment_inconsistency when not); the size comes from the last fragment, with Zeek's
 * fragment_size_inconsistency repairs; a completed datagram is handed on with the time of the fragment
 * that completed it and forgotten.
 *
 * Unlike Zeek, memory is bounded (ip/datagrams.ts): a datagram holds at most what its 16-bit length field
 * can describe (a fragment reaching further is dropped), MAX_PIECES pieces and a MAX_HEADER-byte
 * unfragmentable header; at most `maxDatagrams` are pending (`maxPerPair` per address pair) and their bytes
 * come from a budget of chunks. When a bound is hit the oldest pending datagram is evicted with a synack
 * weird. Pending datagrams expire `timeout` seconds after their first fragment, on packet time (Zeek's
 * frag_timeout; 0, Zeek's default, means never).
 *
 * Nothing is allocated for a packet that is not a fragment. The completed datagram is copied to an output
 * buffer per tunnel level: a reassembled outer datagram can carry an A-MSDU whose later subframes are still
 * to be read when an inner datagram completes.
 */
import { Packet } from "../decode/packet";
import { MAX_TUNNEL_DEPTH } from "../decode/encap";
import { Weird } from "../schema.generated";
import { flowWeird, Source } from "../weird/report";
import {
  Datagram, MAX_HEADER, checkOverlap, copyPayload, ensureTable, evictOldest, findDatagram, insertPieces,
  maxDatagrams, maxPerPair, newDatagram, pairCount, pendingCount, bytesInUse, release, setTableLimits, slot,
  tableReady,
} from "./datagrams";

/** reassemble(): nothing to analyse now (the fragment is held, or was dropped with its weirds). */
// @ts-ignore: decorator
@inline export const FRAGMENT_HELD: i32 = -2;

/** Zeek's MIN_ACCEPTABLE_FRAG_SIZE and MAX_ACCEPTABLE_FRAG_SIZE. */
// @ts-ignore: decorator
@inline const SMALL_FRAGMENT: u32 = 64;
// @ts-ignore: decorator
@inline const LARGE_FRAGMENT: u32 = 64000;
// @ts-ignore: decorator
@inline const OUT_SIZE: usize = <usize>MAX_HEADER + 65536;

let timeout: f64 = 0;
const outBuffers = new StaticArray<usize>(<i32>MAX_TUNNEL_DEPTH + 1);

/**
 * Sets the limits: expiry after `timeoutS` seconds of packet time (0 = never, Zeek's default), pending
 * datagrams in total and per address pair, and the byte budget. Datagram and byte counts only take
 * effect before the first fragment (storage is sized then). Defaults: never, 64, 16, 2 MiB.
 */
export function configureFragments(timeoutS: f64, datagrams: u32, perPair: u32, budgetBytes: u32): void {
  timeout = timeoutS > 0 ? timeoutS : 0;
  setTableLimits(datagrams, perPair, budgetBytes);
}

/** Forgets every pending datagram (their storage is kept for reuse). */
export function resetFragments(): void {
  if (!tableReady()) return;
  for (let i: u32 = 0; i < maxDatagrams; i++) {
    const d = slot(i);
    if (d.serial != 0) release(d);
  }
}

/** Datagrams waiting for fragments. */
export function pendingDatagrams(): u32 { return pendingCount(); }

/** Bytes of payload storage in use (whole chunks). */
export function heldBytes(): u32 { return bytesInUse(); }

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
  ensureTable();
  if (timeout > 0) expire(now);
  let d = findDatagram(p);
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

/** A new datagram from its first-seen fragment, evicting to stay within the datagram limits. */
function create(p: Packet, now: f64): Datagram | null {
  // IPv6 keeps the headers before the fragment header; IPv4 the whole header.
  const hdrLen = p.ipVersion == 6 ? p.ipHdrLen - 8 : p.ipHdrLen;
  if (hdrLen > MAX_HEADER) {
    flowWeird(p, Weird.fragment_datagram_limit, Source.CORE);
    return null;
  }
  if (pairCount(p) >= maxPerPair) {
    flowWeird(p, Weird.fragment_table_full, Source.CORE);
    evictOldest(null, p);
  } else if (pendingCount() >= maxDatagrams) {
    flowWeird(p, Weird.fragment_table_full, Source.CORE);
    evictOldest(null, null);
  }
  return newDatagram(p, hdrLen, now);
}

/**
 * Zeek's AddFragment: consistency weirds, size bookkeeping, then the payload as new pieces. True when
 * payload was added (Zeek then checks for completion); false also when the datagram was dropped.
 */
function add(d: Datagram, p: Packet): bool {
  const hdr = d.hdr;
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
  // Beyond what the datagram's 16-bit length can describe: not kept (the datagram cannot complete then).
  const limit: u32 = d.version == 4 ? 65535 - d.hdrLen : 65535 + 40 - d.hdrLen;
  if (len == 0 || upper > limit) return false;
  checkOverlap(d, p, offset, upper, p.l4Ptr);
  return insertPieces(d, p, offset, upper, p.l4Ptr);
}

/** Zeek's BlockInserted: is the datagram complete (with its size repairs)? */
function complete(d: Datagram, p: Packet): bool {
  const n = d.pieces;
  if (n == 0 || d.pieceSeq(0) > 0 || d.size == 0) return false;
  let i: u32 = 0;
  while (i + 1 < n && d.pieceUpper(i) == d.pieceSeq(i + 1)) i++;
  if (i + 1 < n) {
    // A hole, but the contiguous part already reaches the size: analyse that part (Zeek).
    if (d.pieceUpper(i) < d.size) return false;
    flowWeird(p, Weird.fragment_size_inconsistency, Source.CORE);
    d.size = d.pieceUpper(i);
  } else if (d.pieceUpper(n - 1) > d.size) {
    flowWeird(p, Weird.fragment_size_inconsistency, Source.CORE);
    d.size = d.pieceUpper(n - 1);
  } else if (d.pieceUpper(n - 1) < d.size) {
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
  memory.copy(out, d.hdr, hdrLen);
  copyPayload(d, size, out + hdrLen);
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
