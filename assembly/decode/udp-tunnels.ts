/**
 * Tunnels carried by UDP, following Zeek's UDP dispatch and its Teredo, AYIYA, GTPv1, VXLAN and Geneve
 * packet analyzers.
 *
 * Dispatch is by the UDP connection's responder port: 3544 Teredo, 5072 AYIYA, 2152/2123 GTPv1, 4789
 * VXLAN, 6081 Geneve; on any other port Zeek tries protocol detection (AYIYA, then Teredo). synack keeps no
 * UDP connections, so the responder is taken as Zeek would pick it for a first packet: the destination,
 * unless only the source port is one of the tunnel ports (Zeek registers them as likely server ports).
 * Like Zeek, a tunnel packet whose UDP checksum is wrong is not decapsulated (unless checksums are ignored).
 *
 * A header that does not parse is, in Zeek, an analyzer violation of the UDP connection and not a weird:
 * the packet stays an ordinary UDP packet (return 0). Zeek also stops decapsulating a UDP connection after
 * a violation; synack decides per packet.
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { be16, u8at } from "../util/bytes";
import {
  INNER_IP, InnerIp, MAX_TUNNEL_DEPTH, TunnelKind, enterTunnel, innerIpCheck, lastTunnelKind,
} from "./encap";
import { decodeEthernet } from "./ethernet";
import { l4ChecksumOk } from "./checksum";
import { inIgnoredNets } from "../options";

// @ts-ignore: decorator
@inline const TEREDO_PORT: u32 = 3544;
// @ts-ignore: decorator
@inline const AYIYA_PORT: u32 = 5072;
// @ts-ignore: decorator
@inline const GTP_U_PORT: u32 = 2152;
// @ts-ignore: decorator
@inline const GTP_C_PORT: u32 = 2123;
// @ts-ignore: decorator
@inline const VXLAN_PORT: u32 = 4789;
// @ts-ignore: decorator
@inline const GENEVE_PORT: u32 = 6081;

// @ts-ignore: decorator
@inline function isTunnelPort(port: u32): bool {
  return port == TEREDO_PORT || port == AYIYA_PORT || port == GTP_U_PORT || port == GTP_C_PORT ||
    port == VXLAN_PORT || port == GENEVE_PORT;
}

/**
 * The UDP datagram at p.l4Ptr: a tunnel (INNER_IP, −1 when the inner frame has no IP, or a weird id), or
 * 0 when it stays a UDP packet.
 */
export function decodeUdpTunnel(p: Packet, ignoreChecksums: bool, seed: u64): i32 {
  // Zeek's UDP header checks (truncated_header and friends are UDP matters synack does not report).
  if (p.payloadDecl != 0 && p.payloadDecl < 8) return 0;
  if (p.payloadCap < 8) return 0;
  const u = p.l4Ptr;
  const sport = be16(u);
  const dport = be16(u + 2);
  const resp = isTunnelPort(sport) && !isTunnelPort(dport) ? sport : dport;
  const data = u + 8;
  // Zeek hands on min(IP payload length, captured) − 8.
  const len = p.payloadCap - 8;
  let kind: u8 = 0;
  if (resp == TEREDO_PORT) kind = TunnelKind.TEREDO;
  else if (resp == AYIYA_PORT) kind = TunnelKind.AYIYA;
  else if (resp == GTP_U_PORT || resp == GTP_C_PORT) kind = TunnelKind.GTPV1;
  else if (resp == VXLAN_PORT) kind = TunnelKind.VXLAN;
  else if (resp == GENEVE_PORT) kind = TunnelKind.GENEVE;
  else if (detectAyiya(data, len)) kind = TunnelKind.AYIYA;
  else if (detectTeredo(data, len)) kind = TunnelKind.TEREDO;
  else return 0;
  if (!ignoreChecksums && !udpChecksumAccepted(p, u, dport, data, len)) return 0;
  if (kind == TunnelKind.TEREDO) return teredo(p, data, len, sport, dport, seed);
  if (kind == TunnelKind.AYIYA) return ayiya(p, data, len, sport, dport, seed);
  if (kind == TunnelKind.GTPV1) return gtp(p, data, len, sport, dport, seed);
  if (kind == TunnelKind.VXLAN) return vxlan(p, data, len, sport, dport, seed);
  return geneve(p, data, len, sport, dport, seed);
}

/**
 * Zeek validates a UDP checksum when the whole datagram was captured and the source is not in
 * ignore_checksums_nets; 0 means "none" over IPv4. VXLAN on its port may send 0 over IPv6 too.
 */
function udpChecksumAccepted(p: Packet, u: usize, dport: u32, data: usize, len: u32): bool {
  const decl = p.payloadDecl;
  const captured = p.layerCap - p.l2Len - p.ipHdrLen;
  if (decl == 0 || captured < decl || p.wireExtra != 0) return true;
  if (inIgnoredNets(p.srcPtr)) return true;
  const sum = be16(u + 6);
  if (sum == 0) {
    if (p.ipVersion == 4) return true;
    if (dport == VXLAN_PORT && decl > 8 + 8 + 14 && (u8at(data) & 0x08) != 0) return true;
  }
  return l4ChecksumOk(p, 17, u, decl);
}

/** Zeek's AYIYA detection (the old DPD signature). */
function detectAyiya(d: usize, len: u32): bool {
  return len >= 3 && u8at(d + 1) == 0x52 && u8at(d + 2) == 0x11;
}

/** Teredo prefix 2001:0000::/32 at `at`. */
// @ts-ignore: decorator
@inline function teredoPrefix(at: usize): bool {
  return be16(at) == 0x2001 && be16(at + 2) == 0;
}

/**
 * Zeek's Teredo detection: an IPv6 header with a Teredo source or destination address, or one behind an
 * authentication and/or origin indication header. Zeek's byte tests are kept as they are.
 */
function detectTeredo(d: usize, len: u32): bool {
  if (len < 40) return false;
  const b0 = u8at(d);
  const b1 = u8at(d + 1);
  if ((b0 >> 4) != 6 && (b0 != 0 || (b1 != 0 && b1 != 1))) return false;
  if (b0 >= 0x60 && b0 <= 0x6f && (teredoPrefix(d + 8) || teredoPrefix(d + 24))) return true;
  let at = d;
  let rem = len;
  let val = b1;
  if (val == 1) {
    const skip: u32 = 13 + u8at(d + 2) + u8at(d + 3);
    if (rem < skip) return false;
    at += skip;
    rem -= skip;
    if (rem < 40) return false;
    val = be16(at);
  }
  if (val == 0) {
    if (rem < 8) return false;
    at += 8;
    rem -= 8;
    if (rem < 40) return false;
    return (u8at(at) >> 4) == 6;
  }
  return false;
}

/** Teredo: optional authentication, then optional origin indication, then IPv6 filling the datagram. */
function teredo(p: Packet, d: usize, len: u32, sport: u32, dport: u32, seed: u64): i32 {
  if (p.tunnelCount >= MAX_TUNNEL_DEPTH) return Weird.exceeded_tunnel_max_depth;
  let off: u32 = 0;
  let origin = false;
  let auth = false;
  while (true) {
    const rem = len - off;
    if (rem < 2) return 0;
    const tag = be16(d + off);
    if (tag == 0) {
      // Origin indication; at most one.
      if (origin || rem < 8) return 0;
      origin = true;
      off += 8;
    } else if (tag == 1) {
      // Authentication: at most one, before any origin indication.
      if (origin || auth || rem < 4) return 0;
      const total: u32 = 13 + u8at(d + off + 2) + u8at(d + off + 3);
      if (rem < total) return 0;
      auth = true;
      off += total;
    } else if ((tag >> 12) == 6) {
      if (rem < 40) return 0;
      break;
    } else {
      return 0;
    }
  }
  const inner = d + off;
  const innerLen = len - off;
  const check = innerIpCheck(inner, innerLen, 41);
  if (check == InnerIp.TOO_LARGE) {
    // A bubble (no next header, payload length 0) with data after it is only a weird; the bubble is not
    // analysed further either way, so the packet ends here.
    if (u8at(inner + 6) == 59 && be16(inner + 4) == 0) return Weird.Teredo_bubble_with_payload;
    return 0;
  }
  if (check != InnerIp.OK) return 0;
  const r = enterTunnel(p, TunnelKind.TEREDO, true, sport, dport, inner, innerLen, seed);
  return r != 0 ? r : INNER_IP;
}

/** AYIYA: identity and signature lengths from the header; only "forward" (opcode 1) carries a packet. */
function ayiya(p: Packet, d: usize, len: u32, sport: u32, dport: u32, seed: u64): i32 {
  if (p.tunnelCount >= MAX_TUNNEL_DEPTH) return Weird.exceeded_tunnel_max_depth;
  if (len < 8) return 0;
  // Zeek keeps the identity length in a byte: 2^8 and more wrap to 0.
  const idLen: u32 = (<u32>1 << (u8at(d) >> 4)) & 0xff;
  const sigLen: u32 = (u8at(d + 1) >> 4) * 4;
  const hdr: u32 = 8 + idLen + sigLen;
  if (hdr > len) return 0;
  if ((u8at(d + 2) & 0x0f) != 1) return 0;
  const next = u8at(d + 3);
  if (len == hdr) return Weird.ayiya_empty_packet;
  if (next != 4 && next != 41) return 0;
  const r = enterTunnel(p, TunnelKind.AYIYA, true, sport, dport, d + hdr, len - hdr, seed);
  return r != 0 ? r : INNER_IP;
}

/** VXLAN: 8-byte header with the I flag, then an Ethernet frame. */
function vxlan(p: Packet, d: usize, len: u32, sport: u32, dport: u32, seed: u64): i32 {
  if (p.tunnelCount >= MAX_TUNNEL_DEPTH) return Weird.exceeded_tunnel_max_depth;
  if (len < 8 || (u8at(d) & 0x08) == 0) return 0;
  if (len == 8) return Weird.vxlan_empty_packet;
  const r = enterTunnel(p, TunnelKind.VXLAN, true, sport, dport, d + 8, len - 8, seed);
  if (r != 0) return r;
  const e = decodeEthernet(p);
  return e == 0 ? INNER_IP : e;
}

/** Geneve: version 0, options, then the protocol the header names (Ethernet, IPv4, IPv6). */
function geneve(p: Packet, d: usize, len: u32, sport: u32, dport: u32, seed: u64): i32 {
  if (p.tunnelCount >= MAX_TUNNEL_DEPTH) return Weird.exceeded_tunnel_max_depth;
  if (len < 8) return 0;
  const b0 = u8at(d);
  if ((b0 >> 6) != 0) return Weird.geneve_invalid_version;
  const hdr: u32 = 8 + (b0 & 0x3f) * 4;
  if (hdr > len) return 0;
  const next = be16(d + 2);
  if (len == hdr) return Weird.geneve_empty_packet;
  const r = enterTunnel(p, TunnelKind.GENEVE, true, sport, dport, d + hdr, len - hdr, seed);
  if (r != 0) return r;
  if (next == 0x0800 || next == 0x86dd) return INNER_IP;
  if (next != 0x6558) return -1;
  const e = decodeEthernet(p);
  return e == 0 ? INNER_IP : e;
}

/**
 * GTPv1: the 8-byte header, the optional 4-byte word (any of E, S, PN set), extension headers while the
 * E flag is set, then for a G-PDU (message 255) an IP packet that must fill the rest exactly.
 */
function gtp(p: Packet, d: usize, len: u32, sport: u32, dport: u32, seed: u64): i32 {
  if (len < 8) return 0;
  const flags = u8at(d);
  let hdr: u32 = 8;
  if ((flags & 0x07) != 0) {
    if (len < 12) return 0;
    hdr = 12;
  }
  if ((flags & 0x04) != 0) {
    // Extension headers: length (in 4-byte units, including this byte and the next-type byte), contents,
    // next type; the list ends at next type 0.
    while (true) {
      if (hdr >= len) return 0;
      const units = u8at(d + hdr);
      if (units == 0) return 0;
      const ext: u32 = <u32>units << 2;
      if (len - hdr < ext) return 0;
      hdr += ext;
      if (u8at(d + hdr - 1) == 0) break;
    }
  }
  if (p.tunnelCount >= MAX_TUNNEL_DEPTH) {
    // The GTPv1 analyzer raises its own name, without the packet (a net weird).
    p.ipVersion = 0;
    return Weird.tunnel_depth;
  }
  // GTP inside GTP is taken as a regular packet; only version 1 G-PDUs with PT set carry IP.
  if (lastTunnelKind(p) == TunnelKind.GTPV1) return 0;
  if ((flags >> 5) != 1 || (flags & 0x10) == 0 || u8at(d + 1) != 255) return 0;
  const inner = d + hdr;
  const innerLen = len - hdr;
  if (innerLen < 20) return 0;
  const v = u8at(inner) >> 4;
  if (v != 4 && v != 6) return 0;
  if (innerIpCheck(inner, innerLen, v == 6 ? 41 : 4) != InnerIp.OK) return 0;
  const r = enterTunnel(p, TunnelKind.GTPV1, true, sport, dport, inner, innerLen, seed);
  return r != 0 ? r : INNER_IP;
}
