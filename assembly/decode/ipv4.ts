/**
 * IPv4 header checks and fields, in the order of Zeek's IP analyzer (tcp-analysis.md §2). The caller
 * has checked that at least 20 bytes are captured at `ip` and that the version nibble is 4.
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { be16, mapV4, u8at } from "../util/bytes";
import { ipv4HeaderChecksumOk } from "./checksum";
import { inIgnoredNets } from "../options";

/**
 * Fills p's IP fields for the IPv4 datagram at p.layerPtr + p.l2Len with `len` captured bytes. Returns 0,
 * or a weird id; bad_IP_checksum comes back with every field filled. A wrong header checksum is accepted
 * when checksums are ignored or the source is in ignore_checksums_nets (Zeek checks the header's source).
 * A total-length field of 0 with checksums ignored continues with ipTotalZero set and zeroTotals counted:
 * the caller reports ip_hdr_len_zero then, as Zeek does before carrying on.
 */
// @ts-ignore: decorator
@inline export function decodeIpv4(p: Packet, len: u32, ignoreChecksums: bool): i32 {
  const ip = p.layerPtr + p.l2Len;
  const ihl = (u8at(ip) & 0xf) << 2;
  let total = be16(ip + 2);
  if (total == 0) {
    // TCP segmentation offload leaves the field 0; without checksum checks, use what was captured.
    if (!ignoreChecksums) return Weird.ip_hdr_len_zero;
    total = len;
    p.ipTotalZero = true;
    p.zeroTotals++;
  }
  if (<u64>p.layerWire < <u64>total + <u64>p.l2Len) return Weird.truncated_IP_len;
  if (ihl > total) return Weird.invalid_IP_header_size;
  if (ihl > len) return Weird.internally_truncated_header;
  if (ihl < 20) return Weird.IPv4_min_header_size;

  const frag = be16(ip + 6);
  p.ipVersion = 4;
  p.proto = <u8>u8at(ip + 9);
  p.ttl = <u8>u8at(ip + 8);
  p.df = (frag & 0x4000) != 0;
  p.ipId = <u16>be16(ip + 4);
  // MF set or a non-zero offset: a fragment (the first one included).
  if ((frag & 0x3fff) != 0) {
    p.isFragment = true;
    p.fragOffset = (frag & 0x1fff) << 3;
    p.fragMore = (frag & 0x2000) != 0;
    p.fragId = p.ipId;
  }
  p.ipPtr = ip;
  p.ipTotal = total;
  p.ipHdrLen = ihl;
  const decl: u32 = p.ipTotalZero ? 0 : total - ihl;
  let cap = len - ihl;
  // Ethernet padding: captured bytes beyond the datagram are not payload.
  if (decl != 0 && cap > decl) cap = decl;
  p.payloadDecl = decl;
  p.payloadCap = cap;
  p.l4Ptr = ip + ihl;
  mapV4(p.srcPtr, ip + 12);
  mapV4(p.dstPtr, ip + 16);
  if (!ignoreChecksums && !ipv4HeaderChecksumOk(ip, ihl) && !inIgnoredNets(p.srcPtr)) return Weird.bad_IP_checksum;
  return 0;
}
