/**
 * IPv6 header and a bounded walk over extension headers to the upper-layer protocol, following Zeek's
 * IPv6_Hdr_Chain: the walk stays inside the captured bytes, stops at a (non-atomic) fragment header, at
 * ESP and at a mobility header; the source is the Home Address option and the destination the final
 * address of the first routing header with segments left (tcp-analysis.md §2). The caller has checked
 * that at least 40 bytes are captured at `ip` and that the version nibble is 6.
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { be16, be32, copy16, u8at } from "../util/bytes";

/** Extension headers walked per datagram; more is ipv6_ext_hdr_limit. */
export const MAX_EXT_HEADERS: u32 = 16;

// @ts-ignore: decorator
@inline const HOP_BY_HOP: u32 = 0;
// @ts-ignore: decorator
@inline const ROUTING: u32 = 43;
// @ts-ignore: decorator
@inline const FRAGMENT: u32 = 44;
// @ts-ignore: decorator
@inline const AH: u32 = 51;
// @ts-ignore: decorator
@inline const DEST_OPTS: u32 = 60;
// @ts-ignore: decorator
@inline const MOBILITY: u32 = 135;
/** Destination option carrying the Home Address (RFC 6275 §6.3). */
// @ts-ignore: decorator
@inline const HOME_ADDRESS_OPT: u32 = 201;

// @ts-ignore: decorator
@inline function isExtension(t: u32): bool {
  return t == HOP_BY_HOP || t == ROUTING || t == FRAGMENT || t == DEST_OPTS || t == AH || t == MOBILITY;
}

/** Fills p's IP fields for the IPv6 datagram at p.layerPtr + p.l2Len with `len` captured bytes; 0 or a weird id. */
export function decodeIpv6(p: Packet, len: u32): i32 {
  const ip = p.layerPtr + p.l2Len;
  const total = be16(ip + 4) + 40;
  let next = u8at(ip + 6);
  let off: u32 = 40;
  let src = ip + 8;
  let dst = ip + 24;
  let haveHome = false;
  let haveFinal = false;
  let stop: i32 = 0;
  let fragment = false;
  let fragWord: u32 = 0;
  let fragIdent: u32 = 0;
  let n: u32 = 0;
  while (isExtension(next)) {
    if (n == MAX_EXT_HEADERS) {
      stop = Weird.ipv6_ext_hdr_limit;
      break;
    }
    const h = ip + off;
    const rem = len - off;
    if (rem < 2) {
      stop = Weird.ipv6_ext_hdr_truncated;
      break;
    }
    const cur = next;
    const hl: u32 = cur == FRAGMENT ? 8 : cur == AH ? (u8at(h + 1) + 2) << 2 : (u8at(h + 1) + 1) << 3;
    if (hl > rem) {
      stop = Weird.ipv6_ext_hdr_truncated;
      break;
    }
    next = u8at(h);
    off += hl;
    n++;
    if (cur == ROUTING && !haveFinal) {
      const at = routingFinal(h, hl);
      if (at != 0) {
        dst = at;
        haveFinal = true;
      }
    } else if (cur == DEST_OPTS && !haveHome) {
      const at = homeAddress(h, hl);
      if (at != 0) {
        src = at;
        haveHome = true;
      }
    } else if (cur == FRAGMENT) {
      // Offset ≠ 0 or more-fragments: what follows is fragment data, not a header. An atomic
      // fragment (offset 0, M clear) is a whole datagram, so the walk goes on.
      fragWord = be16(h + 2);
      if ((fragWord & 0xfff9) != 0) {
        fragment = true;
        fragIdent = be32(h + 4);
        break;
      }
    } else if (cur == MOBILITY) {
      // Zeek ends the chain here and never hands the payload on: the protocol is "mobility".
      next = MOBILITY;
      break;
    }
  }

  if (<u64>p.layerWire < <u64>total + <u64>p.l2Len) return Weird.truncated_IP_len;
  if (off > total) return Weird.invalid_IP_header_size;
  if (stop != 0) return stop;

  p.ipVersion = 6;
  p.proto = <u8>next;
  p.ttl = <u8>u8at(ip + 7);
  p.flowLabel = be32(ip) & 0xfffff;
  if (fragment) {
    p.isFragment = true;
    p.fragOffset = fragWord & 0xfff8;
    p.fragMore = (fragWord & 1) != 0;
    p.fragId = fragIdent;
  }
  p.ipPtr = ip;
  p.ipTotal = total;
  p.ipHdrLen = off;
  const decl = total - off;
  let cap = len - off;
  if (decl != 0 && cap > decl) cap = decl;
  p.payloadDecl = decl;
  p.payloadCap = cap;
  p.l4Ptr = ip + off;
  copy16(p.srcPtr, src);
  copy16(p.dstPtr, dst);
  return 0;
}

/**
 * The final destination of a routing header (its last 16 bytes) when segments are left: type 0 with an
 * even length ≥ 2 (RFC 2460), type 2 with length 2 (RFC 6275). 0 when it does not apply.
 */
function routingFinal(h: usize, hl: u32): usize {
  const rlen = u8at(h + 1);
  const type = u8at(h + 2);
  if (u8at(h + 3) == 0) return 0;
  if (type == 0 && rlen >= 2 && (rlen & 1) == 0) return h + hl - 16;
  if (type == 2 && rlen == 2) return h + hl - 16;
  return 0;
}

/** The Home Address option's address inside a destination-options header, or 0. */
function homeAddress(h: usize, hl: u32): usize {
  let o = h + 2;
  const end = h + hl;
  while (o < end) {
    const t = u8at(o);
    if (t == 0) {
      o++; // Pad1
      continue;
    }
    if (o + 2 > end) break;
    const ol = u8at(o + 1);
    if (o + 2 + ol > end) break;
    if (t == HOME_ADDRESS_OPT && ol == 16) return o + 2;
    o += 2 + ol;
  }
  return 0;
}
