/**
 * What every tunnel decoder shares: the depth limit, the parent id of a level, the switch from the outer
 * packet to the inner frame, and Zeek's check of an inner IP header that must fill the tunnel payload.
 *
 * Entering a tunnel replaces the packet's link and IP fields with the inner packet's: Zeek builds a fresh
 * Packet for the inner frame (no MACs, no VLANs, no IP header yet), so the inner connection only carries the
 * link fields of the inner frame itself. The captured length of the inner frame is what the tunnel hands
 * on; its wire length keeps the outer frame's snap-length shortfall (Zeek: outer wire length minus the
 * captured bytes consumed).
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { be16, u8at } from "../util/bytes";

/** Tunnel levels walked per packet (Zeek's Tunnel::max_depth); one more is exceeded_tunnel_max_depth. */
export const MAX_TUNNEL_DEPTH: u8 = 4;

/** Returned by a tunnel decoder when p's layer now starts at an inner IP header (p.l2Len): decode it. */
// @ts-ignore: decorator
@inline export const INNER_IP: i32 = -16;

/** Kind of a tunnel level, named after Zeek's Tunnel::Type (the numbers are synack's; 0 = none). */
export namespace TunnelKind {
  // @ts-ignore: decorator
  @inline export const IP: u8 = 1;
  // @ts-ignore: decorator
  @inline export const AYIYA: u8 = 2;
  // @ts-ignore: decorator
  @inline export const TEREDO: u8 = 3;
  // @ts-ignore: decorator
  @inline export const GTPV1: u8 = 5;
  // @ts-ignore: decorator
  @inline export const GRE: u8 = 7;
  // @ts-ignore: decorator
  @inline export const VXLAN: u8 = 8;
  // @ts-ignore: decorator
  @inline export const GENEVE: u8 = 9;
}

/** Kind of the innermost level, 0 when p is not tunneled. */
export function lastTunnelKind(p: Packet): u8 {
  const n = <u32>p.tunnelCount;
  return n == 0 ? 0 : <u8>(p.tunnelKinds >> ((n - 1) << 3));
}

// @ts-ignore: decorator
@inline function mix(x: u64): u64 {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

/**
 * Enters one tunnel level from the current outer packet: checks the depth, records the level's kind and
 * parent id, and makes the inner frame (`cap` captured bytes at `start`) the current layer with no link or
 * IP fields. UDP tunnels pass the outer ports (the parent is the UDP connection); IP-layer tunnels pass
 * none (Zeek keys IP tunnels by the address pair alone). Returns 0, or exceeded_tunnel_max_depth with p
 * untouched.
 */
export function enterTunnel(p: Packet, kind: u8, udp: bool, sport: u32, dport: u32, start: usize, cap: u32, seed: u64): i32 {
  const level = <u32>p.tunnelCount;
  if (level >= <u32>MAX_TUNNEL_DEPTH) return Weird.exceeded_tunnel_max_depth;
  // Canonical endpoint order, so both directions get the same id.
  let a0 = p.src0, a1 = p.src1, b0 = p.dst0, b1 = p.dst1;
  let pa = sport, pb = dport;
  if (a0 > b0 || (a0 == b0 && (a1 > b1 || (a1 == b1 && pa > pb)))) {
    a0 = p.dst0; a1 = p.dst1; b0 = p.src0; b1 = p.src1;
    pa = dport; pb = sport;
  }
  let h = mix(seed ^ 0x74756e6e656c4964); // "tunnelId"
  h = mix(h ^ a0);
  h = mix(h ^ a1);
  h = mix(h ^ b0);
  h = mix(h ^ b1);
  h = mix(h ^ ((<u64>pa << 32) | (<u64>pb << 16) | (udp ? 17 : 0)));
  const base = changetype<usize>(p);
  store<u64>(base + offsetof<Packet>("tunnelUidLo0") + (<usize>level << 3), h);
  store<u32>(base + offsetof<Packet>("tunnelUidHi0") + (<usize>level << 2), <u32>mix(h ^ seed));
  p.tunnelKinds = (p.tunnelKinds & ~(<u32>0xff << (level << 3))) | (<u32>kind << (level << 3));
  p.tunnelCount = <u8>(level + 1);
  enterLayer(p, start, cap);
  return 0;
}

/** Makes `cap` bytes at `start` the current frame, with no link or IP fields decoded yet. */
export function enterLayer(p: Packet, start: usize, cap: u32): void {
  p.layerPtr = start;
  p.layerCap = cap;
  p.layerWire = cap + p.wireExtra;
  p.l2Len = 0;
  p.l2Src = 0;
  p.l2Dst = 0;
  p.hasL2 = false;
  p.vlan = -1;
  p.innerVlan = -1;
  clearIp(p);
}

/** Clears the IP fields, so p reads as "no IP header accepted yet" (weirds then have net scope). */
export function clearIp(p: Packet): void {
  p.ipVersion = 0;
  p.proto = 0;
  p.ttl = 0;
  p.df = false;
  p.ipId = 0;
  p.flowLabel = 0;
  p.ipPtr = 0;
  p.ipTotal = 0;
  p.ipTotalZero = false;
  p.ipHdrLen = 0;
  p.payloadDecl = 0;
  p.payloadCap = 0;
  p.l4Ptr = 0;
  p.isFragment = false;
  p.src0 = 0;
  p.src1 = 0;
  p.dst0 = 0;
  p.dst1 = 0;
}

/** Results of innerIpCheck (Zeek's IP::ParseResult). */
export namespace InnerIp {
  // @ts-ignore: decorator
  @inline export const OK: i32 = 0;
  // @ts-ignore: decorator
  @inline export const TOO_SMALL: i32 = 1;
  // @ts-ignore: decorator
  @inline export const BAD_VERSION: i32 = 2;
  // @ts-ignore: decorator
  @inline export const TOO_LARGE: i32 = 3;
}

/**
 * Zeek's IP::ParsePacket: does an IP header of the version that `proto` names (4 = IPv4, 41 = IPv6) start
 * at `ptr`, with a total length equal to the `len` bytes there? IPv4 under 20 bytes is a bad version,
 * IPv6 under 40 bytes too small, as Zeek has it.
 */
export function innerIpCheck(ptr: usize, len: u32, proto: u32): i32 {
  let total: u32;
  if (proto == 41) {
    if (len < 40) return InnerIp.TOO_SMALL;
    if ((u8at(ptr) & 0xf0) != 0x60) return InnerIp.BAD_VERSION;
    total = be16(ptr + 4) + 40;
  } else if (proto == 4) {
    if (len < 20 || (u8at(ptr) >> 4) != 4) return InnerIp.BAD_VERSION;
    total = be16(ptr + 2);
  } else {
    return InnerIp.BAD_VERSION;
  }
  if (len == total) return InnerIp.OK;
  return len < total ? InnerIp.TOO_SMALL : InnerIp.TOO_LARGE;
}

/** The weird Zeek's IP-in-IP and PPTP decapsulation raises for a failed innerIpCheck. */
export function innerIpWeird(result: i32): i32 {
  if (result == InnerIp.BAD_VERSION) return Weird.invalid_inner_IP_version;
  return result == InnerIp.TOO_SMALL ? Weird.truncated_inner_IP : Weird.inner_IP_payload_length_mismatch;
}
