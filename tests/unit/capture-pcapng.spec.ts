import { packet } from "../../assembly/decode/packet";
import { nextRecord, captureEnded, captureErrorOffset, captureErrorValue } from "../../assembly/capture/reader";
import { CaptureError } from "../../assembly/schema.generated";
import { Bytes, startCapture, feed, feedAll } from "./fixtures/build";
import { shb, idb, epb, pb, spb, block, payload } from "./fixtures/pcapng";
import { inputClose } from "../../assembly/capture/input";

const SEC: u64 = 1529347003;

function ts(sec: u64, usec: u64): f64 {
  return <f64>sec + <f64>usec / 1e6;
}

describe("pcapng", () => {
  test("one section, default resolution (µs)", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b);
    idb(b, 1, 65535);
    epb(b, 0, SEC * 1000000 + 834704, payload(42, 0x45), 60);
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.frame).toBe(1);
    expect(packet.linkType).toBe(1);
    expect(packet.capLen).toBe(42);
    expect(packet.wireLen).toBe(60);
    expect(load<u8>(packet.data)).toBe(0x45);
    expect(packet.fileOffset).toBe(28 + 20);
    expect(packet.ts).toBe(ts(SEC, 834704));
    expect(nextRecord(packet)).toBe(0);
    expect(captureEnded()).toBe(true);
  });

  test("two sections of different byte order; each resets the interface list", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b);
    idb(b, 1);
    epb(b, 0, SEC * 1000000, payload(20, 0x11));
    b.be = true;
    shb(b);
    idb(b, 101);
    epb(b, 0, SEC * 1000000 + 7, payload(21, 0x22));
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.linkType).toBe(1);
    expect(load<u8>(packet.data)).toBe(0x11);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.frame).toBe(2);
    expect(packet.linkType).toBe(101);
    expect(packet.capLen).toBe(21);
    expect(load<u8>(packet.data)).toBe(0x22);
    expect(packet.ts).toBe(ts(SEC, 7));
    expect(nextRecord(packet)).toBe(0);
    expect(captureEnded()).toBe(true);
  });

  test("interface of an earlier section is unknown after a new section header", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b);
    idb(b, 1);
    idb(b, 1);
    shb(b);
    idb(b, 1);
    const at = b.length;
    epb(b, 1, 0, payload(20, 0));
    feedAll(b);
    expect(nextRecord(packet)).toBe(-CaptureError.UnknownInterface);
    expect(captureErrorOffset()).toBe(<u64>at);
    expect(captureErrorValue()).toBe(1);
  });

  test("two interfaces with different link types and resolutions 10^-9 and 2^-20", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b);
    idb(b, 1, 0, 9);
    idb(b, 113, 0, 0x80 | 20);
    epb(b, 0, SEC * 1000000000 + 123456789, payload(20, 1));
    epb(b, 1, (SEC << 20) | 524288, payload(20, 2));
    epb(b, 1, (SEC << 20) | 3, payload(20, 3));
    epb(b, 0, SEC * 1000000000 + 999, payload(20, 4));
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.linkType).toBe(1);
    expect(packet.ts).toBe(ts(SEC, 123456));
    expect(nextRecord(packet)).toBe(1);
    expect(packet.linkType).toBe(113);
    expect(packet.ts).toBe(ts(SEC, 500000));
    expect(nextRecord(packet)).toBe(1);
    // 3 / 2^20 s = 2.86 µs, truncated
    expect(packet.ts).toBe(ts(SEC, 2));
    expect(nextRecord(packet)).toBe(1);
    expect(packet.ts).toBe(ts(SEC, 0));
  });

  test("if_tsresol 10^-3 and if_tsoffset", () => {
    startCapture();
    const b = new Bytes(true);
    shb(b);
    idb(b, 1, 0, 3, 100);
    epb(b, 0, SEC * 1000 + 250, payload(20, 1));
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.ts).toBe(ts(SEC + 100, 250000));
  });

  test("resolution finer than 10^-19 is refused", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b);
    idb(b, 1, 0, 20);
    feedAll(b);
    expect(nextRecord(packet)).toBe(-CaptureError.BadTimestampResolution);
  });

  test("Simple Packet Block: interface 0, ts 0, caplen = min(origlen, snaplen, block room)", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b);
    idb(b, 1, 64);
    spb(b, 100, payload(100, 0x33));
    spb(b, 50, payload(50, 0x44));
    spb(b, 200, payload(30, 0x55)); // shorter than origlen and snaplen: the block bounds it
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.capLen).toBe(64);
    expect(packet.wireLen).toBe(100);
    expect(packet.ts).toBe(0);
    expect(load<u8>(packet.data)).toBe(0x33);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.capLen).toBe(50);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.capLen).toBe(32); // 30 bytes padded to 32: the block room
    expect(load<u8>(packet.data)).toBe(0x55);
  });

  test("obsolete Packet Block (type 2)", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b);
    idb(b, 1);
    pb(b, 0, SEC * 1000000 + 1, payload(24, 0x66));
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(packet.capLen).toBe(24);
    expect(load<u8>(packet.data)).toBe(0x66);
    expect(packet.ts).toBe(ts(SEC, 1));
  });

  test("unknown blocks are skipped by their length", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b);
    block(b, 0x0bad, 20);
    idb(b, 1);
    block(b, 5, 8); // interface statistics
    epb(b, 0, 0, payload(20, 0x77));
    feedAll(b);
    expect(nextRecord(packet)).toBe(1);
    expect(load<u8>(packet.data)).toBe(0x77);
    expect(nextRecord(packet)).toBe(0);
    expect(captureEnded()).toBe(true);
  });

  test("bad block lengths: below 12, not a multiple of 4, trailer mismatch", () => {
    startCapture();
    let b = new Bytes(false);
    shb(b);
    const at = b.length;
    block(b, 0x0bad, 4, 8);
    feedAll(b);
    expect(nextRecord(packet)).toBe(-CaptureError.BadBlockLength);
    expect(captureErrorOffset()).toBe(<u64>at);
    expect(captureErrorValue()).toBe(8);

    startCapture();
    b = new Bytes(false);
    shb(b);
    block(b, 0x0bad, 8, 18);
    feedAll(b);
    expect(nextRecord(packet)).toBe(-CaptureError.BadBlockLength);

    startCapture();
    b = new Bytes(false);
    shb(b);
    block(b, 0x0bad, 8, -1, 24);
    feedAll(b);
    expect(nextRecord(packet)).toBe(-CaptureError.BadBlockLength);
  });

  test("block too large, packet longer than its block, truncated block", () => {
    startCapture();
    let b = new Bytes(false);
    shb(b);
    b.u32(6).u32(0x7ffffff0);
    feed(b);
    expect(nextRecord(packet)).toBe(-CaptureError.BlockTooLarge);
    expect(captureErrorValue()).toBe(0x7ffffff0);

    startCapture();
    b = new Bytes(false);
    shb(b);
    idb(b, 1);
    epb(b, 0, 0, payload(20, 0), -1, 200);
    feedAll(b);
    expect(nextRecord(packet)).toBe(-CaptureError.BadPacketLength);
    expect(captureErrorValue()).toBe(200);

    startCapture();
    b = new Bytes(false);
    shb(b);
    idb(b, 1);
    const at = b.length;
    epb(b, 0, 0, payload(20, 0));
    const c = new Bytes();
    for (let i = 0; i < b.length - 6; i++) c.u8(b.data[i]);
    feedAll(c);
    expect(nextRecord(packet)).toBe(-CaptureError.TruncatedBlock);
    expect(captureErrorOffset()).toBe(<u64>at);
  });

  test("more than 64 interfaces in a section → TooManyInterfaces", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b);
    for (let i = 0; i < 65; i++) idb(b, 1);
    feedAll(b);
    expect(nextRecord(packet)).toBe(-CaptureError.TooManyInterfaces);
    expect(captureErrorValue()).toBe(65);
  });

  test("unsupported section version", () => {
    startCapture();
    const b = new Bytes(false);
    shb(b, 2);
    feedAll(b);
    expect(nextRecord(packet)).toBe(-CaptureError.UnsupportedVersion);
  });

  test("blocks fed one byte at a time", () => {
    startCapture();
    const b = new Bytes(true);
    shb(b);
    idb(b, 1);
    epb(b, 0, 1, payload(33, 0x81));
    block(b, 0x0bad, 12);
    epb(b, 0, 2, payload(47, 0x82));
    let got = 0;
    for (let i = 0; i < b.length; i++) {
      feed(b, i, i + 1);
      while (true) {
        const r = nextRecord(packet);
        expect(r).toBeGreaterThanOrEqual(0);
        if (r == 0) break;
        got++;
        expect(load<u8>(packet.data)).toBe(got == 1 ? 0x81 : 0x82);
        expect(packet.capLen).toBe(got == 1 ? 33 : 47);
      }
    }
    expect(got).toBe(2);
    inputClose();
    expect(nextRecord(packet)).toBe(0);
    expect(captureEnded()).toBe(true);
  });
});
