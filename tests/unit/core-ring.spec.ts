/**
 * Event ring and staging (schema/ring.ts layout): records go from the stage into the ring in order (through the
 * outbox when the ring is full), byte-exact framing (u32 length multiple of 4 | u16 id | u16 flags | u32 frame |
 * f64 ts | args | [snapshot] | zero padding), one snapshot per run of records of a connection in a unit, wrap
 * markers when a record does not fit before the end or the ring is empty past REWIND_AT, and a full ring keeps
 * records in the outbox until the host (simulated here by storing `tail`) frees space. Nothing is dropped.
 */
import { ringInit, ringFits, ringPut, ringRewind, ringBase, ringCapacity, RING_HEADER } from "../../assembly/ring/ring";
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
    // it fits: straight into the ring, nothing waits in the outbox
    expect(outboxEmpty()).toBe(true);
    expect(head()).toBe(28); // 20 + 5 → 28
    expect(drainOutbox()).toBe(true);
    expect(head()).toBe(28);
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
    // the second record shows the same snapshot: flag bit 1 and no snapshot bytes
    expect(b.flags).toBe(3);
    expect(mid.len).toBe(24);
    expect(a.len).toBe(<u32>((20 + 4 + snapLen + 3) & ~3));
    expect(b.len).toBe(24); // 20 + 2 → 24
    expect(load<u16>(data(b.off), 20)).toBe(0x2222);
    expect(b.bytes[22]).toBe(0);
    expect(b.bytes[23]).toBe(0);
    // the snapshot is the one taken at the last raise: it starts with the uid and holds the later history and
    // conn_state (S1) as its last field
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

  test("a snapshot is repeated by flag only while the records follow the one that carried it", () => {
    reset(8192);
    const c = makeConn();
    const d = makeConn();
    d.uidLo = 0x0807060504030201;
    setHist(c, "S");
    setHist(d, "Sh");
    setUnitClock(3, 3.0);
    // c, d, c, c, conn-less, c: the third record follows d's snapshot, so it carries c's again
    const order: usize[] = [changetype<usize>(c), changetype<usize>(d), changetype<usize>(c), changetype<usize>(c), 0, changetype<usize>(c)];
    for (let i = 0; i < order.length; i++) {
      beginEvent(<u16>(40 + i), order[i]);
      putU8(<u8>i);
      endEvent();
    }
    endUnit();
    // the next unit starts over: its first record of c carries a snapshot again
    setUnitClock(4, 4.0);
    beginEvent(50, changetype<usize>(c));
    endEvent();
    endUnit();
    expect(drainOutbox()).toBe(true);
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(7);
    const want: u16[] = [1, 1, 1, 3, 0, 3, 1];
    for (let i = 0; i < 7; i++) expect(out[i].flags).toBe(want[i]);
    const cLen = <u32>c.snapLen, dLen = <u32>d.snapLen;
    expect(out[0].len).toBe((20 + 1 + cLen + 3) & ~3);
    expect(out[1].len).toBe((20 + 1 + dLen + 3) & ~3);
    expect(out[2].len).toBe((20 + 1 + cLen + 3) & ~3);
    expect(out[3].len).toBe(24);
    expect(out[4].len).toBe(24);
    expect(out[5].len).toBe(24);
    expect(out[6].len).toBe((20 + cLen + 3) & ~3);
    // records 0 and 2 carry the same bytes (c's snapshot of unit 3); 1 carries d's
    let diff = 0;
    for (let i = 21; i < <i32>out[0].len; i++) if (out[0].bytes[i] != out[2].bytes[i]) diff++;
    expect(diff).toBe(0);
    expect(u32At(out[0], 21)).toBe(0x55667788);
    expect(u32At(out[1], 21)).toBe(0x04030201);
    expect(findLenPrefixed(out[1], 21, "Sh")).toBeGreaterThan(21);
    for (let i = 3; i < 6; i++) expect(out[i].bytes[20]).toBe(<u8>i);
    freeConnection(c);
    freeConnection(d);
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

  test("a unit goes into the ring in one stretch: a wrap marker first when it does not fit before the end", () => {
    reset(128);
    store<u32>(ringBase, 96);
    setTail(96); // empty, 32 bytes before the end
    setUnitClock(1, 1.0);
    rawEvent(1, 4, 0x10); // 24: would fit before the end on its own
    rawEvent(2, 4, 0x20); // 24
    endUnit();
    expect(outboxEmpty()).toBe(true);
    expect(load<u32>(data(96))).toBe(WRAP);
    expect(head()).toBe(128 + 48);
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(2);
    expect(out[0].off).toBe(0);
    expect(out[1].off).toBe(24);
    expect(out[1].bytes[20]).toBe(0x20);
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

  test("a unit larger than the free space goes through the outbox and keeps its same-snapshot flags", () => {
    reset(256);
    const c = makeConn();
    setHist(c, "ShAD");
    setUnitClock(1, 1.0);
    for (let i = 0; i < 6; i++) {
      beginEvent(<u16>(60 + i), changetype<usize>(c));
      putU8(<u8>i);
      endEvent();
    }
    endUnit();
    // the first record carries the snapshot, the others are 24 bytes each: some do not fit
    const first = (20 + 1 + c.snapLen + 3) & ~3;
    const fit = 1 + (256 - first) / 24;
    expect(fit).toBeGreaterThan(1);
    expect(fit).toBeLessThan(6);
    expect(outboxEmpty()).toBe(false);
    expect(drainOutbox()).toBe(false);
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(<i32>fit);
    expect(drainOutbox()).toBe(true);
    expect(hostRead(out)).toBe(6 - <i32>fit);
    expect(out[0].flags).toBe(1);
    for (let i = 1; i < 6; i++) {
      expect(out[i].flags).toBe(3);
      expect(out[i].len).toBe(24);
      expect(out[i].bytes[20]).toBe(<u8>i);
    }
    freeConnection(c);
    framingOk();
  });

  test("stress: records of three connections through a 512-byte ring; each shows its connection's snapshot of its unit", () => {
    reset(512);
    const r = new Rng(77);
    const conns = [makeConn(), makeConn(), makeConn()];
    for (let k = 0; k < 3; k++) conns[k].uidLo = <u64>(0x1000 + k);
    const letters = "ShADadFfRrTtWw";
    const out = new Array<Rec>();
    const expectUid = new Array<u32>(); // per produced record: its connection's uid low word, 0 for none
    const expectHist = new Array<string>();
    for (let unit: u32 = 1; unit <= 400; unit++) {
      setUnitClock(unit, <f64>unit);
      const hist = new Array<string>(3);
      for (let k = 0; k < 3; k++) hist[k] = letters.slice(0, 1 + <i32>((unit + <u32>k * 5) % 13));
      const n: u32 = 1 + r.below(6);
      for (let i: u32 = 0; i < n; i++) {
        const pick = r.below(4); // 0..2 a connection, 3 none
        const conn = pick < 3 ? changetype<usize>(conns[pick]) : 0;
        // the history changes between raises; the unit's last raise decides what every record shows
        if (pick < 3) setHist(conns[pick], hist[pick]);
        beginEvent(70, conn);
        putU8(<u8>pick);
        endEvent();
        expectUid.push(pick < 3 ? 0x1000 + pick : 0);
        expectHist.push(pick < 3 ? hist[pick] : "");
      }
      endUnit();
      let guard = 0;
      while (!drainOutbox()) {
        hostRead(out, 1 + <i32>r.below(3));
        if (++guard > 10000) break;
      }
      expect(guard).toBeLessThan(10000);
      if (r.below(2) == 0) hostRead(out, <i32>r.below(4));
    }
    hostRead(out);
    expect(out.length).toBe(expectUid.length);
    // the host's view: a record with flag bit 1 shows the latest snapshot carried before it
    let bad = 0, repeated = 0;
    let last: Rec | null = null;
    for (let i = 0; i < out.length; i++) {
      const rec = out[i];
      const uid = expectUid[i];
      if (uid == 0) {
        if (rec.flags != 0 || rec.len != 24) bad++;
        continue;
      }
      let shown: Rec;
      if (rec.flags == 3) {
        repeated++;
        if (last === null || rec.len != 24) { bad++; continue; }
        shown = last;
      } else if (rec.flags == 1) {
        shown = rec;
        last = rec;
      } else {
        bad++;
        continue;
      }
      if (u32At(shown, 21) != uid || findLenPrefixed(shown, 21, expectHist[i]) < 0) bad++;
    }
    expect(bad).toBe(0);
    expect(repeated).toBeGreaterThan(100);
    for (let k = 0; k < 3; k++) freeConnection(conns[k]);
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

describe("ring rewind", () => {
  test("an empty ring with the head past 64 KiB continues at offset 0 after a wrap marker", () => {
    reset(1 << 20);
    setUnitClock(1, 1.0);
    // 70 records of 1000 bytes: the head ends past 64 KiB
    for (let i = 0; i < 70; i++) {
      rawEvent(1, 980, 0);
      endUnit();
    }
    const at = head();
    expect(at).toBe(70 * 1000);
    // the host has not read: no rewind
    ringRewind();
    expect(head()).toBe(at);
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(70);
    rawEvent(2, 4, 0x40);
    endUnit();
    expect(load<u32>(data(at))).toBe(WRAP);
    expect(head()).toBe((1 << 20) + 24);
    expect(hostRead(out)).toBe(1);
    expect(out[70].id).toBe(2);
    expect(out[70].off).toBe(0);
    framingOk();
  });

  test("below 64 KiB the head stays where it is", () => {
    reset(1 << 20);
    setUnitClock(1, 1.0);
    rawEvent(1, 980, 0);
    endUnit();
    const out = new Array<Rec>();
    expect(hostRead(out)).toBe(1);
    ringRewind();
    expect(head()).toBe(1000);
    rawEvent(2, 0, 0);
    endUnit();
    expect(head()).toBe(1020);
    expect(hostRead(out)).toBe(1);
    expect(out[1].off).toBe(1000);
    framingOk();
  });
});
