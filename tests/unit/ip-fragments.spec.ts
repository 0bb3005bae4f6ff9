/**
 * IP fragment reassembly (ip/fragments.ts) with Zeek's behaviour: in order, out of order, duplicates and
 * overlaps (the first bytes win), size inconsistencies, IPv6 fragment headers, incompletely captured
 * fragments, expiry on packet time, the synack bounds, and a tunnel inside a fragmented datagram.
 * Fragments are built as hex IPv4 headers (flags/offset word spelled out) around payload bytes.
 */
import { packet } from "../../assembly/decode/packet";
import { decodeFrame, decodeDatagram } from "../../assembly/decode/frame";
import {
  reassemble, FRAGMENT_HELD, configureFragments, resetFragments, pendingDatagrams, heldBytes,
} from "../../assembly/ip/fragments";
import { Weird } from "../../assembly/schema.generated";
import { Bytes, hex, loadFrame, addrText, fixIpv4Checksum } from "./fixtures/build";
import { tcpSyn } from "./fixtures/frames";
import { v4, hexThen, OUTER_A, OUTER_B, INNER_A, INNER_B } from "./support/tunnel-frames";
import { captureWeirds, takeWeirds, weirdsAre, weirdList } from "./support/weird-log";
import { Rng } from "./support/core-keys";

const RAW: u32 = 101;

// Limits for this file: 30 s expiry, 4 pending datagrams (3 per address pair), 64 KiB of chunks.
configureFragments(30, 4, 3, 64 << 10);
captureWeirds();

/** Bytes 0, 1, 2 … (mod 251) of a datagram payload, from offset `from`, `n` of them. */
function pattern(from: i32, n: i32, salt: u32 = 0): Bytes {
  const b = new Bytes(true);
  for (let i = from; i < from + n; i++) b.u8(<u32>((i + <i32>salt) % 251));
  return b;
}

/** An IPv4 fragment of protocol `proto`, id `id`, with the flags/offset word `frag` and `payload`. */
function frag4(id: u32, frag: u32, payload: Bytes, proto: u32 = 6, src: string = INNER_A): Bytes {
  const b = new Bytes(true);
  b.hex("4500").u16(20 + payload.length).u16(id).u16(frag).hex("40").u8(proto).hex("0000").hex(src).hex(INNER_B);
  fixIpv4Checksum(b, 0);
  return b.bytes(payload);
}

const MF: u32 = 0x2000;

/** Decodes and offers one captured fragment at time `t`; the reassembler's result. */
function offer(b: Bytes, t: f64, wire: i32 = -1): i32 {
  loadFrame(b, RAW, wire);
  const r = decodeFrame(packet, false, 5);
  if (r != 0) return r;
  expect(packet.isFragment).toBe(true);
  return reassemble(packet, t);
}

/** A TCP segment of 20 + n bytes whose payload is pattern(0, n). */
function segment(n: i32): Bytes {
  return hex("04d2 0050 00000001 00000000 5018 ffff 0000 0000").bytes(pattern(0, n));
}

/** The reassembled datagram's payload after the TCP header equals pattern(0, n). */
function expectSegment(n: i32): void {
  expect(packet.isFragment).toBe(false);
  expect(packet.proto).toBe(6);
  expect(packet.ipTotal).toBe(<u32>(40 + n));
  expect(packet.payloadDecl).toBe(<u32>(20 + n));
  expect(packet.payloadCap).toBe(<u32>(20 + n));
  let ok = true;
  for (let i = 0; i < n; i++) if (load<u8>(packet.l4Ptr + 20 + <usize>i) != <u8>(i % 251)) ok = false;
  expect(ok).toBe(true);
  // The datagram is whole: length set, MF and offset cleared.
  expect(<u32>bswap<u16>(load<u16>(packet.ipPtr + 2))).toBe(<u32>(40 + n));
  expect(<u32>(bswap<u16>(load<u16>(packet.ipPtr + 6)) & 0x3fff)).toBe(0);
}

/** Slice [from, to) of b. */
function slice(b: Bytes, from: i32, to: i32): Bytes {
  const s = new Bytes(true);
  for (let i = from; i < to; i++) s.u8(b.data[i]);
  return s;
}

function expectWeirds(want: u16[]): void {
  const got = takeWeirds();
  if (!weirdsAre(got, want)) log("weirds " + weirdList(got) + " want " + weirdList(want));
  expect(weirdsAre(got, want)).toBe(true);
}

describe("IPv4 fragments", () => {
  beforeEach(() => {
    resetFragments();
    takeWeirds();
  });

  test("in order: held, then the datagram with the time of the last fragment", () => {
    const seg = segment(100); // 120 bytes: 64 + 56
    expect(offer(frag4(1, MF | 0, slice(seg, 0, 64)), 1)).toBe(FRAGMENT_HELD);
    expect(pendingDatagrams()).toBe(1);
    expect(offer(frag4(1, 8, slice(seg, 64, 120)), 2)).toBe(0);
    expectSegment(100);
    expect(addrText(true)).toBe("10.0.0.1");
    expect(pendingDatagrams()).toBe(0);
    expectWeirds([]);
  });

  test("out of order, three pieces", () => {
    const seg = segment(180); // 200 bytes: 64 + 64 + 72
    expect(offer(frag4(2, 16, slice(seg, 128, 200)), 1)).toBe(FRAGMENT_HELD);
    expect(offer(frag4(2, MF | 0, slice(seg, 0, 64)), 1)).toBe(FRAGMENT_HELD);
    expect(offer(frag4(2, MF | 8, slice(seg, 64, 128)), 1)).toBe(0);
    expectSegment(180);
    expectWeirds([]);
  });

  test("a duplicate is fragment_overlap; different bytes are fragment_inconsistency and the first win", () => {
    const seg = segment(100);
    expect(offer(frag4(3, MF | 0, slice(seg, 0, 64)), 1)).toBe(FRAGMENT_HELD);
    expect(offer(frag4(3, MF | 0, slice(seg, 0, 64)), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.fragment_overlap]);
    // Bytes 56..103 again, but different: the held 56..63 stay; 64..103 are new.
    const other = pattern(36, 48, 7);
    expect(offer(frag4(3, MF | 7, other), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.fragment_inconsistency]);
    // The last fragment overlaps 64..103 (now held with the other bytes): inconsistent again.
    expect(offer(frag4(3, 8, slice(seg, 64, 120)), 1)).toBe(0);
    expectWeirds([Weird.fragment_inconsistency]);
    expect(packet.ipTotal).toBe(140);
    // 56..63 are the original bytes, 64..103 the second fragment's, the rest the last one's.
    expect(load<u8>(packet.ipPtr + 20 + 60)).toBe(seg.data[60]);
    expect(load<u8>(packet.ipPtr + 20 + 64)).toBe(other.data[8]);
    expect(load<u8>(packet.ipPtr + 20 + 110)).toBe(seg.data[110]);
  });

  test("the last fragment missing: held until expiry (30 s of packet time), then a new datagram", () => {
    const seg = segment(100);
    expect(offer(frag4(4, MF | 0, slice(seg, 0, 64)), 100)).toBe(FRAGMENT_HELD);
    expect(offer(frag4(5, MF | 0, slice(seg, 0, 64)), 110)).toBe(FRAGMENT_HELD);
    expect(pendingDatagrams()).toBe(2);
    // At 130 the first has expired (created at 100): this last fragment starts a datagram of its own.
    expect(offer(frag4(4, 8, slice(seg, 64, 120)), 130)).toBe(FRAGMENT_HELD);
    expect(pendingDatagrams()).toBe(2);
    expect(offer(frag4(5, 8, slice(seg, 64, 120)), 139.9)).toBe(0);
    expectSegment(100);
    expectWeirds([]);
  });

  test("Zeek's checks: DF, small non-last fragments, protocol changes, size inconsistencies", () => {
    const seg = segment(100);
    expect(offer(frag4(6, MF | 0x4000 | 0, slice(seg, 0, 48)), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.fragment_with_DF]);
    expect(offer(frag4(9, MF | 0, slice(seg, 0, 40)), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.excessively_small_fragment]);
    // Two last fragments that disagree on the end: the larger size is kept (the overlap is equal bytes).
    expect(offer(frag4(6, 12, slice(seg, 96, 100)), 1)).toBe(FRAGMENT_HELD);
    expect(offer(frag4(6, 12, slice(seg, 96, 120)), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.fragment_size_inconsistency, Weird.fragment_overlap]);
    expect(offer(frag4(6, MF | 6, slice(seg, 48, 96), 17), 1)).toBe(0);
    expectWeirds([Weird.fragment_protocol_inconsistency]);
    expectSegment(100);
    // The first fragment's header wins: TCP, DF set.
    expect(packet.df).toBe(true);
  });

  test("too large: beyond 64000 bytes is a weird, beyond the 16-bit length the fragment is dropped", () => {
    const b = frag4(7, 8000, pattern(0, 100)); // ends at 64100
    expect(offer(b, 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.excessively_large_fragment]);
    expect(offer(frag4(7, 8180, pattern(0, 100)), 1)).toBe(FRAGMENT_HELD); // ends at 65540
    expectWeirds([Weird.fragment_size_inconsistency, Weird.excessively_large_fragment]);
    expect(heldBytes()).toBe(2048);
  });

  test("incompletely captured: a first fragment is analysed as it is, others are dropped", () => {
    const seg = segment(100);
    const first = frag4(8, MF | 0, slice(seg, 0, 64));
    expect(offer(slice(first, 0, 60), 1, first.length)).toBe(0);
    expect(packet.isFragment).toBe(false);
    expect(packet.payloadCap).toBe(40);
    expectWeirds([Weird.incompletely_captured_fragment]);
    const last = frag4(8, 8, slice(seg, 64, 120));
    expect(offer(slice(last, 0, 40), 1, last.length)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.incompletely_captured_fragment]);
    expect(pendingDatagrams()).toBe(0);
  });
});

/** IPv6 with a hop-by-hop header, then a fragment header (next 6, offset/M word `word`), then `payload`. */
function frag6(word: u32, payload: Bytes): Bytes {
  const b = new Bytes(true);
  b.hex("6000 0000").u16(8 + 8 + payload.length).hex("00 40");
  b.hex("20010db8000000000000000000000001 20010db8000000000000000000000002");
  b.hex("2c00 0104 00000000"); // hop-by-hop: next 44, PadN
  b.hex("0600").u16(word).hex("abcdef01");
  return b.bytes(payload);
}

describe("random splits", () => {
  beforeEach(() => { resetFragments(); takeWeirds(); });

  test("any split, any order, with repeats: the same datagram, exactly once", () => {
    const rng = new Rng(0x5eed);
    const seg = segment(1180); // 1200 bytes = 150 units of 8
    for (let round = 0; round < 40; round++) {
      resetFragments();
      // Cut points on 8-byte boundaries.
      const starts: i32[] = [0];
      let at = 0;
      while (true) {
        at += 8 * (1 + <i32>rng.below(40));
        if (at >= 1200) break;
        starts.push(at);
      }
      starts.push(1200);
      const order: i32[] = [];
      for (let i = 0; i < starts.length - 1; i++) order.push(i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = <i32>rng.below(<u32>(i + 1));
        const t = order[i]; order[i] = order[j]; order[j] = t;
      }
      // Repeat some pieces right away (Zeek: fragment_overlap, nothing changes), and the last one early.
      const sent: i32[] = [];
      for (let k = 0; k < order.length; k++) {
        if (k == order.length >> 1) sent.push(order[order.length - 1]);
        sent.push(order[k]);
        if (rng.below(4) == 0) sent.push(order[k]);
      }
      const id = <u32>(100 + round);
      let done = 0;
      for (let k = 0; k < sent.length; k++) {
        const i = sent[k];
        const from = starts[i], to = starts[i + 1];
        const more = to < 1200 ? MF : 0;
        const r = offer(frag4(id, more | <u32>(from >> 3), slice(seg, from, to)), 1);
        if (r == 0) {
          done++;
          expectSegment(1180);
        }
      }
      expect(done).toBe(1);
    }
    takeWeirds();
  });
});

describe("IPv6 fragments", () => {
  beforeEach(() => { resetFragments(); takeWeirds(); });

  test("reassembled behind the unfragmentable headers; the next header is patched", () => {
    const seg = segment(100);
    expect(offer(frag6(0x0001, slice(seg, 0, 64)), 1)).toBe(FRAGMENT_HELD);
    expect(offer(frag6(64, slice(seg, 64, 120)), 1)).toBe(0);
    expect(packet.ipVersion).toBe(6);
    expect(packet.proto).toBe(6);
    expect(packet.ipHdrLen).toBe(48);
    expect(packet.ipTotal).toBe(168);
    expect(packet.payloadDecl).toBe(120);
    // Payload length field and the hop-by-hop header's next header.
    expect(<u32>bswap<u16>(load<u16>(packet.ipPtr + 4))).toBe(128);
    expect(load<u8>(packet.ipPtr + 40)).toBe(6);
    expect(load<u8>(packet.l4Ptr + 20 + 99)).toBe(seg.data[119]);
    expectWeirds([]);
  });
});

describe("limits", () => {
  beforeEach(() => { resetFragments(); takeWeirds(); });

  test("more pending datagrams than allowed: the oldest is evicted (fragment_table_full)", () => {
    const seg = segment(100);
    for (let i = 0; i < 3; i++) expect(offer(frag4(20 + i, MF | 0, slice(seg, 0, 64)), 1)).toBe(FRAGMENT_HELD);
    // A fourth from the same pair: over the per-pair limit of 3.
    expect(offer(frag4(23, MF | 0, slice(seg, 0, 64)), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.fragment_table_full]);
    expect(pendingDatagrams()).toBe(3);
    // Datagram 20 was the oldest: its last fragment now starts a new one.
    expect(offer(frag4(20, 8, slice(seg, 64, 120)), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.fragment_table_full]);
    expect(offer(frag4(22, 8, slice(seg, 64, 120)), 1)).toBe(0);
    expectSegment(100);
    // Another pair fills the table (4 in total), then evicts the oldest of any pair.
    expect(offer(frag4(30, MF | 0, slice(seg, 0, 64), 6, "0a000009"), 1)).toBe(FRAGMENT_HELD);
    expect(offer(frag4(31, MF | 0, slice(seg, 0, 64), 6, "0a000009"), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([]);
    expect(pendingDatagrams()).toBe(4);
    expect(offer(frag4(32, MF | 0, slice(seg, 0, 64), 6, "0a000009"), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.fragment_table_full]);
    expect(pendingDatagrams()).toBe(4);
  });

  test("the byte budget: the oldest datagram gives its chunks to the new one (fragment_memory_full)", () => {
    // 64 KiB = 32 chunks of 2 KiB. Two datagrams with 16 × 1 KiB pieces each (16 chunks, one per 2 KiB) ...
    for (let id: u32 = 40; id < 42; id++) {
      for (let k: u32 = 0; k < 16; k++) expect(offer(frag4(id, MF | (k * 256), pattern(0, 1024)), 1)).toBe(FRAGMENT_HELD);
    }
    expect(heldBytes()).toBe(64 << 10);
    expectWeirds([]);
    // ... a third needs a chunk: datagram 40 is evicted.
    expect(offer(frag4(42, MF | 0, pattern(0, 1024), 6, "0a000009"), 1)).toBe(FRAGMENT_HELD);
    expectWeirds([Weird.fragment_memory_full]);
    expect(pendingDatagrams()).toBe(2);
    expect(heldBytes()).toBe(34 << 10);
  });

  test("too many pieces: the datagram is dropped (fragment_datagram_limit)", () => {
    // 8-byte pieces at every other offset never touch, so each is a piece of its own.
    for (let k: u32 = 0; k < 128; k++) offer(frag4(50, MF | (k * 2), pattern(0, 8)), 1);
    takeWeirds();
    expect(pendingDatagrams()).toBe(1);
    expect(offer(frag4(50, MF | 300, pattern(0, 8)), 1)).toBe(FRAGMENT_HELD);
    const got = takeWeirds();
    expect(got[got.length - 1]).toBe(Weird.fragment_datagram_limit);
    expect(pendingDatagrams()).toBe(0);
  });
});

describe("fragments and tunnels", () => {
  beforeEach(() => { resetFragments(); takeWeirds(); });

  test("a fragmented GRE datagram: reassembled, then decoded on to the inner TCP packet", () => {
    const gre = hexThen("0000 0800", v4(6, INNER_A, INNER_B, segment(60)));
    // Outer datagram payload: 4 + 100 = 104 bytes, split 64 + 40.
    const f1 = v4(47, OUTER_A, OUTER_B, slice(gre, 0, 64), MF, 0x77);
    const f2 = v4(47, OUTER_A, OUTER_B, slice(gre, 64, gre.length), 8, 0x77);
    expect(offer(f1, 1)).toBe(FRAGMENT_HELD);
    expect(offer(f2, 1)).toBe(0);
    expect(packet.proto).toBe(47);
    expect(decodeDatagram(packet, false, 5)).toBe(0);
    expect(packet.proto).toBe(6);
    expect(packet.tunnelCount).toBe(1);
    expect(addrText(true)).toBe("10.0.0.1");
    expect(load<u8>(packet.l4Ptr + 20 + 59)).toBe(<u8>(59 % 251));
  });

  test("an inner fragment keyed by the inner addresses, held per tunnel level", () => {
    const seg = segment(100);
    const i1 = frag4(60, MF | 0, slice(seg, 0, 64));
    const i2 = frag4(60, 8, slice(seg, 64, 120));
    expect(offer(v4(4, OUTER_A, OUTER_B, i1), 1)).toBe(FRAGMENT_HELD);
    expect(offer(v4(4, OUTER_A, OUTER_B, i2), 1)).toBe(0);
    expect(packet.tunnelCount).toBe(1);
    expectSegment(100);
  });
});
