/**
 * Ethernet II and the tags and shims that can follow it, walked as one bounded loop over EtherTypes:
 * 802.1Q/802.1ad VLAN tags, MPLS label stacks, PPPoE sessions, 802.1ah PBB (an inner Ethernet header
 * follows), VN-Tag, and Cisco FabricPath (a 16-byte outer header before the classic Ethernet header).
 *
 * Length checks and weird names follow Zeek's packet analyzers (ethernet/, vlan/, mpls/, pppoe/, pbb/,
 * vntag/): each requires at least one byte beyond its header (`header >= remaining` is truncated).
 * Returns: 0 with p.l2Len at an IP header (version decided by the IP decoder), −1 for a frame without IP,
 * or a weird id. The frame is the one at p.layerPtr, so the same code decodes the Ethernet frames that
 * GRE, ERSPAN, VXLAN and Geneve carry.
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { be16, mac48, u8at } from "../util/bytes";

// @ts-ignore: decorator
@inline const ETH_IPV4: u32 = 0x0800;
// @ts-ignore: decorator
@inline const ETH_IPV6: u32 = 0x86dd;
// @ts-ignore: decorator
@inline const ETH_VLAN: u32 = 0x8100;
// @ts-ignore: decorator
@inline const ETH_QINQ: u32 = 0x88a8;
// @ts-ignore: decorator
@inline const ETH_QINQ_OLD: u32 = 0x9100;
// @ts-ignore: decorator
@inline const ETH_MPLS: u32 = 0x8847;
// @ts-ignore: decorator
@inline const ETH_MPLS_MCAST: u32 = 0x8848;
// @ts-ignore: decorator
@inline const ETH_PPPOE: u32 = 0x8864;
// @ts-ignore: decorator
@inline const ETH_PBB: u32 = 0x88e7;
// @ts-ignore: decorator
@inline const ETH_VNTAG: u32 = 0x8926;
// @ts-ignore: decorator
@inline const ETH_FABRICPATH: u32 = 0x8903;
/** Pseudo type for "an Ethernet header starts here" (the frame itself, or after PBB). */
// @ts-ignore: decorator
@inline const ETH_FRAME: u32 = 0x10000;

// @ts-ignore: decorator
@inline const PPP_IPV4: u32 = 0x0021;
// @ts-ignore: decorator
@inline const PPP_IPV6: u32 = 0x0057;

/** VLAN tags walked per frame; more is encapsulation_limit. */
export const MAX_VLAN_TAGS: u32 = 8;
/** All link steps walked per frame (tags, labels, shims, inner headers). */
export const MAX_LINK_STEPS: u32 = 24;

/** Decodes the Ethernet frame at p.layerPtr (p.layerCap bytes): the captured frame or an encapsulated one. */
export function decodeEthernet(p: Packet): i32 {
  const d = p.layerPtr;
  const len = p.layerCap;
  // Most frames are untagged IPv4 or IPv6: the walk below would decide the same in its first two steps.
  if (len > 16) {
    const type = be16(d + 12);
    if (type == ETH_IPV4 || type == ETH_IPV6) {
      if (!p.hasL2) setMacs(p, d);
      p.l2Len = 14;
      return 0;
    }
  }
  let off: u32 = 0;
  let type = ETH_FRAME;
  let tags: u32 = 0;
  for (let steps: u32 = 0; ; steps++) {
    if (steps >= MAX_LINK_STEPS) return Weird.encapsulation_limit;
    const rem = len - off;
    if (type == ETH_FRAME) {
      if (rem <= 16) return Weird.truncated_ethernet_frame;
      let h = d + off;
      const outer = h;
      if (be16(h + 12) == ETH_FABRICPATH) {
        // FabricPath: outer dst/src MAC, 0x8903, FTag/TTL; the classic Ethernet header follows.
        if (rem <= 16 + 14) return Weird.truncated_link_header_cfp;
        off += 16;
        h += 16;
      }
      // The MACs of the first Ethernet header on the wire (for FabricPath: the outer ones).
      if (!p.hasL2) setMacs(p, outer);
      type = be16(h + 12);
      off += 14;
      if (type <= 1500) {
        // 802.3 length field: LLC/SNAP/Novell frames carry no IP for synack.
        return len - off < type ? Weird.truncated_ethernet_frame : -1;
      }
      if (type < 1536) return Weird.undefined_ether_type;
      continue;
    }
    const h = d + off;
    if (type == ETH_IPV4 || type == ETH_IPV6) {
      p.l2Len = off;
      return 0;
    }
    if (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
      if (rem <= 4) return Weird.truncated_VLAN_header;
      if (++tags > MAX_VLAN_TAGS) return Weird.encapsulation_limit;
      const id = <i32>(be16(h) & 0xfff);
      // Zeek: the first tag is the VLAN, any later one (over)writes the inner VLAN.
      if (p.vlan < 0) p.vlan = id;
      else p.innerVlan = id;
      type = be16(h + 2);
      off += 4;
      if (type <= 1500) return len - off < 2 ? Weird.truncated_VLAN_header : -1;
      if (type < 1536) return Weird.undefined_vlan_protocol;
      continue;
    }
    if (type == ETH_MPLS || type == ETH_MPLS_MCAST) return mplsStack(p, off, steps);
    if (type == ETH_PPPOE) {
      // 6-byte PPPoE session header, then the 2-byte PPP protocol.
      if (rem <= 8) return Weird.truncated_pppoe_header;
      const proto = be16(h + 6);
      off += 8;
      if (proto != PPP_IPV4 && proto != PPP_IPV6) return -1;
      p.l2Len = off;
      return 0;
    }
    if (type == ETH_PBB) {
      // 4-byte I-TAG, then the customer's Ethernet header (Zeek needs more than 18 bytes here).
      if (rem <= 18) return Weird.truncated_PBB_header;
      off += 4;
      type = ETH_FRAME;
      continue;
    }
    if (type == ETH_VNTAG) {
      // 4-byte tag, then the EtherType of what follows.
      if (rem <= 6) return Weird.truncated_vntag_header;
      type = be16(h + 4);
      off += 6;
      continue;
    }
    return -1;
  }
}

/** Destination and source MAC of the Ethernet header at `h`. */
// @ts-ignore: decorator
@inline function setMacs(p: Packet, h: usize): void {
  p.l2Dst = mac48(h);
  p.l2Src = mac48(h + 6);
  p.hasL2 = p.l2Dst != 0 || p.l2Src != 0;
}

/**
 * Skips an MPLS label stack to the bottom-of-stack label. RFC 3032 does not say what is inside, so the
 * IP version nibble decides; anything else is not IP.
 */
function mplsStack(p: Packet, off: u32, steps: u32): i32 {
  const d = p.layerPtr;
  const len = p.layerCap;
  while (true) {
    if (len - off <= 4) return Weird.truncated_link_header;
    if (++steps >= MAX_LINK_STEPS) return Weird.encapsulation_limit;
    const bottom = (u8at(d + off + 2) & 1) != 0;
    off += 4;
    if (bottom) break;
  }
  const v = u8at(d + off) >> 4;
  if (v != 4 && v != 6) return -1;
  p.l2Len = off;
  return 0;
}
