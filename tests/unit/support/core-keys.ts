/**
 * Test helpers for the connection table specs: writing IPv4 (as ::ffff:a.b.c.d) and IPv6 addresses into a
 * Packet, and a small deterministic PRNG.
 */
import { Packet } from "../../../assembly/decode/packet";

/** Writes the 16-byte IPv4-mapped form of `v4` (a.b.c.d as 0xaabbccdd) at `at`. */
export function writeV4(at: usize, v4: u32): void {
  memory.fill(at, 0, 10);
  store<u8>(at + 10, 0xff);
  store<u8>(at + 11, 0xff);
  store<u8>(at + 12, <u8>(v4 >> 24));
  store<u8>(at + 13, <u8>(v4 >> 16));
  store<u8>(at + 14, <u8>(v4 >> 8));
  store<u8>(at + 15, <u8>v4);
}

/** Writes an IPv6 address given as two big-endian 64-bit halves. */
export function writeV6(at: usize, hi: u64, lo: u64): void {
  store<u64>(at, bswap(hi));
  store<u64>(at + 8, bswap(lo));
}

export function setV4(p: Packet, src: u32, dst: u32): void {
  writeV4(p.srcPtr, src);
  writeV4(p.dstPtr, dst);
  p.ipVersion = 4;
}

export function setV6(p: Packet, srcHi: u64, srcLo: u64, dstHi: u64, dstLo: u64): void {
  writeV6(p.srcPtr, srcHi, srcLo);
  writeV6(p.dstPtr, dstHi, dstLo);
  p.ipVersion = 6;
}

/** Swaps source and destination addresses of `p`. */
export function swapAddrs(p: Packet): void {
  const a0 = p.src0, a1 = p.src1;
  p.src0 = p.dst0;
  p.src1 = p.dst1;
  p.dst0 = a0;
  p.dst1 = a1;
}

/** xorshift32: deterministic pseudo-random numbers for table-driven stress tests. */
export class Rng {
  constructor(public s: u32 = 0x9e3779b9) {}
  next(): u32 {
    let x = this.s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    this.s = x;
    return x;
  }
  below(n: u32): u32 {
    return this.next() % n;
  }
}
