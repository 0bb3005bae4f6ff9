/**
 * Endpoint accounting (TA §14 size, §6 prev_state): size() for SYN-only, data, FIN, wraps, acknowledged but
 * unseen bytes, the half-open special case (prev_state SYN_SENT, RESET, peer INACTIVE, data acked), and
 * setState() keeping prev_state only on a change.
 */
import { Connection } from "../../assembly/conn/connection";
import { Endpoint, State } from "../../assembly/conn/endpoint";
import { allocConnection, freeConnection } from "../../assembly/conn/pool";

const TWO32: u64 = 0x100000000;

let conn: Connection = changetype<Connection>(0);

/** E (ep0) and its peer P (ep1), both reset; P INACTIVE. */
function pair(): Endpoint {
  conn = allocConnection();
  conn.ep0.reset();
  conn.ep1.reset();
  return conn.ep0;
}

function done(): void {
  freeConnection(conn);
}

/** Sets E's sequence bookkeeping. */
function seqState(e: Endpoint, isn: u32, lastSeq: u32, seqWraps: u32, ackSeq: u32, ackWraps: u32, finCnt: u32): void {
  e.isn = isn;
  e.lastSeq = lastSeq;
  e.seqWraps = seqWraps;
  e.ackSeq = ackSeq;
  e.ackWraps = ackWraps;
  e.finCnt = finCnt;
}

class SizeCase {
  constructor(
    public name: string,
    public isn: u32, public lastSeq: u32, public seqWraps: u32, public ackSeq: u32, public ackWraps: u32,
    public finCnt: u32, public want: u64,
  ) {}
}

describe("Endpoint.size (TA §14)", () => {
  test("table of sequence states", () => {
    const cases: SizeCase[] = [
      new SizeCase("nothing sent (last == isn)", 1000, 1000, 0, 1000, 0, 0, 0),
      new SizeCase("SYN only", 1000, 1001, 0, 1000, 0, 0, 0),
      new SizeCase("SYN acked by peer", 1000, 1001, 0, 1001, 0, 0, 0),
      new SizeCase("SYN + 1 byte", 1000, 1002, 0, 1001, 0, 0, 1),
      new SizeCase("SYN + 100 bytes", 1000, 1101, 0, 1001, 0, 0, 100),
      new SizeCase("SYN + 100 bytes + FIN", 1000, 1102, 0, 1102, 0, 1, 100),
      new SizeCase("SYN + FIN, no data", 1000, 1002, 0, 1000, 0, 1, 0),
      new SizeCase("FIN counted only when size > 0 (size 1 → 0, stays 0)", 1000, 1001, 0, 1000, 0, 1, 0),
      new SizeCase("several FINs subtract one", 1000, 1102, 0, 1000, 0, 3, 100),
      new SizeCase("no SYN seen (isn = seq - 1), 50 bytes", 4999, 5050, 0, 4999, 0, 0, 50),
      new SizeCase("acked but unseen bytes count", 1000, 1101, 0, 5001, 0, 0, 4000),
      new SizeCase("acked beyond a FIN", 1000, 1102, 0, 2002, 0, 1, 1000),
      new SizeCase("ack below last: last wins", 1000, 3001, 0, 1500, 0, 0, 2000),
      new SizeCase("across one wrap", 0xfffffff0, 0x10, 1, 0xfffffff0, 0, 0, 0x1f),
      new SizeCase("across one wrap with FIN", 0xfffffff0, 0x11, 1, 0x11, 1, 1, 0x1f),
      new SizeCase("ack across a wrap, last before", 0xffff0000, 0xffff1000, 0, 0x500, 1, 0, 0x10500 - 1),
      new SizeCase("two wraps", 5, 7, 2, 5, 0, 0, 2 * TWO32 + 1),
      new SizeCase("5.4 GB side", 0x10000000, 0x52dbc630, 1, 0x52dbc630, 1, 1, 5416666670),
    ];
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const e = pair();
      seqState(e, c.isn, c.lastSeq, c.seqWraps, c.ackSeq, c.ackWraps, c.finCnt);
      const got = e.size(conn.ep1);
      if (got != c.want) log("size case failed: " + c.name + " got " + got.toString());
      expect(got).toBe(c.want);
      done();
    }
  });

  test("max(top, ack) is taken in the full 64-bit space, not on the 32-bit values", () => {
    const e = pair();
    // last_seq numerically larger than ack_seq, but the ack wrapped once more
    seqState(e, 0x80000000, 0xf0000000, 0, 0x10, 1, 0);
    expect(e.size(conn.ep1)).toBe(TWO32 + 0x10 - 0x80000000 - 1);
    // and the other way round
    seqState(e, 0x80000000, 0x10, 1, 0xf0000000, 0, 0);
    expect(e.size(conn.ep1)).toBe(TWO32 + 0x10 - 0x80000000 - 1);
    done();
  });

  test("the peer's own state does not matter outside the special case", () => {
    const e = pair();
    seqState(e, 1000, 1101, 0, 1001, 0, 0);
    const peerStates: u8[] = [
      State.INACTIVE, State.SYN_SENT, State.SYN_ACK_SENT, State.PARTIAL, State.ESTABLISHED, State.CLOSED, State.RESET,
    ];
    for (let i = 0; i < peerStates.length; i++) {
      conn.ep1.state = peerStates[i];
      expect(e.size(conn.ep1)).toBe(100);
    }
    done();
  });
});

class SpecialCase {
  constructor(
    public name: string, public prev: u8, public state: u8, public peer: u8,
    public ackSeq: u32, public ackWraps: u32, public want: u64,
  ) {}
}

describe("half-open special case: prev_state SYN_SENT, RESET, peer INACTIVE", () => {
  test("size 0 only when something was acknowledged", () => {
    // E: isn 1000, sent SYN + 174 bytes (last 1175); the peer's ACK field decides.
    const cases: SpecialCase[] = [
      new SpecialCase("data acked → 0", State.SYN_SENT, State.RESET, State.INACTIVE, 1100, 0, 0),
      new SpecialCase("ack beyond everything sent → 0", State.SYN_SENT, State.RESET, State.INACTIVE, 9000, 0, 0),
      new SpecialCase("ack in a later wrap → 0", State.SYN_SENT, State.RESET, State.INACTIVE, 1000, 1, 0),
      new SpecialCase("nothing acked (ack == isn) → normal", State.SYN_SENT, State.RESET, State.INACTIVE, 1000, 0, 174),
      new SpecialCase("only the SYN acked (isn + 1) → normal", State.SYN_SENT, State.RESET, State.INACTIVE, 1001, 0,
        174),
      new SpecialCase("peer not INACTIVE → normal", State.SYN_SENT, State.RESET, State.PARTIAL, 1100, 0, 174),
      new SpecialCase("peer ESTABLISHED → normal", State.SYN_SENT, State.RESET, State.ESTABLISHED, 1100, 0, 174),
      new SpecialCase("prev_state not SYN_SENT → normal", State.ESTABLISHED, State.RESET, State.INACTIVE, 1100, 0,
        174),
      new SpecialCase("prev_state SYN_ACK_SENT → normal", State.SYN_ACK_SENT, State.RESET, State.INACTIVE, 1100, 0,
        174),
      new SpecialCase("state not RESET → normal", State.SYN_SENT, State.CLOSED, State.INACTIVE, 1100, 0, 174),
      new SpecialCase("state SYN_SENT (prev SYN_SENT) → normal", State.SYN_SENT, State.SYN_SENT, State.INACTIVE,
        1100, 0, 174),
    ];
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const e = pair();
      seqState(e, 1000, 1175, 0, c.ackSeq, c.ackWraps, 0);
      e.prevState = c.prev;
      e.state = c.state;
      conn.ep1.state = c.peer;
      // the expectation for "normal" is computed from the formula: max(top, ack) - isn - 1
      const got = e.size(conn.ep1);
      let want = c.want;
      if (want != 0) {
        const top: u64 = 1175;
        const a: u64 = (<u64>c.ackWraps << 32) + <u64>c.ackSeq;
        want = max(top, a) - 1000 - 1;
      }
      if (got != want) log("special case failed: " + c.name + " got " + got.toString());
      expect(got).toBe(want);
      done();
    }
  });

  test("noDataAcked: ack equal to isn or isn + 1, in the 64-bit space", () => {
    const e = pair();
    seqState(e, 1000, 1000, 0, 1000, 0, 0);
    expect(e.noDataAcked()).toBe(true);
    e.ackSeq = 1001;
    expect(e.noDataAcked()).toBe(true);
    e.ackSeq = 1002;
    expect(e.noDataAcked()).toBe(false);
    e.ackSeq = 999;
    expect(e.noDataAcked()).toBe(false);
    e.ackSeq = 1000;
    e.ackWraps = 1;
    expect(e.noDataAcked()).toBe(false);
    // isn 0xffffffff: isn + 1 is 2^32 in the 64-bit space, i.e. ack 0 with one wrap
    seqState(e, 0xffffffff, 0xffffffff, 0, 0, 1, 0);
    expect(e.noDataAcked()).toBe(true);
    e.ackWraps = 0;
    expect(e.noDataAcked()).toBe(false);
    done();
  });

  test("§20 'injected RST before SYN-ACK': orig size 175 with nothing acked", () => {
    // Originator sent SYN + 175 bytes, then a RST arrived for it; the responder is never seen.
    const e = pair();
    e.setState(State.SYN_SENT);
    e.setState(State.RESET);
    seqState(e, 1000, 1176, 0, 1000, 0, 0);
    expect(e.prevState).toBe(State.SYN_SENT);
    expect(e.size(conn.ep1)).toBe(175);
    // the never-seen side has size 0 (its isn follows the acks: isn == ack == last)
    const p = conn.ep1;
    seqState(p, 5000, 5000, 0, 5000, 0, 0);
    expect(p.size(e)).toBe(0);
    done();
  });
});

describe("setState", () => {
  test("prev_state changes only when the state actually changes", () => {
    const e = pair();
    expect(e.state).toBe(State.INACTIVE);
    expect(e.prevState).toBe(State.INACTIVE);
    e.setState(State.SYN_SENT);
    expect(e.state).toBe(State.SYN_SENT);
    expect(e.prevState).toBe(State.INACTIVE);
    e.setState(State.SYN_SENT);
    expect(e.state).toBe(State.SYN_SENT);
    expect(e.prevState).toBe(State.INACTIVE);
    e.setState(State.ESTABLISHED);
    expect(e.prevState).toBe(State.SYN_SENT);
    e.setState(State.ESTABLISHED);
    e.setState(State.ESTABLISHED);
    expect(e.prevState).toBe(State.SYN_SENT);
    e.setState(State.RESET);
    expect(e.state).toBe(State.RESET);
    expect(e.prevState).toBe(State.ESTABLISHED);
    e.setState(State.CLOSED);
    expect(e.prevState).toBe(State.RESET);
    e.setState(State.CLOSED);
    expect(e.prevState).toBe(State.RESET);
    done();
  });

  test("SYN_SENT → RESET → RESET keeps prev SYN_SENT (the half-open case stays detectable)", () => {
    const e = pair();
    e.setState(State.SYN_SENT);
    e.setState(State.RESET);
    e.setState(State.RESET);
    expect(e.prevState).toBe(State.SYN_SENT);
    seqState(e, 1000, 1101, 0, 1101, 0, 0);
    expect(e.size(conn.ep1)).toBe(0);
    done();
  });

  test("reset() restores the documented initial values", () => {
    const e = pair();
    e.setState(State.CLOSED);
    seqState(e, 1, 2, 3, 4, 5, 6);
    e.rexCnt = 9;
    e.rexThr = 100;
    e.lastReassem = 77;
    e.reset();
    expect(e.state).toBe(State.INACTIVE);
    expect(e.prevState).toBe(State.INACTIVE);
    expect(e.isn).toBe(0);
    expect(e.seqWraps).toBe(0);
    expect(e.finCnt).toBe(0);
    expect(e.rexCnt).toBe(0);
    expect(e.rexThr).toBe(1);
    expect(e.chkThr).toBe(1);
    expect(e.zwThr).toBe(1);
    expect(e.gapThr).toBe(1);
    expect(e.lastReassem).toBe(1);
    expect(e.trim).toBe(1);
    expect(e.histLastSyn).toBe(0);
    // reset() of ep0 does not touch ep1
    conn.ep1.isn = 42;
    e.reset();
    expect(conn.ep1.isn).toBe(42);
    done();
  });
});
