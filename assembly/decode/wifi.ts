/**
 * IEEE 802.11 data frames as Aruba GRE carries them, following Zeek's IEEE802_11 packet analyzer: the data
 * header (24 bytes, 30 with a fourth address, +2 for QoS), LLC/SNAP, and A-MSDUs, where one frame holds
 * several subframes, each its own packet. Link addresses come from the 802.11 header by the To/From-DS
 * bits. Frames without data, protected QoS frames and non-SNAP LLC carry nothing synack reads (−1).
 *
 * A-MSDU iteration: decode80211 decodes the first subframe and leaves a cursor in the packet record
 * (p.subframePtr …, p.moreSubframes); nextSubframe() restores the 802.11 level and decodes the next one.
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { be16, mac48, u8at } from "../util/bytes";
import { INNER_IP, clearIp } from "./encap";

// @ts-ignore: decorator
@inline const DATA_HEADER: u32 = 24;
// @ts-ignore: decorator
@inline const SUBFRAME_HEADER: u32 = 14;
// @ts-ignore: decorator
@inline const LLC_SNAP: u32 = 8;
/** llcSnap: neither IP nor ARP (Zeek's 802.11 analyzer finds no analyzer for it). */
// @ts-ignore: decorator
@inline const UNHANDLED: i32 = -17;

/** Decodes the 802.11 frame at p.layerPtr (p.layerCap bytes). INNER_IP, −1 (no IP) or a weird id. */
export function decode80211(p: Packet): i32 {
  const d = p.layerPtr;
  const len = p.layerCap;
  let hlen = DATA_HEADER;
  if (hlen >= len) return Weird.truncated_802_11_header;
  const fc = u8at(d);
  // Management and control frames, and data subtypes without data (null, CF-ack/poll only).
  if (((fc >> 2) & 0x02) == 0) return -1;
  if (((fc >> 4) & 0x04) != 0) return -1;
  const flags = u8at(d + 1);
  if ((flags & 0x03) == 0x03) hlen += 6;
  if (hlen >= len) return Weird.truncated_802_11_header;
  let amsdu = false;
  if (((fc >> 4) & 0x08) != 0) {
    // QoS control: bit 7 of its first byte marks an A-MSDU. Zeek only looks at the protected bit here.
    amsdu = (u8at(d + hlen) & 0x80) != 0;
    if ((flags & 0x40) != 0) return -1;
    hlen += 2;
  }
  if (hlen >= len) return Weird.truncated_802_11_header;
  setAddresses(p, d);
  if (!amsdu) {
    const r = llcSnap(p, hlen, len - hlen);
    return r == UNHANDLED ? -1 : r;
  }
  // One level of A-MSDU is walked; a second one inside a subframe's tunnel is refused.
  if (p.amsduActive) return Weird.encapsulation_limit;
  p.amsduActive = true;
  p.amsduFrame = d;
  p.amsduFrameCap = len;
  p.amsduFrameWire = p.layerWire;
  p.amsduWireExtra = p.wireExtra;
  p.amsduTunnels = p.tunnelCount;
  p.amsduKinds = p.tunnelKinds;
  p.subframePtr = d + hlen;
  p.subframeEnd = d + len;
  return subframe(p);
}

/** Restores the 802.11 level of the A-MSDU being walked and decodes its next subframe. */
export function nextSubframe(p: Packet): i32 {
  const d = p.amsduFrame;
  p.layerPtr = d;
  p.layerCap = p.amsduFrameCap;
  p.layerWire = p.amsduFrameWire;
  p.wireExtra = p.amsduWireExtra;
  p.tunnelCount = p.amsduTunnels;
  p.tunnelKinds = p.amsduKinds;
  p.vlan = -1;
  p.innerVlan = -1;
  setAddresses(p, d);
  clearIp(p);
  return subframe(p);
}

/** One A-MSDU subframe at p.subframePtr: DA, SA, length, then LLC/SNAP and the packet. */
function subframe(p: Packet): i32 {
  const at = p.subframePtr;
  const rem = <u32>(p.subframeEnd - at);
  p.moreSubframes = false;
  // A cut-short subframe ends the walk with its own weird (nothing more to report after it).
  if (rem < SUBFRAME_HEADER) {
    p.amsduActive = false;
    return Weird.truncated_802_11_amsdu_header;
  }
  const alen = be16(at + 12);
  if (rem < alen + SUBFRAME_HEADER) {
    p.amsduActive = false;
    return Weird.truncated_802_11_amsdu_packet;
  }
  const data = at + SUBFRAME_HEADER;
  let next = data + alen;
  // Zeek skips `length % 4` padding bytes when they are there (not the last subframe's).
  const pad = alen & 3;
  if (<u32>(p.subframeEnd - next) >= pad) next += pad;
  p.subframePtr = next;
  p.moreSubframes = next < p.subframeEnd;
  const r = llcSnap(p, <u32>(data - p.layerPtr), alen);
  // A subframe Zeek cannot hand on stops the walk with invalid_802_11_amsdu_inner_packet; ARP is handed on.
  if (r == INNER_IP || r == -1) return r;
  markSubframeFailed(p);
  return r == UNHANDLED ? -1 : r;
}

/** The current subframe failed: the next call reports it and ends the walk. */
export function markSubframeFailed(p: Packet): void {
  p.subframeFailed = true;
  p.moreSubframes = true;
}

/**
 * LLC/SNAP with a zero OUI at `off` (`len` bytes), then the EtherType: IPv4 and IPv6 go on (INNER_IP), ARP
 * is −1, anything else (other LLC, other EtherTypes) UNHANDLED.
 */
function llcSnap(p: Packet, off: u32, len: u32): i32 {
  if (len < LLC_SNAP) return Weird.truncated_802_11_llc_header;
  const h = p.layerPtr + off;
  if (u8at(h) != 0xaa || u8at(h + 1) != 0xaa || u8at(h + 2) != 0x03 ||
      u8at(h + 3) != 0 || u8at(h + 4) != 0 || u8at(h + 5) != 0) return UNHANDLED;
  const type = be16(h + 6);
  if (type == 0x0806) return -1;
  if (type != 0x0800 && type != 0x86dd) return UNHANDLED;
  p.l2Len = off + LLC_SNAP;
  // The IP analyzer sees this (sub)frame's bytes only.
  p.layerCap = off + len;
  return INNER_IP;
}

/** Source and destination MACs from the address fields the To/From-DS bits select. */
function setAddresses(p: Packet, d: usize): void {
  const ds = u8at(d + 1) & 0x03;
  let src: usize, dst: usize;
  if (ds == 0) { src = d + 10; dst = d + 4; }
  else if (ds == 1) { src = d + 10; dst = d + 16; }
  else if (ds == 2) { src = d + 16; dst = d + 4; }
  else { src = d + 24; dst = d + 16; }
  p.l2Src = mac48(src);
  p.l2Dst = mac48(dst);
  p.hasL2 = p.l2Src != 0 || p.l2Dst != 0;
}
