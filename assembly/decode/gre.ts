/**
 * IP-layer tunnels, following Zeek's GRE and IP tunnel packet analyzers: IP-in-IP (IP protocols 4 and 41:
 * 4in4, 6in4, 4in6, 6in6) and GRE (protocol 47). The tunnel payload is everything captured after the outer
 * IP header (Ethernet padding included, as Zeek hands it on).
 *
 * GRE version 0: transparent Ethernet bridging (0x6558), ERSPAN type I/II (0x88be) and III (0x22eb) carry
 * an Ethernet frame, Aruba's types (0x8200…, 0x9000) an 802.11 frame; any other type is taken as raw IP,
 * as Zeek's IP tunnel analyzer does. Version 1 (PPTP) carries PPP with IPv4 or IPv6. IP-in-IP and PPTP
 * need an inner IP header whose total length fills the payload exactly.
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { be16, u8at } from "../util/bytes";
import { INNER_IP, InnerIp, MAX_TUNNEL_DEPTH, TunnelKind, enterTunnel, innerIpCheck, innerIpWeird } from "./encap";
import { decodeEthernet } from "./ethernet";
import { decode80211 } from "./wifi";

// @ts-ignore: decorator
@inline const LINK_RAW: u32 = 0;
// @ts-ignore: decorator
@inline const LINK_ETHERNET: u32 = 1;
// @ts-ignore: decorator
@inline const LINK_80211: u32 = 2;

/** Captured bytes after the outer IP header (not clipped to the IP length: Zeek hands padding on too). */
// @ts-ignore: decorator
@inline export function ipPayloadCaptured(p: Packet): u32 {
  return p.layerCap - p.l2Len - p.ipHdrLen;
}

/** IP-in-IP: the outer protocol (4 or 41) names the inner IP version. INNER_IP or a weird id. */
export function decodeIpInIp(p: Packet, seed: u64): i32 {
  const len = ipPayloadCaptured(p);
  const d = p.l4Ptr;
  if (p.tunnelCount >= MAX_TUNNEL_DEPTH) return Weird.exceeded_tunnel_max_depth;
  const check = innerIpCheck(d, len, p.proto);
  if (check != InnerIp.OK) return innerIpWeird(check);
  const r = enterTunnel(p, TunnelKind.IP, false, 0, 0, d, len, seed);
  return r != 0 ? r : INNER_IP;
}

/** Length of the GRE header for these flags: checksum, key, sequence and acknowledgement words. */
function greHeaderLen(flags: u32): u32 {
  let len: u32 = 4;
  if ((flags & 0x8000) != 0) len += 4;
  if ((flags & 0x2000) != 0) len += 4;
  if ((flags & 0x1000) != 0) len += 4;
  if ((flags & 0x0080) != 0) len += 4;
  return len;
}

/** Aruba's GRE protocol types for 802.11 frames. */
function isAruba(t: u32): bool {
  return ((t & 0x8200) == 0x8200 && (t & 0x0f) == 0) ||
    ((t & 0x8300) == 0x8300 && (t & 0x0f) == 0 && t <= 0x8370) ||
    t == 0x9000;
}

/** GRE at p.l4Ptr. INNER_IP, −1 (the inner frame has no IP) or a weird id; checks in Zeek's order. */
export function decodeGre(p: Packet, seed: u64): i32 {
  const len = ipPayloadCaptured(p);
  const d = p.l4Ptr;
  if (len < 4) return Weird.truncated_GRE;
  const flags = be16(d);
  const type = be16(d + 2);
  const version = flags & 0x0007;
  const greLen = greHeaderLen(flags);
  let link = LINK_RAW;
  let ethLen: u32 = 0;
  let erspanLen: u32 = 0;
  let pptpLen: u32 = 0;
  let innerProto: u32 = 0;
  if (version > 1) return Weird.unknown_gre_version;
  if (version == 0) {
    if (type == 0x6558) {
      // Transparent Ethernet bridging.
      if (len <= greLen + 14) return Weird.truncated_GRE;
      ethLen = 14;
      link = LINK_ETHERNET;
    } else if (type == 0x88be) {
      // ERSPAN type I, or type II (8-byte header) when the sequence bit is set.
      if (len <= greLen + 14) return Weird.truncated_GRE;
      ethLen = 14;
      link = LINK_ETHERNET;
      if ((flags & 0x1000) != 0) {
        erspanLen = 8;
        if (len < greLen + ethLen + erspanLen) return Weird.truncated_GRE;
      }
    } else if (type == 0x22eb) {
      // ERSPAN type III: 12 bytes, plus an 8-byte platform sub-header when its O bit is set.
      if (len <= greLen + 14 + 12) return Weird.truncated_GRE;
      erspanLen = 12;
      ethLen = 14;
      link = LINK_ETHERNET;
      if ((u8at(d + greLen + erspanLen - 1) & 0x01) != 0) {
        if (len <= greLen + erspanLen + 8 + ethLen) return Weird.truncated_GRE;
        erspanLen += 8;
      }
    } else if (isAruba(type)) {
      if (len <= greLen) return Weird.truncated_GRE;
      link = LINK_80211;
    }
  } else {
    pptpLen = 4;
    if (type != 0x880b) return Weird.egre_protocol_type;
  }
  // RFC 1701 routing is deprecated (RFC 2784) and not parsed; the low flag bits are reserved.
  if ((flags & 0x4000) != 0) return Weird.gre_routing;
  if ((flags & 0x0078) != 0) return Weird.unknown_gre_flags;
  if (len < greLen + pptpLen + ethLen + erspanLen) return Weird.truncated_GRE;
  if (version == 1) {
    const ppp = be16(d + greLen + 2);
    if (ppp != 0x0021 && ppp != 0x0057) return Weird.non_ip_packet_in_encap;
    innerProto = ppp == 0x0021 ? 4 : 41;
  }
  const skip = greLen + pptpLen + erspanLen;
  const inner = d + skip;
  const innerLen = len - skip;
  if (p.tunnelCount >= MAX_TUNNEL_DEPTH) return Weird.exceeded_tunnel_max_depth;
  if (version == 1) {
    const check = innerIpCheck(inner, innerLen, innerProto);
    if (check != InnerIp.OK) return innerIpWeird(check);
  }
  const r = enterTunnel(p, TunnelKind.GRE, false, 0, 0, inner, innerLen, seed);
  if (r != 0) return r;
  if (link == LINK_RAW) return INNER_IP;
  if (link == LINK_80211) return decode80211(p);
  const e = decodeEthernet(p);
  return e == 0 ? INNER_IP : e;
}
