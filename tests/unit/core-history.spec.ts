/**
 * History letters (TA §9): letter case by role, once-per-role "seen" bits, the scaled counter steps
 * (1, 10, 100, … and the 32-bit overflow rule), the "H" check and F2 rewrite, and the HISTORY_MAX cap.
 */
import { Connection, HISTORY_MAX, connectionBytes } from "../../assembly/conn/connection";
import { Endpoint } from "../../assembly/conn/endpoint";
import { allocConnection, freeConnection } from "../../assembly/conn/pool";
import {
  Hist, appendLetter, appendRaw, firstTime, historyIsH, rewriteFlippedH, scaledStep,
} from "../../assembly/conn/history";

function fresh(): Connection {
  const c = allocConnection();
  c.ep0.reset();
  c.ep1.reset();
  c.orig = c.ep0;
  c.resp = c.ep1;
  return c;
}

function historyOf(c: Connection): string {
  let s = "";
  for (let i: u32 = 0; i < c.histLen; i++) s += String.fromCharCode(load<u8>(c.historyPtr + <usize>i));
  return s;
}

function setHistory(c: Connection, s: string): void {
  for (let i = 0; i < s.length; i++) store<u8>(c.historyPtr + <usize>i, <u8>s.charCodeAt(i));
  c.histLen = <u32>s.length;
}

const CATS: u32[] = [Hist.SYN, Hist.FIN, Hist.RST, Hist.FIN_RST, Hist.MULTI, Hist.DATA, Hist.ACK];

describe("letters", () => {
  test("uppercase for the originator role, lowercase for the responder", () => {
    const letters = "SHFRIQDACTWGX";
    const c = fresh();
    for (let i = 0; i < letters.length; i++) {
      appendLetter(c, <u8>letters.charCodeAt(i), true);
      appendLetter(c, <u8>letters.charCodeAt(i), false);
    }
    expect(historyOf(c)).toBe("SsHhFfRrIiQqDdAaCcTtWwGgXx");
    expect(c.histLen).toBe(26);
    freeConnection(c);
  });

  test("appendRaw keeps the byte as is ('^' has no case)", () => {
    const c = fresh();
    appendLetter(c, 0x48, false); // h
    appendRaw(c, 0x5e);
    appendLetter(c, 0x41, true);
    appendLetter(c, 0x44, false);
    expect(historyOf(c)).toBe("h^Ad");
    freeConnection(c);
  });

  test("letters are appended in call order, repeats allowed", () => {
    const c = fresh();
    const seq: string[] = ["S", "h", "A", "D", "a", "d", "T", "t", "T", "F", "f"];
    for (let i = 0; i < seq.length; i++) {
      const ch = <u8>seq[i].charCodeAt(0);
      const orig = ch < 0x61;
      appendLetter(c, orig ? ch : ch - 0x20, orig);
    }
    expect(historyOf(c)).toBe("ShADadTtTFf");
    freeConnection(c);
  });
});

describe("once-per-role seen bits", () => {
  test("firstTime is true once per category and role", () => {
    const c = fresh();
    for (let i = 0; i < CATS.length; i++) {
      expect(firstTime(c, CATS[i], true)).toBe(true);
      expect(firstTime(c, CATS[i], true)).toBe(false);
      expect(firstTime(c, CATS[i], true)).toBe(false);
    }
    // the responder role has its own bits: all still new
    for (let i = 0; i < CATS.length; i++) {
      expect(firstTime(c, CATS[i], false)).toBe(true);
      expect(firstTime(c, CATS[i], false)).toBe(false);
    }
    freeConnection(c);
  });

  test("every (category, role) bit is independent of every other", () => {
    for (let i = 0; i < CATS.length * 2; i++) {
      const c = fresh();
      const ci = CATS[i % CATS.length], ri = i < CATS.length;
      expect(firstTime(c, ci, ri)).toBe(true);
      for (let j = 0; j < CATS.length * 2; j++) {
        if (j == i) continue;
        const saved = c.histSeen;
        const cj = CATS[j % CATS.length], rj = j < CATS.length;
        if (!firstTime(c, cj, rj)) log("bit " + i.toString() + " shadows bit " + j.toString());
        expect(c.histSeen).not.toBe(saved);
        c.histSeen = saved;
      }
      expect(firstTime(c, ci, ri)).toBe(false);
      freeConnection(c);
    }
  });

  test("bits are per role, not per endpoint: a flip does not move them", () => {
    // The originator (ep0) sent a SYN; after a flip ep0 is the responder and its SYN category is new again.
    const c = fresh();
    expect(firstTime(c, Hist.SYN, c.ep0 == c.orig)).toBe(true);
    const o = c.orig;
    c.orig = c.resp;
    c.resp = o;
    expect(firstTime(c, Hist.SYN, c.ep0 == c.orig)).toBe(true);
    // and the new originator (ep1) finds the originator's SYN bit already set
    expect(firstTime(c, Hist.SYN, c.ep1 == c.orig)).toBe(false);
    freeConnection(c);
  });

  test("a reused slot starts with no bits and an empty history", () => {
    const c = fresh();
    firstTime(c, Hist.DATA, true);
    appendLetter(c, 0x44, true);
    freeConnection(c);
    const d = fresh();
    expect(d.histSeen).toBe(0);
    expect(d.histLen).toBe(0);
    expect(firstTime(d, Hist.DATA, true)).toBe(true);
    freeConnection(d);
  });
});

/** Address of one scaled counter pair (cnt, thr) of an endpoint. */
function counterAt(e: Endpoint, kind: i32): usize {
  return changetype<usize>(e) + offsetof<Endpoint>("chkCnt") + (<usize>kind << 3);
}

describe("scaled counters (TA §9.3)", () => {
  test("initial count 0 and threshold 1 for all four counters", () => {
    const c = fresh();
    const e = c.ep0;
    expect(e.chkCnt).toBe(0);
    expect(e.chkThr).toBe(1);
    expect(e.rexCnt).toBe(0);
    expect(e.rexThr).toBe(1);
    expect(e.zwCnt).toBe(0);
    expect(e.zwThr).toBe(1);
    expect(e.gapCnt).toBe(0);
    expect(e.gapThr).toBe(1);
    freeConnection(c);
  });

  test("returns 1 at the 1st, then 10, 100, 1000, … and 0 otherwise", () => {
    const c = fresh();
    const at = counterAt(c.ep0, 1);
    let next: u32 = 1;
    let crossings = 0;
    for (let n: u32 = 1; n <= 1000000; n++) {
      const r = scaledStep(at);
      if (n == next) {
        expect(r).toBe(n);
        crossings++;
        expect(c.ep0.rexCnt).toBe(n);
        expect(c.ep0.rexThr).toBe(n * 10);
        next *= 10;
      } else if (r != 0) {
        log("unexpected report at occurrence " + n.toString());
        expect(r).toBe(0);
      }
    }
    expect(crossings).toBe(7); // 1, 10, …, 10^6
    expect(c.ep0.rexCnt).toBe(1000000);
    expect(c.ep0.rexThr).toBe(10000000);
    freeConnection(c);
  });

  test("the four counters of a side and the two sides are independent", () => {
    const c = fresh();
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < 10; i++) scaledStep(counterAt(c.ep0, k));
      expect(load<u32>(counterAt(c.ep0, k))).toBe(10);
      expect(load<u32>(counterAt(c.ep0, k), 4)).toBe(100);
      for (let j = k + 1; j < 4; j++) {
        expect(load<u32>(counterAt(c.ep0, j))).toBe(0);
        expect(load<u32>(counterAt(c.ep0, j), 4)).toBe(1);
      }
    }
    for (let k = 0; k < 4; k++) {
      expect(load<u32>(counterAt(c.ep1, k))).toBe(0);
      expect(load<u32>(counterAt(c.ep1, k), 4)).toBe(1);
    }
    // the named fields are the ones the offsets address
    expect(c.ep0.chkThr).toBe(100);
    expect(c.ep0.rexThr).toBe(100);
    expect(c.ep0.zwThr).toBe(100);
    expect(c.ep0.gapThr).toBe(100);
    freeConnection(c);
  });

  test("overflow near 2^32: the wrapped product is not larger → count resets, threshold stays", () => {
    const c = fresh();
    const at = counterAt(c.ep1, 2);
    // 1410065408 = 10^10 mod 2^32; ×10 wraps to 1215752192 < 1410065408
    const thr: u32 = 1410065408;
    store<u32>(at, thr - 1);
    store<u32>(at, thr, 4);
    expect(scaledStep(at)).toBe(thr);
    expect(load<u32>(at)).toBe(0);
    expect(load<u32>(at, 4)).toBe(thr);
    // counting starts over: the next report is after another `thr` occurrences
    expect(scaledStep(at)).toBe(0);
    expect(load<u32>(at)).toBe(1);
    store<u32>(at, thr - 1);
    expect(scaledStep(at)).toBe(thr);
    expect(load<u32>(at)).toBe(0);

    // 429496730 × 10 = 4294967300 wraps to 4: reset
    store<u32>(at, 429496729);
    store<u32>(at, 429496730, 4);
    expect(scaledStep(at)).toBe(429496730);
    expect(load<u32>(at)).toBe(0);
    expect(load<u32>(at, 4)).toBe(429496730);

    // 0xffffffff: the largest threshold
    store<u32>(at, 0xfffffffe);
    store<u32>(at, 0xffffffff, 4);
    expect(scaledStep(at)).toBe(0xffffffff);
    expect(load<u32>(at)).toBe(0);
    expect(load<u32>(at, 4)).toBe(0xffffffff);
    freeConnection(c);
  });

  test("no overflow: 429496729 × 10 = 4294967290 still fits", () => {
    const c = fresh();
    const at = counterAt(c.ep0, 3);
    store<u32>(at, 429496728);
    store<u32>(at, 429496729, 4);
    expect(scaledStep(at)).toBe(429496729);
    expect(load<u32>(at)).toBe(429496729);
    expect(load<u32>(at, 4)).toBe(4294967290);
    freeConnection(c);
  });

  test("below the threshold nothing changes but the count", () => {
    const c = fresh();
    const at = counterAt(c.ep0, 0);
    store<u32>(at, 5);
    store<u32>(at, 100, 4);
    expect(scaledStep(at)).toBe(0);
    expect(load<u32>(at)).toBe(6);
    expect(load<u32>(at, 4)).toBe(100);
    freeConnection(c);
  });

  // Zeek computes `new = thr * 10` in uint32 and resets only when `new <= thr`. At thr = 10^9 the product
  // wraps to 1410065408, which is larger, so counting goes on with that threshold.
  test("Zeek parity at 10^9: threshold becomes 1410065408 (wrapped but larger)", () => {
    const c = fresh();
    const at = counterAt(c.ep0, 1);
    store<u32>(at, 999999999);
    store<u32>(at, 1000000000, 4);
    expect(scaledStep(at)).toBe(1000000000);
    expect(load<u32>(at)).toBe(1000000000);
    expect(load<u32>(at, 4)).toBe(1410065408);
    freeConnection(c);
  });
});

describe("H check and the F2 rewrite", () => {
  test("historyIsH only for exactly 'H'", () => {
    const c = fresh();
    const cases: string[] = ["", "h", "HH", "Hs", "S", "^h", "^H", "A"];
    for (let i = 0; i < cases.length; i++) {
      setHistory(c, cases[i]);
      expect(historyIsH(c)).toBe(false);
    }
    setHistory(c, "H");
    expect(historyIsH(c)).toBe(true);
    // a stale byte beyond the length does not matter
    setHistory(c, "HX");
    c.histLen = 1;
    expect(historyIsH(c)).toBe(true);
    freeConnection(c);
  });

  test("rewriteFlippedH turns 'H' into '^h'", () => {
    const c = fresh();
    appendLetter(c, 0x48, true);
    expect(historyIsH(c)).toBe(true);
    rewriteFlippedH(c);
    expect(historyOf(c)).toBe("^h");
    expect(c.histLen).toBe(2);
    expect(historyIsH(c)).toBe(false);
    // appending continues after the rewrite
    appendLetter(c, 0x41, true);
    appendLetter(c, 0x44, false);
    expect(historyOf(c)).toBe("^hAd");
    freeConnection(c);
  });
});

describe("HISTORY_MAX cap", () => {
  test("letters beyond HISTORY_MAX are dropped; nothing is written past the area", () => {
    // A standalone slot with guard bytes after it, so an overrun would be visible.
    const size = connectionBytes();
    const mem = heap.alloc(size + 64);
    memory.fill(mem, 0, size + 64);
    const c = changetype<Connection>(mem);
    const guard = c.historyPtr + <usize>HISTORY_MAX;
    memory.fill(guard, 0xab, 32);
    for (let i: u32 = 0; i < HISTORY_MAX + 20; i++) {
      const letter = <u8>(0x41 + (i % 26));
      if (i % 3 == 2) appendRaw(c, 0x5e);
      else appendLetter(c, letter, (i & 1) == 0);
    }
    expect(c.histLen).toBe(HISTORY_MAX);
    for (let i: usize = 0; i < 32; i++) expect(load<u8>(guard + i)).toBe(0xab);
    // the kept letters are the first HISTORY_MAX
    for (let i: u32 = 0; i < HISTORY_MAX; i++) {
      const letter = <u8>(0x41 + (i % 26));
      const want: u8 = i % 3 == 2 ? 0x5e : ((i & 1) == 0 ? letter : letter | 0x20);
      expect(load<u8>(c.historyPtr + <usize>i)).toBe(want);
    }
    // still capped on further calls
    appendLetter(c, 0x53, true);
    appendRaw(c, 0x5e);
    expect(c.histLen).toBe(HISTORY_MAX);
    expect(load<u8>(guard)).toBe(0xab);
    heap.free(mem);
  });

  test("the history area does not overlap the endpoints", () => {
    const c = fresh();
    c.ep1.stMaxTop = 0x0102030405060708;
    for (let i: u32 = 0; i < HISTORY_MAX; i++) appendLetter(c, 0x54, false);
    expect(c.ep1.stMaxTop).toBe(0x0102030405060708);
    expect(c.histLen).toBe(HISTORY_MAX);
    expect(load<u8>(c.historyPtr + <usize>HISTORY_MAX - 1)).toBe(0x74);
    freeConnection(c);
  });
});
