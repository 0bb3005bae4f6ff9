/**
 * Timer queue (TA §16.1): due-time order, ties in insertion order, popDue's "now" bound, lazy cancellation by
 * generation (cancel() kills every pending timer of that kind on that connection) and by serial (entries of
 * freed or reused connection slots are skipped).
 */
import { Connection, TimerKind } from "../../assembly/conn/connection";
import { allocConnection, freeConnection } from "../../assembly/conn/pool";
import {
  schedule, cancel, popDue, popAny, pendingTimers, heapTimers, firedConn, firedKind, firedDue,
} from "../../assembly/timers/timer-queue";
import { Rng } from "./support/core-keys";

function drain(): void {
  while (popAny()) {}
  expect(pendingTimers()).toBe(0);
}

function conns(n: i32): Connection[] {
  const out = new Array<Connection>();
  for (let i = 0; i < n; i++) out.push(allocConnection());
  return out;
}

function freeAll(cs: Connection[]): void {
  for (let i = 0; i < cs.length; i++) freeConnection(cs[i]);
}

function indexOf(cs: Connection[], c: Connection): i32 {
  for (let i = 0; i < cs.length; i++) if (changetype<usize>(cs[i]) == changetype<usize>(c)) return i;
  return -1;
}

/** A fired timer, for comparing sequences. */
class Fired {
  constructor(public conn: i32, public kind: u8, public due: f64) {}
}

function popAll(cs: Connection[], now: f64): Fired[] {
  const out = new Array<Fired>();
  while (popDue(now)) out.push(new Fired(indexOf(cs, firedConn), firedKind, firedDue));
  return out;
}

function expectFired(got: Fired[], want: Fired[]): void {
  expect(got.length).toBe(want.length);
  const n = min(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i].conn != want[i].conn || got[i].kind != want[i].kind || got[i].due != want[i].due) {
      log("fired #" + i.toString() + ": got conn " + got[i].conn.toString() + " kind " + got[i].kind.toString() +
        " due " + got[i].due.toString() + ", want conn " + want[i].conn.toString() + " kind " +
        want[i].kind.toString() + " due " + want[i].due.toString());
    }
    expect(got[i].conn).toBe(want[i].conn);
    expect(got[i].kind).toBe(want[i].kind);
    expect(got[i].due).toBe(want[i].due);
  }
}

describe("ordering", () => {
  test("due-time order, ties in insertion order (table)", () => {
    drain();
    const cs = conns(6);
    // conn, kind, due — in scheduling order
    schedule(cs[0], TimerKind.EXPIRE, 30);
    schedule(cs[1], TimerKind.ATTEMPT, 10);
    schedule(cs[2], TimerKind.INACTIVITY, 20);
    schedule(cs[3], TimerKind.EXPIRE, 10);
    schedule(cs[4], TimerKind.STATUS, 10);
    schedule(cs[5], TimerKind.RESET, 5.5);
    schedule(cs[0], TimerKind.CLOSE_DELETE, 20);
    schedule(cs[1], TimerKind.PARTIAL_CLOSE, 10);
    expect(pendingTimers()).toBe(8);
    expectFired(popAll(cs, 100), [
      new Fired(5, TimerKind.RESET, 5.5),
      new Fired(1, TimerKind.ATTEMPT, 10),
      new Fired(3, TimerKind.EXPIRE, 10),
      new Fired(4, TimerKind.STATUS, 10),
      new Fired(1, TimerKind.PARTIAL_CLOSE, 10),
      new Fired(2, TimerKind.INACTIVITY, 20),
      new Fired(0, TimerKind.CLOSE_DELETE, 20),
      new Fired(0, TimerKind.EXPIRE, 30),
    ]);
    expect(pendingTimers()).toBe(0);
    freeAll(cs);
  });

  test("popDue fires what is due at or before now, in order, and leaves the rest", () => {
    drain();
    const cs = conns(4);
    schedule(cs[0], TimerKind.EXPIRE, 1.0);
    schedule(cs[1], TimerKind.EXPIRE, 2.0);
    schedule(cs[2], TimerKind.EXPIRE, 2.0000001);
    schedule(cs[3], TimerKind.EXPIRE, 3.0);
    expect(popDue(0.5)).toBe(false);
    expect(pendingTimers()).toBe(4);
    expectFired(popAll(cs, 2.0), [new Fired(0, TimerKind.EXPIRE, 1.0), new Fired(1, TimerKind.EXPIRE, 2.0)]);
    expect(pendingTimers()).toBe(2);
    expectFired(popAll(cs, 2.5), [new Fired(2, TimerKind.EXPIRE, 2.0000001)]);
    // popAny ignores the time
    expect(popAny()).toBe(true);
    expect(firedDue).toBe(3.0);
    expect(indexOf(cs, firedConn)).toBe(3);
    expect(popAny()).toBe(false);
    freeAll(cs);
  });

  test("timers scheduled while firing (re-arms) keep the order; equal due goes after older ones", () => {
    drain();
    const cs = conns(3);
    schedule(cs[0], TimerKind.EXPIRE, 5);
    schedule(cs[1], TimerKind.EXPIRE, 5);
    expect(popDue(5)).toBe(true);
    expect(indexOf(cs, firedConn)).toBe(0);
    // a callback re-arms at the same time and schedules an earlier one
    schedule(cs[2], TimerKind.STATUS, 5);
    schedule(cs[0], TimerKind.EXPIRE, 4);
    expectFired(popAll(cs, 5), [
      new Fired(0, TimerKind.EXPIRE, 4),
      new Fired(1, TimerKind.EXPIRE, 5),
      new Fired(2, TimerKind.STATUS, 5),
    ]);
    freeAll(cs);
  });

  test("thousands of timers with many ties (heap growth past 1024 entries)", () => {
    drain();
    const n = 3000;
    const cs = conns(n);
    const r = new Rng(4242);
    const due = new Array<f64>(n);
    for (let i = 0; i < n; i++) {
      // 64 distinct times: plenty of ties; the index of the connection records the insertion order
      due[i] = 1000.0 + <f64>r.below(64) * 0.25;
      schedule(cs[i], <u8>(i % 7), due[i]);
    }
    expect(pendingTimers()).toBe(<u32>n);
    let prevDue = -1.0;
    let prevIdx = -1;
    let count = 0, bad = 0;
    const seen = new Array<bool>(n);
    while (popAny()) {
      const idx = indexOf(cs, firedConn);
      if (idx < 0 || seen[idx]) { bad++; continue; }
      seen[idx] = true;
      if (firedDue != due[idx] || firedKind != <u8>(idx % 7)) bad++;
      if (firedDue < prevDue || (firedDue == prevDue && idx < prevIdx)) bad++;
      prevDue = firedDue;
      prevIdx = idx;
      count++;
    }
    expect(bad).toBe(0);
    expect(count).toBe(n);
    freeAll(cs);
  });
});

describe("lanes", () => {
  test("traffic-shaped timers (two delays per kind, re-arms from due time, a clock that steps back) fire in order without the heap", () => {
    drain();
    const n = 4000;
    const cs = conns(n);
    const r = new Rng(7);
    const due = new Array<f64>(n);
    const kind = new Array<u8>(n);
    let t: f64 = 100, latest: f64 = 100;
    let maxHeap: u32 = 0;
    const fired = new Array<i32>();
    for (let i = 0; i < n; i++) {
      // Packet times go forward by up to 3 ms, and now and then back by up to 1 ms (two capture CPUs).
      t += r.below(8) == 0 ? -<f64>r.below(1000) * 1e-6 : <f64>r.below(3000) * 1e-6;
      if (t > latest) latest = t;
      while (popDue(t)) fired.push(indexOf(cs, firedConn));
      const pick = r.below(10);
      // EXPIRE: 5 s for new connections, 6 s at close, 6 s from the due time of a fired timer (a little
      // earlier than now); INACTIVITY: 60 s at first, 300 s once established.
      const lag = <f64>r.below(2000) * 1e-6;
      kind[i] = pick < 7 ? TimerKind.EXPIRE : TimerKind.INACTIVITY;
      due[i] = pick < 3 ? t + 5 : pick < 5 ? t + 6 : pick < 7 ? t - lag + 6 : pick < 9 ? t + 60 : t + 300;
      schedule(cs[i], kind[i], due[i]);
      if (heapTimers() > maxHeap) maxHeap = heapTimers();
    }
    while (popAny()) fired.push(indexOf(cs, firedConn));
    expect(maxHeap).toBe(0);
    expect(fired.length).toBe(n);
    // Every timer is due after every packet time before it was scheduled, so the whole firing order is
    // (due, scheduling order).
    let bad = 0;
    for (let i = 1; i < fired.length; i++) {
      const a = fired[i - 1], b = fired[i];
      if (due[b] < due[a] || (due[b] == due[a] && b < a)) bad++;
    }
    expect(bad).toBe(0);
    freeAll(cs);
  });

  test("login-port inactivity (3600 s) beside 60 s and 300 s keeps every delay in a lane of its own", () => {
    drain();
    const n = 3000;
    const cs = conns(n);
    const r = new Rng(11);
    let t: f64 = 50, maxHeap: u32 = 0;
    for (let i = 0; i < n; i++) {
      t += <f64>r.below(5000) * 1e-6;
      popAll(cs, t);
      const pick = r.below(20);
      schedule(cs[i], TimerKind.INACTIVITY, t + (pick == 0 ? 3600 : pick < 8 ? 60 : 300));
      if (heapTimers() > maxHeap) maxHeap = heapTimers();
    }
    expect(maxHeap).toBe(0);
    drain();
    freeAll(cs);
  });

  test("a due time far behind every lane's last entries goes to the heap and still fires in order", () => {
    drain();
    const cs = conns(79);
    // Three lanes of EXPIRE timers: 36 entries from 10 s, 20 from 20 s, 20 from 30 s.
    const due = (i: i32): f64 => i < 36 ? 10 + <f64>i * 0.01 : i < 56 ? 20 + <f64>i * 0.01 : 30 + <f64>i * 0.01;
    for (let i = 0; i < 76; i++) schedule(cs[i], TimerKind.EXPIRE, due(i));
    expect(heapTimers()).toBe(0);
    schedule(cs[76], TimerKind.EXPIRE, 10.005); // before 35, 20 and 20 entries of the three lanes
    expect(heapTimers()).toBe(1);
    schedule(cs[77], TimerKind.EXPIRE, 10.305); // before 5 entries of the first lane: joins it
    schedule(cs[78], TimerKind.EXPIRE, 10.305); // equal due: after the one scheduled before it
    expect(heapTimers()).toBe(1);
    const want = new Array<Fired>();
    for (let i = 0; i < 76; i++) {
      want.push(new Fired(i, TimerKind.EXPIRE, due(i)));
      if (i == 0) want.push(new Fired(76, TimerKind.EXPIRE, 10.005));
      if (i == 30) { want.push(new Fired(77, TimerKind.EXPIRE, 10.305)); want.push(new Fired(78, TimerKind.EXPIRE, 10.305)); }
    }
    expectFired(popAll(cs, 100), want);
    freeAll(cs);
  });
});

describe("cancellation", () => {
  test("cancel() kills all pending timers of that kind on that connection only", () => {
    drain();
    const cs = conns(2);
    const a = cs[0], b = cs[1];
    schedule(a, TimerKind.ATTEMPT, 1);
    schedule(a, TimerKind.ATTEMPT, 2); // Zeek adds, it does not replace: two pending
    schedule(a, TimerKind.EXPIRE, 1.5);
    schedule(b, TimerKind.ATTEMPT, 1.2);
    cancel(a, TimerKind.ATTEMPT);
    schedule(a, TimerKind.ATTEMPT, 3); // scheduled after the cancel: live
    expectFired(popAll(cs, 10), [
      new Fired(1, TimerKind.ATTEMPT, 1.2),
      new Fired(0, TimerKind.EXPIRE, 1.5),
      new Fired(0, TimerKind.ATTEMPT, 3),
    ]);
    expect(pendingTimers()).toBe(0);
    freeAll(cs);
  });

  test("without cancel both timers of one kind fire", () => {
    drain();
    const cs = conns(1);
    schedule(cs[0], TimerKind.INACTIVITY, 1);
    schedule(cs[0], TimerKind.INACTIVITY, 2);
    expectFired(popAll(cs, 10), [new Fired(0, TimerKind.INACTIVITY, 1), new Fired(0, TimerKind.INACTIVITY, 2)]);
    freeAll(cs);
  });

  test("every kind cancels independently", () => {
    drain();
    const cs = conns(1);
    const c = cs[0];
    for (let k: u8 = 0; k < TimerKind.COUNT; k++) schedule(c, k, 1.0 + <f64>k);
    cancel(c, TimerKind.ATTEMPT);
    cancel(c, TimerKind.CLOSE_DELETE);
    cancel(c, TimerKind.STATUS);
    expectFired(popAll(cs, 100), [
      new Fired(0, TimerKind.EXPIRE, 1),
      new Fired(0, TimerKind.PARTIAL_CLOSE, 3),
      new Fired(0, TimerKind.RESET, 4),
      new Fired(0, TimerKind.INACTIVITY, 6),
    ]);
    freeAll(cs);
  });

  test("cancelled entries at the top are dropped in the same popDue call", () => {
    drain();
    const cs = conns(2);
    schedule(cs[0], TimerKind.EXPIRE, 1);
    schedule(cs[0], TimerKind.EXPIRE, 2);
    schedule(cs[1], TimerKind.EXPIRE, 3);
    cancel(cs[0], TimerKind.EXPIRE);
    expect(popDue(3)).toBe(true);
    expect(indexOf(cs, firedConn)).toBe(1);
    expect(firedDue).toBe(3);
    expect(pendingTimers()).toBe(0);
    // a cancelled entry that is not yet due stays queued (lazy) and never fires
    schedule(cs[0], TimerKind.RESET, 50);
    cancel(cs[0], TimerKind.RESET);
    expect(popDue(10)).toBe(false);
    expect(pendingTimers()).toBe(1);
    expect(popDue(60)).toBe(false);
    expect(pendingTimers()).toBe(0);
    freeAll(cs);
  });

  test("cancel twice, schedule, cancel again", () => {
    drain();
    const cs = conns(1);
    const c = cs[0];
    schedule(c, TimerKind.EXPIRE, 1);
    cancel(c, TimerKind.EXPIRE);
    cancel(c, TimerKind.EXPIRE);
    schedule(c, TimerKind.EXPIRE, 2);
    cancel(c, TimerKind.EXPIRE);
    schedule(c, TimerKind.EXPIRE, 3);
    expectFired(popAll(cs, 10), [new Fired(0, TimerKind.EXPIRE, 3)]);
    freeAll(cs);
  });
});

describe("freed connections", () => {
  test("entries of a freed connection are skipped", () => {
    drain();
    const cs = conns(2);
    schedule(cs[0], TimerKind.EXPIRE, 1);
    schedule(cs[0], TimerKind.INACTIVITY, 2);
    schedule(cs[1], TimerKind.EXPIRE, 1.5);
    freeConnection(cs[0]);
    expect(popDue(10)).toBe(true);
    expect(changetype<usize>(firedConn)).toBe(changetype<usize>(cs[1]));
    expect(popDue(10)).toBe(false);
    expect(pendingTimers()).toBe(0);
    freeConnection(cs[1]);
  });

  test("a reused slot (new serial) does not receive the old incarnation's timers", () => {
    drain();
    const old = allocConnection();
    const oldSerial = old.serial;
    schedule(old, TimerKind.EXPIRE, 1);
    schedule(old, TimerKind.ATTEMPT, 2);
    freeConnection(old);
    const reused = allocConnection(); // the free list hands the same slot back
    expect(changetype<usize>(reused)).toBe(changetype<usize>(old));
    expect(reused.serial).not.toBe(oldSerial);
    expect(reused.serial).not.toBe(0);
    // generations restart at 0 in the new incarnation: only the serial tells the entries apart
    expect(reused.timerGen(TimerKind.EXPIRE)).toBe(0);
    schedule(reused, TimerKind.EXPIRE, 1.5);
    expect(popDue(10)).toBe(true);
    expect(firedDue).toBe(1.5);
    expect(firedKind).toBe(TimerKind.EXPIRE);
    expect(popDue(10)).toBe(false);
    expect(pendingTimers()).toBe(0);
    freeConnection(reused);
  });
});

/** A scheduled timer, for the expected firing order. */
class Scheduled {
  constructor(public conn: i32, public due: f64, public order: i32) {}
}

describe("sweeping cancelled entries", () => {
  test("once they outnumber the live ones, they are dropped and the live ones still fire in (due, order)", () => {
    drain();
    // 200 connections × 400 timers of one kind each, at random due times (many land in the heap, not a lane).
    const n = 200, per = 400;
    const cs = conns(n);
    const r = new Rng(99);
    const live = new Array<Scheduled>();
    let order = 0;
    for (let k = 0; k < per; k++) {
      for (let i = 0; i < n; i++) {
        const due = 1000.0 + <f64>r.below(4096) * 0.125;
        schedule(cs[i], TimerKind.INACTIVITY, due);
        if (i % 10 == 0) live.push(new Scheduled(i, due, order));
        order++;
      }
    }
    expect(heapTimers()).toBeGreaterThan(1000);
    // Nine connections in ten cancel theirs: 72,000 cancelled entries stay where they are for now.
    for (let i = 0; i < n; i++) if (i % 10 != 0) cancel(cs[i], TimerKind.INACTIVITY);
    expect(pendingTimers()).toBe(<u32>(n * per));
    // The next timer sweeps them out first.
    schedule(cs[1], TimerKind.EXPIRE, 999.0);
    live.unshift(new Scheduled(1, 999.0, order));
    expect(pendingTimers()).toBe(<u32>live.length);
    live.sort((a: Scheduled, b: Scheduled): i32 => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.order - b.order));
    let i = 0, bad = 0;
    while (popAny()) {
      if (i >= live.length || indexOf(cs, firedConn) != live[i].conn || firedDue != live[i].due) bad++;
      i++;
    }
    expect(bad).toBe(0);
    expect(i).toBe(live.length);
    freeAll(cs);
  });

  test("a few cancelled entries are left to be dropped when they come due", () => {
    drain();
    const cs = conns(100);
    for (let i = 0; i < 100; i++) schedule(cs[i], TimerKind.ATTEMPT, 10.0 + <f64>i);
    for (let i = 0; i < 99; i++) cancel(cs[i], TimerKind.ATTEMPT);
    schedule(cs[0], TimerKind.EXPIRE, 5.0);
    expect(pendingTimers()).toBe(101);
    expectFired(popAll(cs, 1000), [new Fired(0, TimerKind.EXPIRE, 5.0), new Fired(99, TimerKind.ATTEMPT, 109.0)]);
    expect(pendingTimers()).toBe(0);
    freeAll(cs);
  });
});
