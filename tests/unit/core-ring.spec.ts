/**
 * Event ring and staging (schema/ring.ts layout): records go stage → outbox → ring in order, byte-exact framing
 * (u32 length multiple of 4 | u16 id | u16 flags | u32 frame | f64 ts | args | [snapshot] | zero padding),
 * wrap markers when a record does not fit before the end, and a full ring keeps records in the outbox until the
 * host (simulated here by storing `tail`) frees space. Nothing is dropped.
 */
import { ringInit, ringFits, ringPut, ringBase, ringCapacity, RING_HEADER } from "../../assembly/ring/ring";
import {
  beginEvent, endEvent, endUnit, drainOutbox, outboxEmpty, setUnitClock, unitHasEvents,
  putU8, putBool, putU16, putU32, putU64, putI64, putF64, putBytes, putRaw,
} from "../../assembly/events/stage";
import { Connection } from "../../assembly/conn/connection";
import { State } from "../../assembly/conn/endpoint";
import { ConnState } from "../../assembly/conn/conn-state";
import { allocConnection, freeConnection } from "../../assembly/conn/pool";
import { Rng } from "./support/core-keys";

const WRAP: u32 = 0xffffffff;
const HDR: u32 = 20;

@inline function head(): u32 { return load<u32>(ringBase); }
@inline function tail(): u32 { return load<u32>(ringBase, 4); }
@inline function setTail(t: u32): void { store<u32>(ringBase, t, 4); }
@inline function data(off: u32): usize { return ringBase + RING_HEADER + <usize>off; }

/** A record as the host sees it. */
class Rec {
  len: u32 = 0;
  id: u16 = 0;
  flags: u16 = 0;
  frame: u32 = 0;
  ts: f64 = 0;
  bytes: u8[] = [];
  off: u32 = 0;
}

/** Framing violations seen by hostRead (checked at the end of every test that reads). */
let framingErrors = 0;

/** Host side: reads up to `max` records from tail to head (skipping wrap markers), then stores the tail. */
function hostRead(out: Rec[], max: i32 = i32.MAX_VALUE): i32 {
  const cap = ringCapacity();
  const h = head();
  let t = tail();
  let n = 0;
  while (t != h && n < max) {
    const used = h - t;
    if (used > cap) framingErrors++;
    const off = t & (cap - 1);
    const len = load<u32>(data(off));
    if (len == WRAP) {
      t += cap - off;
      continue;
    }
    // framing the host relies on
    if (len % 4 != 0 || len < HDR || off + len > cap || len > used) {
      framingErrors++;
      break;
    }
    const r = new Rec();
    r.len = len;
    r.id = load<u16>(data(off), 4);
    r.flags = load<u16>(data(off), 6);
    r.frame = load<u32>(data(off), 8);
    r.ts = load<f64>(data(off), 12);
    r.off = off;
    for (let i: u32 = 0; i < len; i++) r.bytes.push(load<u8>(data(off) + i));
    out.push(r);
    t += len;
    n++;
  }
  setTail(t);
  return n;
}

function framingOk(): void {
  expect(framingErrors).toBe(0);
  framingErrors = 0;
}

/** A conn-less event with `n` argument bytes (a counter pattern starting at `seed`). */
function rawEvent(id: u16, n: u32, seed: u8): void {
  beginEvent(id, 0);
  for (let i: u32 = 0; i < n; i++) putU8(<u8>(seed + <u8>i));
  endEvent();
}

/** Empties the outbox into a big fresh ring so the next test starts clean. */
function reset(cap: u32): void {
  if (unitHasEvents()) endUnit();
  ringInit(1 << 20);
  expect(drainOutbox()).toBe(true);
  ringInit(cap);
}

function u32At(r: Rec, at: i32): u32 {
  return <u32>r.bytes[at] | (<u32>r.bytes[at + 1] << 8) | (<u32>r.bytes[at + 2] << 16) | (<u32>r.bytes[at + 3] << 24);
}

describe("ring primitives", () => {
  test("ringInit writes the header: head 0, tail 0, capacity, flags 0", () => {
    ringInit(256);
    expect(load<u32>(ringBase)).toBe(0);
    expect(load<u32>(ringBase, 4)).toBe(0);
    expect(load<u32>(ringBase, 8)).toBe(256);
    expect(load<u32>(ringBase, 12)).toBe(0);
    expect(ringCapacity()).toBe(256);
    expect(RING_HEADER).toBe(16);
  });

  test("records are copied at head and head advances by their length", () => {
    ringInit(64);
    const src = memory.data(64);
    for (let i = 0; i < 64; i++) store<u8>(src + i, <u8>(i + 1));
    expect(ringFits(16)).toBe(true);
    ringPut(src, 16);
    expect(head()).toBe(16);
    for (let i: u32 = 0; i < 16; i++) expect(load<u8>(data(i))).toBe(<u8>(i + 1));
    ringPut(src + 16, 32);
    expect(head()).toBe(48);
    for (let i: u32 = 0; i < 32; i++) expect(load<u8>(data(16 + i))).toBe(<u8>(17 + i));
    // 16 bytes left: exactly fits without a marker
    expect(ringFits(16)).toBe(true);
    expect(ringFits(20)).toBe(false);
    ringPut(src, 16);
    expect(head()).toBe(64);
    expect(load<u8>(data(48))).toBe(1);
    expect(ringFits(4)).toBe(false); // full
    setTail(4);
    expect(ringFits(4)).toBe(true);
    expect(ringFits(8)).toBe(false);
  });

  test("a record that does not fit before the end gets a wrap marker and starts at 0", () => {
    ringInit(64);
    const src = memory.data(64);
    for (let i = 0; i < 64; i++) store<u8>(src + i, <u8>(0x80 + i));
    ringPut(src, 48);
    setTail(48); // host consumed it
    // 16 bytes before the end, the record needs 24: skip 16 (counted as used) + 24
    expect(ringFits(24)).toBe(true);
    ringPut(src, 24);
    expect(load<u32>(data(48))).toBe(WRAP);
    expect(head()).toBe(48 + 16 + 24);
    for (let i: u32 = 0; i < 24; i++) expect(load<u8>(data(i))).toBe(<u8>(0x80 + i));
    // used = 40 of 64
    expect(head() - tail()).toBe(40);
  });

  test("ringFits counts the skipped bytes: a wrap that needs more than the free space does not fit", () => {
    ringInit(64);
    const src = memory.data(64);
    ringPut(src, 40);
    setTail(8); // 32 used, 32 free: 24 at the end (offsets 40..63) + 8 at the start
    expect(ringFits(24)).toBe(true); // fits at the end, no wrap
    expect(ringFits(28)).toBe(false); // would wrap: 24 skipped + 28 > 32 free
    setTail(36); // 4 used: 60 free
    expect(ringFits(28)).toBe(true); // 24 + 28 = 52 ≤ 60
    expect(ringFits(36)).toBe(true); // 24 + 36 = 60 ≤ 60
    expect(ringFits(40)).toBe(false); // 24 + 40 > 60
  });

  test("head and tail are counters mod 2^32", () => {
    ringInit(64);
    store<u32>(ringBase, 0xffffffe0); // offset 32
    setTail(0xffffffe0);
    const src = memory.data(64);
    for (let i = 0; i < 64; i++) store<u8>(src + i, <u8>i);
    ringPut(src, 32);
    expect(head()).toBe(0); // wrapped around 2^32, offset 0
    expect(ringFits(32)).toBe(true);
    expect(ringFits(36)).toBe(false);
    ringPut(src + 32, 32);
    expect(head()).toBe(32);
    expect(head() - tail()).toBe(64);
    expect(ringFits(4)).toBe(false);
    setTail(0); // consume the first one (32 bytes) without parsing
    expect(ringFits(32)).toBe(true);
    expect(ringFits(36)).toBe(false);
  });

  test("any record of at most capacity/2 fits an empty ring at every head offset", () => {
    ringInit(128);
    const src = memory.data(128);
    for (let off: u32 = 0; off < 128; off += 4) {
      for (let len: u32 = 4; len <= 64; len += 4) {
        store<u32>(ringBase, 0x1000 + off);
        setTail(0x1000 + off);
        if (!ringFits(len)) log("empty ring refuses " + len.toString() + " bytes at offset " + off.toString());
        expect(ringFits(len)).toBe(true);
        ringPut(src, len);
        const h = head();
        expect(h - tail()).toBeLessThanOrEqual(128);
        // the record is at offset `off` unless it had to wrap, in which case a marker sits at `off`
        if (len > 128 - off) {
          expect(load<u32>(data(off))).toBe(WRAP);
          expect(h).toBe(0x1000 + 128 + len);
        } else {
          expect(h).toBe(0x1000 + off + len);
        }
      }
    }
  });
});

describe("staging: byte-exact records", () => {
  test("header fields, argument bytes, padding to 4", () => {
    reset(1024);
    setUnitClock(7, 1529347003.834704);
    beginEvent(3, 0);
    putU32(0xdeadbeef);
    putU8(0x5a);
    endEvent();
    expect(unitHasEvents()).toBe(true);
    endUnit();
    expect(unitHasEvents()).toBe(false);
    expect(outboxEmpty()).toBe(false);
    expect(drainOutbox()).toBe(true);
    expect(outboxEmpty()).toBe(true);
    expect(head()).toBe(28); // 20 + 5 → 28
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(1);
    const r = out[0];
    expect(r.len).toBe(28);
    expect(r.id).toBe(3);
    expect(r.flags).toBe(0);
    expect(r.frame).toBe(7);
    expect(r.ts).toBe(1529347003.834704);
    expect(u32At(r, 20)).toBe(0xdeadbeef);
    expect(r.bytes[24]).toBe(0x5a);
    expect(r.bytes[25]).toBe(0);
    expect(r.bytes[26]).toBe(0);
    expect(r.bytes[27]).toBe(0);
    framingOk();
  });

  test("record lengths for 0..8 argument bytes", () => {
    reset(1024);
    setUnitClock(1, 0.5);
    for (let n: u32 = 0; n <= 8; n++) rawEvent(<u16>(100 + n), n, 0xf0);
    endUnit();
    expect(drainOutbox()).toBe(true);
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(9);
    const want: u32[] = [20, 24, 24, 24, 24, 28, 28, 28, 28];
    for (let n = 0; n <= 8; n++) {
      expect(out[n].len).toBe(want[n]);
      expect(out[n].id).toBe(<u16>(100 + n));
      for (let i = 0; i < n; i++) expect(out[n].bytes[20 + i]).toBe(<u8>(0xf0 + i));
      for (let i = 20 + n; i < <i32>want[n]; i++) expect(out[n].bytes[i]).toBe(0);
    }
    framingOk();
  });

  test("typed writers are little-endian and unaligned-safe", () => {
    reset(1024);
    setUnitClock(2, 3.25);
    const blob = memory.data<u8>([1, 2, 3]);
    beginEvent(9, 0);
    putBool(true);
    putU16(0xbeef);
    putU64(0x0102030405060708);
    putI64(-2);
    putF64(-0.5);
    putBytes(blob, 3);
    putBytes(blob, 0);
    putRaw(blob + 1, 2);
    endEvent();
    endUnit();
    expect(drainOutbox()).toBe(true);
    const out = new Array<Rec>();
    hostRead(out);
    const p = data(out[0].off);
    expect(load<u8>(p, 20)).toBe(1);
    expect(load<u16>(p, 21)).toBe(0xbeef);
    expect(load<u64>(p, 23)).toBe(0x0102030405060708);
    expect(load<i64>(p, 31)).toBe(-2);
    expect(load<f64>(p, 39)).toBe(-0.5);
    expect(load<u32>(p, 47)).toBe(3);
    expect(load<u8>(p, 51)).toBe(1);
    expect(load<u8>(p, 52)).toBe(2);
    expect(load<u8>(p, 53)).toBe(3);
    expect(load<u32>(p, 54)).toBe(0);
    expect(load<u8>(p, 58)).toBe(2);
    expect(load<u8>(p, 59)).toBe(3);
    expect(out[0].len).toBe(60); // 20 + 40 args, already a multiple of 4
    framingOk();
  });

  test("every record of a unit carries the unit's frame and time; units keep their order", () => {
    reset(4096);
    setUnitClock(10, 100.0);
    rawEvent(1, 4, 0);
    rawEvent(2, 4, 0);
    endUnit();
    setUnitClock(11, 99.0); // time may go backwards (packet time)
    rawEvent(3, 4, 0);
    endUnit();
    expect(drainOutbox()).toBe(true);
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(3);
    expect(out[0].id).toBe(1);
    expect(out[0].frame).toBe(10);
    expect(out[1].id).toBe(2);
    expect(out[1].frame).toBe(10);
    expect(out[1].ts).toBe(100.0);
    expect(out[2].id).toBe(3);
    expect(out[2].frame).toBe(11);
    expect(out[2].ts).toBe(99.0);
    framingOk();
  });
});

function makeConn(): Connection {
  const c = allocConnection();
  c.ep0.reset();
  c.ep1.reset();
  c.orig = c.ep0;
  c.resp = c.ep1;
  c.uidLo = 0x1122334455667788;
  c.uidHi = 0x99aabbcc;
  c.vlan = -1;
  c.innerVlan = -1;
  c.ipVersion = 4;
  return c;
}

/**
 * conn_state of a record whose snapshot starts right after the 20-byte header: the byte before the last one
 * (the last is the tunnel_parents count, 0 for these untunnelled connections).
 */
function lastOf(r: Rec, snapLen: u32): u8 {
  expect(r.bytes[20 + <i32>snapLen - 1]).toBe(0);
  return r.bytes[20 + <i32>snapLen - 2];
}

function setHist(c: Connection, s: string): void {
  for (let i = 0; i < s.length; i++) store<u8>(c.historyPtr + <usize>i, <u8>s.charCodeAt(i));
  c.histLen = <u32>s.length;
}

/** Index of the u32-length-prefixed string `s` inside `r` from `from`, or -1. */
function findLenPrefixed(r: Rec, from: i32, s: string): i32 {
  for (let i = from; i + 4 + s.length <= r.bytes.length; i++) {
    if (u32At(r, i) != <u32>s.length) continue;
    let ok = true;
    for (let j = 0; j < s.length; j++) if (r.bytes[i + 4 + j] != <u8>s.charCodeAt(j)) ok = false;
    if (ok) return i;
  }
  return -1;
}

describe("staging: connection snapshots", () => {
  test("flag bit 0, the snapshot after the arguments, and the last raise of the unit wins", () => {
    reset(4096);
    const c = makeConn();
    c.orig.setState(State.SYN_SENT);
    setHist(c, "S");
    setUnitClock(5, 1.0);
    beginEvent(20, changetype<usize>(c));
    putU32(0x11111111);
    endEvent();
    // a conn-less event in between
    rawEvent(21, 2, 7);
    // the connection changes, then a second event for it is raised in the same unit
    c.orig.setState(State.ESTABLISHED);
    c.resp.setState(State.ESTABLISHED);
    setHist(c, "Sh");
    beginEvent(22, changetype<usize>(c));
    putU16(0x2222);
    endEvent();
    endUnit();
    expect(drainOutbox()).toBe(true);
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(3);
    const snapLen = <i32>c.snapLen;
    expect(snapLen).toBeGreaterThan(12);

    const a = out[0], mid = out[1], b = out[2];
    expect(a.flags).toBe(1);
    expect(mid.flags).toBe(0);
    expect(b.flags).toBe(1);
    expect(mid.len).toBe(24);
    expect(a.len).toBe(<u32>((20 + 4 + snapLen + 3) & ~3));
    expect(b.len).toBe(<u32>((20 + 2 + snapLen + 3) & ~3));
    // both snapshots are byte-identical: the one taken at the last raise
    let diff = 0;
    for (let i = 0; i < snapLen; i++) if (a.bytes[24 + i] != b.bytes[22 + i]) diff++;
    expect(diff).toBe(0);
    // it starts with the uid and holds the later history and conn_state (S1) as its last field
    expect(u32At(a, 24)).toBe(0x55667788);
    expect(u32At(a, 28)).toBe(0x11223344);
    expect(u32At(a, 32)).toBe(0x99aabbcc);
    expect(findLenPrefixed(a, 24, "Sh")).toBeGreaterThan(24);
    expect(findLenPrefixed(a, 24, "S")).toBe(-1);
    expect(a.bytes[24 + snapLen - 2]).toBe(ConnState.S1); // conn_state, before the tunnel_parents count
    // padding after the snapshot is zero
    for (let i = 24 + snapLen; i < <i32>a.len; i++) expect(a.bytes[i]).toBe(0);
    freeConnection(c);
    framingOk();
  });

  test("two connections in one unit keep their own snapshots; the next unit takes new ones", () => {
    reset(4096);
    const c = makeConn();
    const d = makeConn();
    d.uidLo = 0x0807060504030201;
    c.orig.setState(State.SYN_SENT);
    setHist(c, "S");
    d.orig.setState(State.CLOSED);
    d.resp.setState(State.CLOSED);
    setHist(d, "ShADadFf");
    setUnitClock(1, 1.0);
    beginEvent(30, changetype<usize>(c));
    endEvent();
    beginEvent(31, changetype<usize>(d));
    endEvent();
    endUnit();
    // next unit: c changes
    setUnitClock(2, 2.0);
    c.resp.setState(State.RESET);
    setHist(c, "Sr");
    beginEvent(32, changetype<usize>(c));
    endEvent();
    endUnit();
    expect(drainOutbox()).toBe(true);
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(3);
    expect(u32At(out[0], 20)).toBe(0x55667788);
    expect(u32At(out[1], 20)).toBe(0x04030201);
    expect(findLenPrefixed(out[0], 20, "S")).toBeGreaterThan(20);
    expect(findLenPrefixed(out[1], 20, "ShADadFf")).toBeGreaterThan(20);
    expect(findLenPrefixed(out[2], 20, "Sr")).toBeGreaterThan(20);
    // last snapshot byte (before padding) is conn_state: S0, SF, REJ
    expect(lastOf(out[1], d.snapLen)).toBe(ConnState.SF);
    expect(lastOf(out[2], c.snapLen)).toBe(ConnState.REJ);
    freeConnection(c);
    freeConnection(d);
    framingOk();
  });
});

describe("outbox → ring flow control", () => {
  test("a full ring keeps the rest in the outbox until the tail advances; then a wrap marker", () => {
    reset(64);
    setUnitClock(1, 1.0);
    rawEvent(1, 8, 0x10); // 28 bytes
    rawEvent(2, 8, 0x20); // 28
    rawEvent(3, 8, 0x30); // 28
    endUnit();
    expect(drainOutbox()).toBe(false); // two fit (56), the third would need 8 skipped + 28
    expect(outboxEmpty()).toBe(false);
    expect(head()).toBe(56);
    expect(drainOutbox()).toBe(false); // nothing changed on the host side
    expect(head()).toBe(56);
    const out = new Array<Rec>();
    expect(hostRead(out, 1)).toBe(1); // host consumes only the first record
    expect(tail()).toBe(28);
    expect(drainOutbox()).toBe(true);
    expect(outboxEmpty()).toBe(true);
    expect(load<u32>(data(56))).toBe(WRAP);
    expect(head()).toBe(56 + 8 + 28);
    expect(hostRead(out)).toBe(2);
    expect(out[0].id).toBe(1);
    expect(out[1].id).toBe(2);
    expect(out[2].id).toBe(3);
    expect(out[2].off).toBe(0);
    for (let i = 0; i < 8; i++) expect(out[2].bytes[20 + i]).toBe(<u8>(0x30 + i));
    framingOk();
  });

  test("records produced while the outbox is non-empty queue behind it", () => {
    reset(64);
    setUnitClock(1, 1.0);
    rawEvent(1, 24, 0); // 44
    rawEvent(2, 24, 0); // 44: does not fit
    endUnit();
    expect(drainOutbox()).toBe(false);
    setUnitClock(2, 2.0);
    rawEvent(3, 0, 0); // 20: would fit the ring now, but must wait behind #2
    endUnit();
    expect(drainOutbox()).toBe(false);
    expect(head()).toBe(44);
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(1);
    // #2 goes in after a wrap marker (20 skipped + 44 = the whole ring); #3 still waits
    expect(drainOutbox()).toBe(false);
    expect(head()).toBe(44 + 20 + 44);
    expect(hostRead(out)).toBe(1);
    expect(drainOutbox()).toBe(true);
    expect(hostRead(out)).toBe(1);
    expect(out.length).toBe(3);
    expect(out[0].id).toBe(1);
    expect(out[1].id).toBe(2);
    expect(out[2].id).toBe(3);
    expect(out[2].frame).toBe(2);
    framingOk();
  });

  test("stress: 3000 records of varied sizes through a 256-byte ring, none lost or reordered", () => {
    reset(256);
    const r = new Rng(2024);
    const out = new Array<Rec>();
    let produced = 0;
    const sizes = new Array<u32>();
    for (let unit: u32 = 1; unit <= 600; unit++) {
      setUnitClock(unit, <f64>unit * 0.001);
      const k: u32 = 1 + r.below(9);
      for (let i: u32 = 0; i < k; i++) {
        const n = r.below(100); // record 20..120 bytes (≤ capacity/2)
        rawEvent(<u16>(produced & 0xffff), n, <u8>produced);
        sizes.push(n);
        produced++;
      }
      endUnit();
      // like the run loop: drain; when the ring is full let the host read a random amount, and retry
      let guard = 0;
      while (!drainOutbox()) {
        hostRead(out, 1 + <i32>r.below(4));
        guard++;
        if (guard > 10000) break;
      }
      expect(guard).toBeLessThan(10000);
      if (r.below(3) == 0) hostRead(out, <i32>r.below(5));
      if (produced >= 3000) break;
    }
    hostRead(out);
    expect(out.length).toBe(produced);
    let bad = 0;
    for (let i = 0; i < out.length; i++) {
      const rec = out[i];
      const n = sizes[i];
      if (rec.id != <u16>(i & 0xffff) || rec.len != ((20 + n + 3) & ~3)) bad++;
      for (let j: u32 = 0; j < n; j++) if (rec.bytes[20 + j] != <u8>(<u8>i + <u8>j)) { bad++; break; }
    }
    expect(bad).toBe(0);
    framingOk();
  });
});
