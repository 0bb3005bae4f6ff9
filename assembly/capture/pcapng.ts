/**
 * pcapng: a sequence of blocks (type, total length, body, total length again). A Section Header Block
 * sets the byte order and starts a new interface list; Interface Description Blocks give each
 * interface's link type, snap length and timestamp resolution; EPB/SPB/PB carry packets. Every other
 * block is skipped by its length. Validation follows libpcap where Zeek would refuse the file.
 */
import { Packet } from "../decode/packet";
import { CaptureError } from "../schema.generated";
import { le32, rd16, rd32, u8at } from "../util/bytes";
import { fail } from "./error";
import { inputAvail, inputClosed, inputConsume, inputHold, inputOffset, inputPtr } from "./input";
import { pcapngTime } from "./time";

/** Largest block synack buffers (a block must fit the input buffer whole). */
export const MAX_BLOCK: u32 = (1 << 20) + (64 << 10);
/** Interfaces kept per section (fixed table). */
export const MAX_INTERFACES: u32 = 64;

const SHB: u32 = 0x0a0d0d0a;
const IDB: u32 = 1;
const PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b3c4d;

const OPT_END: u32 = 0;
const OPT_TSRESOL: u32 = 9;
const OPT_TSOFFSET: u32 = 14;

/** One described interface. */
@final @unmanaged
class Iface {
  linkType: u32 = 0;
  snapLen: u32 = 0;
  /** if_tsresol exponent; the unit is 10^-exp or 2^-exp seconds. */
  tsExp: u32 = 6;
  tsBinary: bool = false;
  /** if_tsoffset, whole seconds added to every timestamp. */
  tsOffset: i64 = 0;
}

const IFACE_SIZE = offsetof<Iface>();
const ifaces: usize = heap.alloc(<usize>IFACE_SIZE * MAX_INTERFACES);
let ifaceCount: u32 = 0;
let bigEndian: bool = false;

export function pcapngReset(): void {
  ifaceCount = 0;
  bigEndian = false;
}

// @ts-ignore: decorator
@inline function iface(i: u32): Iface {
  return changetype<Iface>(ifaces + <usize>i * IFACE_SIZE);
}

// @ts-ignore: decorator
@inline export function isPcapngMagic(m: u32): bool {
  return m == SHB;
}

/** Reads blocks until a packet block is ready: 1 ready, 0 more input needed (or clean end), −code on error. */
export function pcapngNext(p: Packet): i32 {
  while (true) {
    const avail = inputAvail();
    const at = inputOffset();
    if (avail == 0) return 0;
    const b = inputPtr();
    // Type and length (8 bytes) decide the size checks; an SHB also needs its byte-order magic.
    const type = avail >= 4 ? le32(b) : 0; // the SHB type reads the same in both orders
    if (avail < (type == SHB ? <u32>12 : <u32>8)) {
      if (!inputClosed()) return 0;
      return fail(CaptureError.TruncatedBlock, at, <u64>avail);
    }
    if (type == SHB) {
      // The byte order of a section is known only from its header's magic at offset 8.
      const bom = le32(b + 8);
      if (bom == BYTE_ORDER_MAGIC) bigEndian = false;
      else if (bom == bswap<u32>(BYTE_ORDER_MAGIC)) bigEndian = true;
      else return fail(CaptureError.NotACapture, at, <u64>bom);
    }
    const len = rd32(b + 4, bigEndian);
    if (len < 12 || (len & 3) != 0) return fail(CaptureError.BadBlockLength, at, <u64>len);
    if (len > MAX_BLOCK) return fail(CaptureError.BlockTooLarge, at, <u64>len);
    if (avail < len) {
      if (!inputClosed()) return 0;
      return fail(CaptureError.TruncatedBlock, at, <u64>len);
    }
    if (rd32(b + len - 4, bigEndian) != len) return fail(CaptureError.BadBlockLength, at, <u64>len);
    const bt = type == SHB ? SHB : rd32(b, bigEndian);
    let r: i32 = 0;
    if (bt == SHB) r = sectionHeader(b, len, at);
    else if (bt == IDB) r = interfaceDescription(b, len, at);
    else if (bt == EPB || bt == PB) return packetBlock(p, b, len, at, bt == PB);
    else if (bt == SPB) return simplePacket(p, b, len, at);
    if (r < 0) return r;
    inputConsume(len);
  }
}

function sectionHeader(b: usize, len: u32, at: u64): i32 {
  if (len < 28) return fail(CaptureError.BadBlockLength, at, <u64>len);
  const major = rd16(b + 12, bigEndian);
  if (major != 1) return fail(CaptureError.UnsupportedVersion, at, <u64>major);
  ifaceCount = 0;
  return 0;
}

function interfaceDescription(b: usize, len: u32, at: u64): i32 {
  if (len < 20) return fail(CaptureError.BadBlockLength, at, <u64>len);
  if (ifaceCount >= MAX_INTERFACES) return fail(CaptureError.TooManyInterfaces, at, <u64>(ifaceCount + 1));
  const f = iface(ifaceCount);
  f.linkType = rd16(b + 8, bigEndian);
  f.snapLen = rd32(b + 12, bigEndian);
  f.tsExp = 6;
  f.tsBinary = false;
  f.tsOffset = 0;
  // Options: code, length, value padded to 4; a malformed list just ends the walk.
  let o = b + 16;
  const stop = b + len - 4;
  while (o + 4 <= stop) {
    const code = rd16(o, bigEndian);
    const olen = rd16(o + 2, bigEndian);
    if (code == OPT_END) break;
    const v = o + 4;
    if (v + olen > stop) break;
    if (code == OPT_TSRESOL && olen >= 1) {
      const r = u8at(v);
      f.tsBinary = (r & 0x80) != 0;
      f.tsExp = r & 0x7f;
      // libpcap refuses resolutions whose tick count per second overflows a u64.
      if (f.tsExp > (f.tsBinary ? 63 : 19)) return fail(CaptureError.BadTimestampResolution, at, <u64>r);
    } else if (code == OPT_TSOFFSET && olen >= 8) {
      // A 64-bit integer in section order: the first word is the high half only when big-endian.
      const w0 = <u64>rd32(v, bigEndian);
      const w1 = <u64>rd32(v + 4, bigEndian);
      f.tsOffset = <i64>(bigEndian ? (w0 << 32) | w1 : (w1 << 32) | w0);
    }
    o = v + ((olen + 3) & ~3);
  }
  ifaceCount++;
  return 0;
}

/** EPB (type 6) and the obsolete PB (type 2, 16-bit interface id): same layout after the id. */
function packetBlock(p: Packet, b: usize, len: u32, at: u64, obsolete: bool): i32 {
  if (len < 32) return fail(CaptureError.BadBlockLength, at, <u64>len);
  const id = obsolete ? rd16(b + 8, bigEndian) : rd32(b + 8, bigEndian);
  if (id >= ifaceCount) return fail(CaptureError.UnknownInterface, at, <u64>id);
  const capLen = rd32(b + 20, bigEndian);
  if (capLen > len - 32) return fail(CaptureError.BadPacketLength, at, <u64>capLen);
  const f = iface(id);
  const units = (<u64>rd32(b + 12, bigEndian) << 32) | <u64>rd32(b + 16, bigEndian);
  p.ts = pcapngTime(units, f.tsExp, f.tsBinary, f.tsOffset);
  p.linkType = f.linkType;
  p.data = b + 28;
  p.capLen = capLen;
  p.wireLen = rd32(b + 24, bigEndian);
  p.fileOffset = at;
  inputHold(len);
  return 1;
}

/** SPB: interface 0, no timestamp; the captured length is implied by the snap length and the block. */
function simplePacket(p: Packet, b: usize, len: u32, at: u64): i32 {
  if (len < 16) return fail(CaptureError.BadBlockLength, at, <u64>len);
  if (ifaceCount == 0) return fail(CaptureError.UnknownInterface, at, 0);
  const f = iface(0);
  const wire = rd32(b + 8, bigEndian);
  let cap = wire;
  if (f.snapLen != 0 && cap > f.snapLen) cap = f.snapLen;
  if (cap > len - 16) cap = len - 16;
  p.ts = 0;
  p.linkType = f.linkType;
  p.data = b + 12;
  p.capLen = cap;
  p.wireLen = wire;
  p.fileOffset = at;
  inputHold(len);
  return 1;
}
