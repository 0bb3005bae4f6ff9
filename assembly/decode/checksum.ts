/**
 * The Internet checksum (RFC 1071). Words are summed in memory order (little-endian loads) and the
 * result is byte-swapped once at the end: one's complement addition commutes with the byte swap, so this
 * equals the big-endian sum while reading 8 bytes per step.
 */
import { Packet } from "./packet";
import { raw64, u8at, le16, le32 } from "../util/bytes";

/** Adds `len` bytes at `ptr` to a running (unfolded) sum of little-endian 16-bit words. */
export function sumBytes(ptr: usize, len: u32, acc: u64): u64 {
  // 16 bytes per step with SIMD: each 32-bit lane gains at most 2 × 0xffff per step, so lanes are
  // flushed into the 64-bit sum every 4096 steps (64 KiB), long before they could overflow.
  while (len >= 16) {
    let lanes = i32x4.splat(0);
    let steps = min<u32>(len >> 4, 4096);
    len -= steps << 4;
    while (steps > 0) {
      lanes = i32x4.add(lanes, i32x4.extadd_pairwise_i16x8_u(v128.load(ptr)));
      ptr += 16;
      steps--;
    }
    acc += <u64><u32>i32x4.extract_lane(lanes, 0) + <u64><u32>i32x4.extract_lane(lanes, 1) +
      <u64><u32>i32x4.extract_lane(lanes, 2) + <u64><u32>i32x4.extract_lane(lanes, 3);
  }
  while (len >= 8) {
    const v = raw64(ptr);
    acc += (v & 0xffffffff) + (v >> 32);
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

/** Folds a running sum to 16 bits and returns it in network order (0xffff means "checks"). */
export function foldSum(acc: u64): u32 {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >> 16);
  return <u32>bswap<u16>(<u16>acc);
}

/** True when an IPv4 header of `len` bytes has a correct header checksum. */
export function ipv4HeaderChecksumOk(ip: usize, len: u32): bool {
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
export function l4ChecksumOk(p: Packet, proto: u32, ptr: usize, len: u32): bool {
  let acc: u64 = 0;
  if (p.ipVersion == 4) {
    acc = sumBytes(p.srcPtr + 12, 4, acc);
    acc = sumBytes(p.dstPtr + 12, 4, acc);
  } else {
    acc = sumBytes(p.srcPtr, 16, acc);
    acc = sumBytes(p.dstPtr, 16, acc);
  }
  // Network-order words added in memory order are byte-swapped: protocol 0x0006 becomes 0x0600.
  acc += <u64>(proto << 8);
  acc += <u64>bswap<u16>(<u16>(len >> 16)) + <u64>bswap<u16>(<u16>len);
  acc = sumBytes(ptr, len, acc);
  return foldSum(acc) == 0xffff;
}
