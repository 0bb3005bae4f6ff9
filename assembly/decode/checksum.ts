/**
 * The Internet checksum (RFC 1071). Words are summed in memory order (little-endian loads) and the
 * result is byte-swapped once at the end: one's complement addition commutes with the byte swap, so this
 * equals the big-endian sum while reading 8 or 16 bytes per load.
 */
import { Packet } from "./packet";
import { raw64, u8at, le16, le32 } from "../util/bytes";

/**
 * Adds `len` bytes at `ptr` to a running (unfolded) sum of little-endian 16-bit words.
 *
 * The vector loops sum word pairs with one multiply-add against ones (pmaddwd), which is signed: each word is
 * first biased to signed by flipping its top bit (x ^ 0x8000 = x − 32768), and the 65536 a pair lost is added
 * back per pair at the end. That is two instructions a vector where the unsigned pairwise add takes three.
 */
export function sumBytes(ptr: usize, len: u32, acc: u64): u64 {
  const bias = i16x8.splat(<i16>0x8000), ones = i16x8.splat(1);
  // 64 bytes per step in two independent sums (fewer loop back-edges, shorter dependency chains). A lane gains
  // at most 2 × 65534 and loses at most 2 × 65536 a step, so 1024 steps (64 KiB) stay far inside 32 bits.
  while (len >= 64) {
    let a = i32x4.splat(0), b = i32x4.splat(0);
    const n = min<u32>(len >> 6, 1024);
    len -= n << 6;
    for (let steps = n; steps > 0; steps--) {
      a = i32x4.add(a, i32x4.add(i32x4.dot_i16x8_s(v128.xor(v128.load(ptr), bias), ones),
        i32x4.dot_i16x8_s(v128.xor(v128.load(ptr, 16), bias), ones)));
      b = i32x4.add(b, i32x4.add(i32x4.dot_i16x8_s(v128.xor(v128.load(ptr, 32), bias), ones),
        i32x4.dot_i16x8_s(v128.xor(v128.load(ptr, 48), bias), ones)));
      ptr += 64;
    }
    // 16 pairs a step, each short by 65536.
    acc += <u64>(signedLanes(a) + signedLanes(b) + (<i64>n << 20));
  }
  if (len >= 16) {
    let a = i32x4.splat(0);
    const n = len >> 4;
    len &= 15;
    for (let vectors = n; vectors > 0; vectors--) {
      a = i32x4.add(a, i32x4.dot_i16x8_s(v128.xor(v128.load(ptr), bias), ones));
      ptr += 16;
    }
    // 4 pairs a vector, each short by 65536.
    acc += <u64>(signedLanes(a) + (<i64>n << 18));
  }
  while (len >= 8) {
    acc += words(raw64(ptr));
    ptr += 8;
    len -= 8;
  }
  if (len >= 4) {
    acc += <u64>le32(ptr);
    ptr += 4;
    len -= 4;
  }
  if (len >= 2) {
    acc += <u64>le16(ptr);
    ptr += 2;
    len -= 2;
  }
  // An odd last byte is the high byte of a zero-padded network word: the low byte of a memory-order word.
  if (len != 0) acc += <u64>u8at(ptr);
  return acc;
}

/** The two 32-bit halves of a 64-bit load, added (their 16-bit words are folded later). */
// @ts-ignore: decorator
@inline function words(v: u64): u64 { return (v & 0xffffffff) + (v >> 32); }

// @ts-ignore: decorator
@inline function signedLanes(v: v128): i64 {
  return <i64>i32x4.extract_lane(v, 0) + <i64>i32x4.extract_lane(v, 1) +
    <i64>i32x4.extract_lane(v, 2) + <i64>i32x4.extract_lane(v, 3);
}

/** Folds a running sum to 16 bits and returns it in network order (0xffff means "checks"). */
export function foldSum(acc: u64): u32 {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >> 16);
  return <u32>bswap<u16>(<u16>acc);
}

/** True when an IPv4 header of `len` bytes has a correct header checksum. */
export function ipv4HeaderChecksumOk(ip: usize, len: u32): bool {
  // The usual 20-byte header (no options) in three loads.
  if (len == 20) return foldSum(words(raw64(ip)) + words(raw64(ip + 8)) + <u64>le32(ip + 16)) == 0xffff;
  return foldSum(sumBytes(ip, len, 0)) == 0xffff;
}

/**
 * True when the TCP segment of `tcpLen` bytes at `tcpPtr` (header + payload, all captured) has a correct
 * checksum over the pseudo header of p's addresses (the IPv6 home address / final routing destination
 * when present, as Zeek uses them), protocol 6 and the TCP length.
 */
export function tcpChecksumOk(p: Packet, tcpPtr: usize, tcpLen: u32): bool {
  return l4ChecksumOk(p, 6, tcpPtr, tcpLen);
}

/** The same check for any upper-layer protocol (17 for UDP) over `len` bytes at `ptr`. */
// @ts-ignore: decorator
@inline export function l4ChecksumOk(p: Packet, proto: u32, ptr: usize, len: u32): bool {
  let acc: u64;
  if (p.ipVersion == 4) {
    acc = <u64>le32(p.srcPtr + 12) + <u64>le32(p.dstPtr + 12);
  } else {
    acc = words(raw64(p.srcPtr)) + words(raw64(p.srcPtr + 8)) + words(raw64(p.dstPtr)) + words(raw64(p.dstPtr + 8));
  }
  // Network-order words added in memory order are byte-swapped: protocol 0x0006 becomes 0x0600.
  acc += <u64>(proto << 8);
  acc += <u64>bswap<u16>(<u16>(len >> 16)) + <u64>bswap<u16>(<u16>len);
  acc = sumBytes(ptr, len, acc);
  return foldSum(acc) == 0xffff;
}
