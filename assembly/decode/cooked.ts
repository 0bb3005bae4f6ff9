/**
 * Link types without Ethernet framing: Linux cooked capture (SLL, SLL2), BSD loopback (NULL, LOOP) and
 * raw IP. Each returns 0 with p.l2Len at an IP header, −1 when the frame carries no IP, or a weird id.
 * Length checks and weird names follow Zeek's linux_sll/, linux_sll2/ and null/ analyzers.
 */
import { Packet } from "./packet";
import { Weird } from "../schema.generated";
import { be16, bswap32, le32, mac48, u8at } from "../util/bytes";

// @ts-ignore: decorator
@inline const SLL_HEADER: u32 = 16;
// @ts-ignore: decorator
@inline const SLL2_HEADER: u32 = 20;

// @ts-ignore: decorator
@inline function isIpEtherType(t: u32): bool {
  return t == 0x0800 || t == 0x86dd;
}

/** LINUX_SLL: packet type, ARPHRD, address length, 8-byte source address, protocol (EtherType). */
export function decodeSll(p: Packet): i32 {
  if (p.capLen <= SLL_HEADER) return Weird.truncated_Linux_SLL_header;
  const d = p.data;
  // No destination address in cooked captures; a 6-byte source address is a MAC.
  if (be16(d + 4) == 6) setSourceMac(p, d + 6);
  if (!isIpEtherType(be16(d + 14))) return -1;
  p.l2Len = SLL_HEADER;
  return 0;
}

/** LINUX_SLL2: protocol, reserved, interface index, ARPHRD, packet type, address length, 8-byte address. */
export function decodeSll2(p: Packet): i32 {
  if (p.capLen <= SLL2_HEADER) return Weird.truncated_Linux_SLL2_header;
  const d = p.data;
  if (u8at(d + 11) == 6) setSourceMac(p, d + 12);
  if (!isIpEtherType(be16(d))) return -1;
  p.l2Len = SLL2_HEADER;
  return 0;
}

function setSourceMac(p: Packet, at: usize): void {
  p.l2Src = mac48(at);
  p.l2Dst = 0;
  p.hasL2 = p.l2Src != 0;
}

/**
 * NULL/LOOP: a 4-byte address family in the capturing host's byte order (LOOP: network order). Both
 * orders are accepted: real families are small, so a value above 0xffff is the swapped form. AF_INET6
 * is 24, 28 or 30 depending on the BSD that wrote the file.
 */
export function decodeNull(p: Packet): i32 {
  if (p.capLen <= 4) return Weird.null_analyzer_failed;
  let fam = le32(p.data);
  if (fam > 0xffff) fam = bswap32(fam);
  if (fam != 2 && fam != 24 && fam != 28 && fam != 30) return -1;
  p.l2Len = 4;
  return 0;
}

/** Raw IP link types: the IP header starts the frame; the IP decoder checks the version. */
// @ts-ignore: decorator
@inline export function decodeRaw(p: Packet): i32 {
  p.l2Len = 0;
  return 0;
}
