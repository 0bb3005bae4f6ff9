/**
 * Test-only builders for encapsulated frames: IPv4/IPv6 headers around a payload (lengths and the IPv4
 * header checksum filled in), UDP with a correct checksum, and the inner TCP packets the specs look for.
 * Tunnel headers themselves are written as hex in the specs.
 */
import { Bytes, hex, fixIpv4Checksum } from "../fixtures/build";
import { tcpSyn } from "../fixtures/frames";

/** IPv4 header (IHL 5, id 0x0101, TTL 64) with protocol `proto` from `src` to `dst` (hex), then `payload`. */
export function v4(proto: u32, src: string, dst: string, payload: Bytes, frag: u32 = 0x4000, id: u32 = 0x0101): Bytes {
  const b = new Bytes(true);
  b.hex("45 00").u16(20 + payload.length).u16(id).u16(frag).u8(64).u8(proto).hex("0000").hex(src).hex(dst);
  fixIpv4Checksum(b, 0);
  return b.bytes(payload);
}

/** IPv6 header (hop limit 64) with next header `next` from `src` to `dst` (32 hex digits each), then `payload`. */
export function v6(next: u32, src: string, dst: string, payload: Bytes): Bytes {
  const b = new Bytes(true);
  return b.hex("6000 0000").u16(payload.length).u8(next).u8(64).hex(src).hex(dst).bytes(payload);
}

/** An IPv4 TCP SYN from `src` to `dst` (hex), 40 bytes. */
export function tcp4(src: string, dst: string): Bytes {
  return v4(6, src, dst, tcpSyn());
}

/** An IPv6 TCP SYN, 60 bytes. */
export function tcp6(src: string, dst: string): Bytes {
  return v6(6, src, dst, tcpSyn());
}

function sum16(b: Bytes, from: i32, to: i32, acc: u32): u32 {
  for (let i = from; i < to; i += 2) {
    const hi = <u32>b.data[i];
    const lo = i + 1 < to ? <u32>b.data[i + 1] : 0;
    acc += (hi << 8) | lo;
  }
  return acc;
}

/**
 * UDP over IPv4 from src:sport to dst:dport with a correct checksum (or `badSum` instead when non-zero),
 * as a whole IPv4 packet.
 */
export function udp4(src: string, dst: string, sport: u32, dport: u32, payload: Bytes, badSum: u32 = 0): Bytes {
  const u = new Bytes(true).u16(sport).u16(dport).u16(8 + payload.length).u16(0).bytes(payload);
  const pseudo = new Bytes(true).hex(src).hex(dst).u8(0).u8(17).u16(u.length);
  let acc = sum16(pseudo, 0, pseudo.length, 0);
  acc = sum16(u, 0, u.length, acc);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >> 16);
  let c = ~acc & 0xffff;
  if (c == 0) c = 0xffff;
  if (badSum != 0) c = badSum;
  u.set(6, <u8>(c >> 8));
  u.set(7, <u8>c);
  return v4(17, src, dst, u);
}

/** UDP over IPv6 with a correct checksum. */
export function udp6(src: string, dst: string, sport: u32, dport: u32, payload: Bytes): Bytes {
  const u = new Bytes(true).u16(sport).u16(dport).u16(8 + payload.length).u16(0).bytes(payload);
  const pseudo = new Bytes(true).hex(src).hex(dst).u32(u.length).u32(17);
  let acc = sum16(pseudo, 0, pseudo.length, 0);
  acc = sum16(u, 0, u.length, acc);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >> 16);
  let c = ~acc & 0xffff;
  if (c == 0) c = 0xffff;
  u.set(6, <u8>(c >> 8));
  u.set(7, <u8>c);
  return v6(17, src, dst, u);
}

/** Concatenation of hex and then `b`. */
export function hexThen(h: string, b: Bytes): Bytes {
  return hex(h).bytes(b);
}

// Addresses used throughout (hex).
export const OUTER_A = "c0000201"; // 192.0.2.1
export const OUTER_B = "c0000202"; // 192.0.2.2
export const INNER_A = "0a000001"; // 10.0.0.1
export const INNER_B = "0a000002"; // 10.0.0.2
export const V6_A = "20010db8000000000000000000000001";
export const V6_B = "20010db8000000000000000000000002";
/** A Teredo client (2001:0:4136:e378:8000:63bf:3fff:fdd2) and a native IPv6 server. */
export const TEREDO_CLIENT = "200100004136e378800063bf3ffffdd2";
export const V6_SERVER = "20014860000020010000000000000068";
