import { packet } from "../../assembly/decode/packet";
import { inputClose, inputSpace, inputWritePtr, inputSlab, inputSlabBytes, inputSlabCommit } from "../../assembly/capture/input";
import {
  nextRecord, captureEnded, captureErrorCode, captureErrorOffset, captureErrorValue, captureBytesConsumed,
} from "../../assembly/capture/reader";
import { CaptureError } from "../../assembly/schema.generated";
import { Bytes, startCapture, feed, feedAll } from "./fixtures/build";

const SEC: u32 = 1529347003;

function pcapHeader(be: bool, nanos: bool, snap: u32 = 65535, link: u32 = 1): Bytes {
  return new Bytes(be).u32(nanos ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(snap).u32(link);
}

function record(b: Bytes, sec: u32, frac: u32, capLen: u32, origLen: u32, fill: u8 = 0xab): Bytes {
  b.u32(sec).u32(frac).u32(capLen).u32(origLen);
  for (let i: u32 = 0; i < capLen; i++) b.u8(i == 0 ? fill : <u8>i);
  return b;
}

function expectedTs(sec: u32, usec: u32): f64 {
  return <f64>sec + <f64>usec / 1e6;
}

describe("pcap", () => {
  test("the host writes at 8-byte aligned addresses once records were read, offsets unchanged", () => {
    // Records of odd sizes, fed in pieces that end inside records: every compaction leaves a partial record of
    // some length in front of the write position, which must still land on an 8-byte boundary.
    startCapture();
    const b = pcapHeader(false, false);
    for (let i: u32 = 0; i < 40; i++) record(b, SEC + i, i, 41 + i * 13, 41 + i * 13, <u8>i);
    let off = 0, frames: u32 = 0, expectOffset: u64 = 24, checked = 0;
    let read = false;
    while (off < b.length) {
      const to = min(b.length, off + 301);
      // The window moves (and so aligns) once a record was read since the last feed.
      if (read && inputSpace() > 0) {
        expect(inputWritePtr() & 7).toBe(0);
        checked++;
      }
      feed(b, off, to);
      off = to;
      if (off == b.length) inputClose();
      read = false;
      while (nextRecord(packet) == 1) {
        expect(packet.fileOffset).toBe(expectOffset);
        expect(load<u8>(packet.data)).toBe(<u8>frames);
        expectOffset += 16 + <u64>packet.capLen;
        frames++;
        read = true;
      }
    }
    expect(frames).toBe(40);
    expect(captureBytesConsumed()).toBe(<u64>b.length);
    expect(checked).toBeGreaterThan(20);
  });

  test("slabs: records that run across slab turns are read whole, offsets unchanged", () => {
    // Each commit goes to the other slab and ends inside a record: the partial record is moved in front of the
    // new bytes every time, and must read as if the bytes had never moved.
    startCapture();
    const b = pcapHeader(false, false);
    for (let i: u32 = 0; i < 40; i++) record(b, SEC + i, i, 41 + i * 13, 41 + i * 13, <u8>i);
    let off = 0, slab: u32 = 0, frames: u32 = 0, expectOffset: u64 = 24;
    while (off < b.length) {
      const to = min(b.length, off + 301);
      const p = inputSlab(slab);
      for (let i = off; i < to; i++) store<u8>(p + <usize>(i - off), b.data[i]);
      expect(inputSlabCommit(slab, <u32>(to - off))).toBe(true);
      slab ^= 1;
      off = to;
      if (off == b.length) inputClose();
      while (nextRecord(packet) == 1) {
        expect(packet.fileOffset).toBe(expectOffset);
        expect(load<u8>(packet.data)).toBe(<u8>frames);
        expect(load<u8>(packet.data + packet.capLen - 1)).toBe(<u8>(packet.capLen - 1));
        expectOffset += 16 + <u64>packet.capLen;
        frames++;
      }
    }
    expect(frames).toBe(40);
    expect(captureEnded()).toBe(true);
    expect(captureBytesConsumed()).toBe(<u64>b.length);
  });

  test("slabs: no commit while a record is held or with more unread than fits in front of a slab", () => {
    startCapture();
    const b = pcapHeader(false, false);
    record(b, SEC, 1, 60, 60, 0x45);
    record(b, SEC, 2, 60, 60, 0x46);
    const p = inputSlab(0);
    for (let i = 0; i < b.length; i++) store<u8>(p + <usize>i, b.data[i]);
    expect(inputSlabCommit(0, <u32>b.length)).toBe(true);
    expect(nextRecord(packet)).toBe(1);
    // The first record is held (the packet points into it): it must not move.
    expect(inputSlabCommit(1, 0)).toBe(false);
    expect(nextRecord(packet)).toBe(1);
    expect(load<u8>(packet.data)).toBe(0x46);
    expect(nextRecord(packet)).toBe(0);
    expect(inputSlabCommit(1, 0)).toBe(true);
    // A whole slab left unread does not fit in front of the other one.
    expect(inputSlabCommit(0, inputSlabBytes())).toBe(true);
    expect(inputSlabCommit(1, 0)).toBe(false);
    // Nor in the copying buffer: no space is offered there.
    expect(inputSpace()).toBe(0);
    expect(captureBytesConsumed()).toBe(<u64>b.length);
  });

  test("µs little-endian: two records with frame numbers, offsets and times", () => {
    startCapture();
    const b = pcapHeader(false, false);
    record(b, SEC, 834704, 40, 40, 0x45);
    record(b, SEC + 1, 5, 60, 60, 0x46);
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.frame).toBe(1);
    expect(packet.linkType).toBe(1);
    expect(packet.capLen).toBe(40);
    expect(packet.wireLen).toBe(40);
    expect(packet.fileOffset).toBe(24);
    expect(load<u8>(packet.data)).toBe(0x45);
    expect(packet.ts).toBe(expectedTs(SEC, 834704));
    expect(nextRecord(packet)).toBe(1);
    expect(packet.frame).toBe(2);
    expect(packet.fileOffset).toBe(24 + 16 + 40);
    expect(load<u8>(packet.data)).toBe(0x46);
    expect(packet.ts).toBe(expectedTs(SEC + 1, 5));
    expect(nextRecord(packet)).toBe(0);
    expect(captureEnded()).toBe(true);
    expect(captureBytesConsumed()).toBe(24 + 56 + 76);
  });

  test("µs big-endian", () => {
    startCapture();
    const b = pcapHeader(true, false, 65535, 101);
    record(b, SEC, 999999, 20, 1500);
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.linkType).toBe(101);
    expect(packet.capLen).toBe(20);
    expect(packet.wireLen).toBe(1500);
    expect(packet.ts).toBe(expectedTs(SEC, 999999));
  });

  test("ns little-endian: sub-microsecond digits are truncated", () => {
    startCapture();
    const b = pcapHeader(false, true);
    record(b, SEC, 834704999, 20, 20);
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.ts).toBe(expectedTs(SEC, 834704));
  });

  test("ns big-endian", () => {
    startCapture();
    const b = pcapHeader(true, true);
    record(b, SEC, 1999, 20, 20);
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.ts).toBe(expectedTs(SEC, 1));
  });

  test("link type: FCS bits above the low 16 are ignored", () => {
    startCapture();
    const b = pcapHeader(false, false, 65535, 0x14000001);
    record(b, SEC, 0, 20, 20);
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.linkType).toBe(1);
  });

  test("snaplen-truncated record keeps both lengths", () => {
    startCapture();
    const b = pcapHeader(false, false, 30);
    record(b, SEC, 0, 30, 60);
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.capLen).toBe(30);
    expect(packet.wireLen).toBe(60);
  });

  test("caplen above origlen is tolerated", () => {
    startCapture();
    const b = pcapHeader(false, false);
    record(b, SEC, 0, 60, 40);
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.capLen).toBe(60);
    expect(packet.wireLen).toBe(40);
  });

  test("caplen above snaplen: tolerated up to 262144, or when snaplen is 0", () => {
    startCapture();
    const b = pcapHeader(false, false, 100);
    record(b, SEC, 0, 200, 200);
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    startCapture();
    const c = pcapHeader(false, false, 0);
    record(c, SEC, 0, 300000, 300000);
    feedAll(c);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.capLen).toBe(300000);
  });

  test("caplen above snaplen and 262144 → CapLenAboveSnapLen", () => {
    startCapture();
    const b = pcapHeader(false, false, 100);
    b.u32(SEC).u32(0).u32(300000).u32(300000);
    feedAll(b);
    expect(nextRecord(packet)).toBe(-CaptureError.CapLenAboveSnapLen);
    expect(captureErrorOffset()).toBe(24);
    expect(captureErrorValue()).toBe(300000);
  });

  test("a record split into 1-byte chunks", () => {
    startCapture();
    const b = pcapHeader(false, false);
    record(b, SEC, 1, 50, 50, 0x11);
    record(b, SEC, 2, 33, 33, 0x22);
    let got = 0;
    for (let i = 0; i < b.length; i++) {
      feed(b, i, i + 1);
      while (true) {
        const r = nextRecord(packet);
        expect(r).toBeGreaterThanOrEqual(0);
        if (r == 0) break;
        got++;
        expect(packet.frame).toBe(<u32>got);
        expect(load<u8>(packet.data)).toBe(got == 1 ? 0x11 : 0x22);
        expect(packet.capLen).toBe(got == 1 ? 50 : 33);
        expect(packet.fileOffset).toBe(got == 1 ? 24 : 24 + 66);
      }
    }
    expect(got).toBe(2);
    expect(captureEnded()).toBe(false);
    inputClose();
    expect(nextRecord(packet)).toBe(0);
    expect(captureEnded()).toBe(true);
  });

  test("waits for more bytes before the input is closed", () => {
    startCapture();
    const b = pcapHeader(false, false);
    record(b, SEC, 0, 40, 40);
    feed(b, 0, 50);
    expect(nextRecord(packet)).toBe(0);
    expect(captureEnded()).toBe(false);
    feed(b, 50);
    expect(nextRecord(packet)).toBe(1);
  });

  test("truncated file header", () => {
    startCapture();
    const b = pcapHeader(false, false);
    const c = new Bytes();
    for (let i = 0; i < 10; i++) c.u8(b.data[i]);
    feedAll(c);
    expect(nextRecord(packet)).toBe(-CaptureError.TruncatedFileHeader);
    expect(captureErrorCode()).toBe(CaptureError.TruncatedFileHeader);
    expect(captureErrorOffset()).toBe(0);
    expect(captureErrorValue()).toBe(10);
    // errors are sticky
    expect(nextRecord(packet)).toBe(-CaptureError.TruncatedFileHeader);
  });

  test("empty input is a truncated file header", () => {
    startCapture();
    inputClose();
    expect(nextRecord(packet)).toBe(-CaptureError.TruncatedFileHeader);
  });

  test("truncated record header and truncated record, with offsets", () => {
    startCapture();
    const b = pcapHeader(false, false);
    record(b, SEC, 0, 20, 20);
    b.u32(SEC).u32(0); // half a record header
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(nextRecord(packet)).toBe(-CaptureError.TruncatedRecordHeader);
    expect(captureErrorOffset()).toBe(24 + 36);
    startCapture();
    const c = pcapHeader(false, false);
    c.u32(SEC).u32(0).u32(100).u32(100).zeros(50);
    feedAll(c);
    expect(nextRecord(packet)).toBe(-CaptureError.TruncatedRecord);
    expect(captureErrorOffset()).toBe(24);
    expect(captureErrorValue()).toBe(100);
  });

  test("absurd caplen → RecordTooLarge at the record's offset, without buffering", () => {
    startCapture();
    const b = pcapHeader(false, false, 0);
    record(b, SEC, 0, 20, 20);
    b.u32(SEC).u32(0).u32(0x7fffffff).u32(0x7fffffff);
    feed(b); // not closed: the reader must not wait for 2 GB
    expect(nextRecord(packet)).toBe(1);
    expect(nextRecord(packet)).toBe(-CaptureError.RecordTooLarge);
    expect(captureErrorOffset()).toBe(24 + 36);
    expect(captureErrorValue()).toBe(0x7fffffff);
  });

  test("unknown magic → NotACapture; pcap version 3 → UnsupportedVersion", () => {
    startCapture();
    feedAll(new Bytes().u32(0x12345678).zeros(20));
    expect(nextRecord(packet)).toBe(-CaptureError.NotACapture);
    startCapture();
    feedAll(new Bytes().u32(0xa1b2c3d4).u16(3).u16(0).zeros(16));
    expect(nextRecord(packet)).toBe(-CaptureError.UnsupportedVersion);
    expect(captureErrorValue()).toBe(3);
  });
});
