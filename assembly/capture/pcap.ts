/**
 * Classic pcap (libpcap savefile): a 24-byte file header, then records of a 16-byte header and caplen bytes.
 * Checks follow libpcap, the reader Zeek uses, with synack's size limit on top.
 */
import { Packet } from "../decode/packet";
import { CaptureError } from "../schema.generated";
import { le32, rd16, rd32 } from "../util/bytes";
import { fail } from "./error";
import { inputAvail, inputClosed, inputConsume, inputHold, inputOffset, inputPtr } from "./input";
import { timeOf } from "./time";

export const PCAP_FILE_HEADER: u32 = 24;
export const PCAP_RECORD_HEADER: u32 = 16;
/** Largest captured length synack buffers (a record must fit the input buffer whole). */
export const MAX_RECORD: u32 = 1 << 20;
/** tcpdump writes records up to this size into files whose header has a smaller snaplen; libpcap accepts them. */
const TOLERATED_CAPLEN: u32 = 262144;

// Section state: set by the file header.
let bigEndian: bool = false;
let nanos: bool = false;
let snapLen: u32 = 0;
let linkType: u32 = 0;
let haveHeader: bool = false;

export function pcapReset(): void {
  bigEndian = false;
  nanos = false;
  snapLen = 0;
  linkType = 0;
  haveHeader = false;
}

/** Magic numbers as read little-endian from the first 4 bytes. */
// @ts-ignore: decorator
@inline export function isPcapMagic(m: u32): bool {
  return m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1;
}

/** Reads the next record: 1 ready, 0 more input needed (or clean end), −code on a fatal error. */
// @ts-ignore: decorator
@inline export function pcapNext(p: Packet): i32 {
  if (!haveHeader) {
    const r = readFileHeader();
    if (r <= 0) return r;
  }
  const avail = inputAvail();
  const at = inputOffset();
  if (avail < PCAP_RECORD_HEADER) {
    if (!inputClosed() || avail == 0) return 0;
    return fail(CaptureError.TruncatedRecordHeader, at, <u64>avail);
  }
  const h = inputPtr();
  // The file's settings, read once (globals are not kept in registers across the stores below).
  const be = bigEndian, snap = snapLen;
  const capLen = rd32(h + 8, be);
  if (capLen > MAX_RECORD) return fail(CaptureError.RecordTooLarge, at, <u64>capLen);
  if (capLen > snap && snap != 0 && capLen > TOLERATED_CAPLEN) {
    return fail(CaptureError.CapLenAboveSnapLen, at, <u64>capLen);
  }
  const total = PCAP_RECORD_HEADER + capLen;
  if (avail < total) {
    if (!inputClosed()) return 0;
    return fail(CaptureError.TruncatedRecord, at, <u64>capLen);
  }
  // libpcap's on-disk timeval has signed 32-bit fields; ns files are cut to µs by integer division.
  const sec = <i32>rd32(h, be);
  let frac = <i32>rd32(h + 4, be);
  if (nanos) frac = frac / 1000;
  p.ts = timeOf(<f64>sec, <f64>frac);
  p.linkType = linkType;
  p.data = h + PCAP_RECORD_HEADER;
  // A record longer than the file's snap length is cut to it, the rest skipped (libpcap does the same).
  p.capLen = snap != 0 && capLen > snap ? snap : capLen;
  p.wireLen = rd32(h + 12, be);
  p.fileOffset = at;
  inputHold(total);
  return 1;
}

function readFileHeader(): i32 {
  const avail = inputAvail();
  if (avail < PCAP_FILE_HEADER) {
    if (!inputClosed()) return 0;
    return fail(CaptureError.TruncatedFileHeader, inputOffset(), <u64>avail);
  }
  const h = inputPtr();
  const m = le32(h);
  bigEndian = m == 0xd4c3b2a1 || m == 0x4d3cb2a1;
  nanos = m == 0xa1b23c4d || m == 0x4d3cb2a1;
  const major = rd16(h + 4, bigEndian);
  if (major != 2) return fail(CaptureError.UnsupportedVersion, inputOffset(), <u64>major);
  snapLen = rd32(h + 16, bigEndian);
  // The upper bits carry FCS length flags; the link type is the low 16 bits.
  linkType = rd32(h + 20, bigEndian) & 0xffff;
  inputConsume(PCAP_FILE_HEADER);
  haveHeader = true;
  return 1;
}
