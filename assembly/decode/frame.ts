/**
 * Frame decoding: link layer by the record's link type, then IPv4/IPv6, then any tunnels down to the
 * innermost IP header. Pure function of the packet's bytes; it writes only the decode fields of the packet
 * record and keeps nothing across packets.
 *
 * Length contract (for every file in decode/): each decoder checks that the bytes it reads lie inside the
 * current frame [p.layerPtr, p.layerPtr + p.layerCap) once, up front, then reads through util/bytes.ts
 * without further checks. The current frame is the captured frame, or an encapsulated one (encap.ts).
 *
 * Fragments are marked (p.isFragment, with the frag fields) and decoding stops there: the caller hands them
 * to the reassembler (ip/fragments.ts), which re-points the packet's IP fields at the completed datagram,
 * and then calls decodeDatagram() to go on (the datagram may carry a tunnel).
 *
 * A frame can hold several packets (an 802.11 A-MSDU inside Aruba GRE): decodeFrame() returns the first and
 * sets p.moreSubframes; decodeNextSubframe() returns the next one, until p.moreSubframes is false.
 *
 * Every entry returns 0 when an IP datagram was decoded (all IP fields set; p.proto 6 for TCP), −1 when the
 * frame carries no IP (ARP, LLC, unknown EtherTypes or link types: counted, not an error), or a Weird id
 * when the packet is dropped. A weird is a flow weird when p.ipVersion != 0 (an IP header had been
 * accepted, as Zeek decides between flow_weird and net_weird), else a net weird.
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { LinkType } from "../capture/link-type";
import { u8at } from "../util/bytes";
import { decodeEthernet } from "./ethernet";
import { decodeNull, decodeRaw, decodeSll, decodeSll2 } from "./cooked";
import { decodeIpv4 } from "./ipv4";
import { decodeIpv6 } from "./ipv6";
import { INNER_IP, clearIp } from "./encap";
import { decodeGre, decodeIpInIp } from "./gre";
import { decodeUdpTunnel } from "./udp-tunnels";
import { markSubframeFailed, nextSubframe } from "./wifi";

/**
 * Decodes p's frame. When p.zeroTotals is non-zero on return, the caller reports that many
 * ip_hdr_len_zero (checksums were ignored). `seed` keys the tunnel parent ids (encap.ts).
 */
// @ts-ignore: decorator
@inline export function decodeFrame(p: Packet, ignoreChecksums: bool, seed: u64 = 0): i32 {
  resetDecoded(p);
  const lt = p.linkType;
  let r: i32;
  if (lt == LinkType.ETHERNET) r = decodeEthernet(p);
  else if (lt == LinkType.LINUX_SLL) r = decodeSll(p);
  else if (lt == LinkType.LINUX_SLL2) r = decodeSll2(p);
  else if (lt == LinkType.NULL || lt == LinkType.LOOP) r = decodeNull(p);
  else if (lt == LinkType.RAW || lt == LinkType.RAW_BSD12 || lt == LinkType.RAW_BSD14 ||
           lt == LinkType.IPV4 || lt == LinkType.IPV6) r = decodeRaw(p);
  else r = -1;
  if (r != 0) return r;
  return ended(p, decodeFromIp(p, ignoreChecksums, seed));
}

/**
 * Goes on after the reassembler completed a datagram in p (or let a fragment through as it is): the
 * datagram may carry a tunnel. Same results as decodeFrame().
 */
export function decodeDatagram(p: Packet, ignoreChecksums: bool, seed: u64 = 0): i32 {
  let r = decodeTunnel(p, ignoreChecksums, seed);
  if (r == INNER_IP) r = decodeFromIp(p, ignoreChecksums, seed);
  return ended(p, r);
}

/**
 * Decodes the next packet of a frame that holds several (call while p.moreSubframes). Zeek stops at a
 * subframe it could not analyse, with invalid_802_11_amsdu_inner_packet.
 */
export function decodeNextSubframe(p: Packet, ignoreChecksums: bool, seed: u64 = 0): i32 {
  p.zeroTotals = 0;
  if (!p.moreSubframes) return -1;
  if (p.subframeFailed) {
    p.subframeFailed = false;
    p.moreSubframes = false;
    clearIp(p);
    return Weird.invalid_802_11_amsdu_inner_packet;
  }
  let r = nextSubframe(p);
  if (r == INNER_IP) r = decodeFromIp(p, ignoreChecksums, seed);
  return ended(p, r);
}

/** A subframe whose packet was dropped ends the A-MSDU walk (reported by the next call). */
// @ts-ignore: decorator
@inline function ended(p: Packet, r: i32): i32 {
  if (r > 0 && p.amsduActive) markSubframeFailed(p);
  return r;
}

/** IP header at p.layerPtr + p.l2Len, then tunnels, until a datagram that is not a tunnel (or a fragment). */
function decodeFromIp(p: Packet, ignoreChecksums: bool, seed: u64): i32 {
  while (true) {
    let r = decodeIp(p, ignoreChecksums);
    if (r != 0) return r;
    // The common case costs one test: TCP that is not a fragment.
    if (p.proto == 6 || p.isFragment) return 0;
    r = decodeTunnel(p, ignoreChecksums, seed);
    if (r != INNER_IP) return r;
  }
}

/** The tunnel p's upper-layer protocol may carry: INNER_IP, 0 (none), −1 or a weird id. */
function decodeTunnel(p: Packet, ignoreChecksums: bool, seed: u64): i32 {
  const proto = p.proto;
  if (proto == 17) return decodeUdpTunnel(p, ignoreChecksums, seed);
  if (proto == 47) return decodeGre(p, seed);
  if (proto == 4 || proto == 41) return decodeIpInIp(p, seed);
  return 0;
}

/** Zeek's IP analyzer entry: minimal length, then the version nibble picks the decoder. */
// @ts-ignore: decorator
@inline function decodeIp(p: Packet, ignoreChecksums: bool): i32 {
  const len = p.layerCap - p.l2Len;
  // Zeek checks the IPv4 minimum first, whatever the version.
  if (len < 20) return Weird.truncated_IP;
  const v = u8at(p.layerPtr + p.l2Len) >> 4;
  if (v == 4) return decodeIpv4(p, len, ignoreChecksums);
  if (v == 6) return len < 40 ? Weird.truncated_IP : decodeIpv6(p, len);
  return Weird.unknown_ip_version;
}

/** Clears every field decodeFrame() owns, so nothing from the previous packet survives. */
function resetDecoded(p: Packet): void {
  p.layerPtr = p.data;
  p.layerCap = p.capLen;
  p.layerWire = p.wireLen;
  p.wireExtra = p.wireLen > p.capLen ? p.wireLen - p.capLen : 0;
  p.l2Len = 0;
  p.l2Src = 0;
  p.l2Dst = 0;
  p.hasL2 = false;
  p.vlan = -1;
  p.innerVlan = -1;
  clearIp(p);
  p.zeroTotals = 0;
  p.tunnelCount = 0;
  p.tunnelKinds = 0;
  p.moreSubframes = false;
  p.amsduActive = false;
  p.subframeFailed = false;
}
