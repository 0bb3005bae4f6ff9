/**
 * Frame decoding: link layer by the record's link type, then IPv4/IPv6. Pure function of the packet's
 * bytes; it writes only the link and IP fields of the packet record and keeps nothing across packets.
 *
 * Length contract (for every file in decode/): each decoder checks that the bytes it reads lie inside
 * [p.data, p.data + p.capLen) once, up front, then reads through util/bytes.ts without further checks.
 *
 * Fragments are marked (p.isFragment) but not reassembled: a reassembler can sit between decodeFrame()
 * and the TCP layer, replacing the packet's IP fields with those of the completed datagram.
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { LinkType } from "../capture/link-type";
import { u8at } from "../util/bytes";
import { decodeEthernet } from "./ethernet";
import { decodeNull, decodeRaw, decodeSll, decodeSll2 } from "./cooked";
import { decodeIpv4 } from "./ipv4";
import { decodeIpv6 } from "./ipv6";

/**
 * Decodes p's frame. Returns 0 when an IPv4/IPv6 datagram was decoded (all IP fields set), −1 when the
 * frame carries no IP (ARP, LLC, unknown EtherTypes or link types: counted, not an error), or a Weird id
 * when the packet is dropped. Weird.bad_IP_checksum is returned with every field filled. When
 * p.ipTotalZero is set on a 0 return, the caller reports ip_hdr_len_zero (checksums were ignored).
 */
export function decodeFrame(p: Packet, ignoreChecksums: bool): i32 {
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
  return decodeIp(p, ignoreChecksums);
}

/** Zeek's IP analyzer entry: minimal length, then the version nibble picks the decoder. */
function decodeIp(p: Packet, ignoreChecksums: bool): i32 {
  const len = p.capLen - p.l2Len;
  // Zeek checks the IPv4 minimum first, whatever the version.
  if (len < 20) return Weird.truncated_IP;
  const v = u8at(p.data + p.l2Len) >> 4;
  if (v == 4) return decodeIpv4(p, len, ignoreChecksums);
  if (v == 6) return len < 40 ? Weird.truncated_IP : decodeIpv6(p, len);
  return Weird.unknown_ip_version;
}

/** Clears every field decodeFrame() owns, so nothing from the previous packet survives. */
function resetDecoded(p: Packet): void {
  p.l2Len = 0;
  p.l2Src = 0;
  p.l2Dst = 0;
  p.hasL2 = false;
  p.vlan = -1;
  p.innerVlan = -1;
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
