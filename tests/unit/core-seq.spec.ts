/**
 * Sequence arithmetic (TA §6.4): sdiff across the 32-bit wrap, and rel() with and without recorded wraps,
 * including the underflow flag (set for values before the ISN and, as Zeek, for positions ≥ 2^31 past it when
 * no wrap is recorded).
 */
import { sdiff, rel, underflow } from "../../assembly/tcp/seq";

const TWO32: i64 = 0x100000000;
const TWO31: i64 = 0x80000000;

class SdiffCase {
  constructor(public a: u32, public b: u32, public want: i32) {}
}

/** A rel() case: inputs, the expected position and the expected underflow flag. */
class RelCase {
  constructor(
    public name: string,
    public x: u32, public isn: u32, public last: u32, public wraps: u32,
    public want: i64, public under: bool,
  ) {}
}

function checkRel(cases: RelCase[]): void {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const got = rel(c.x, c.isn, c.last, c.wraps);
    if (got != c.want || underflow != c.under) {
      log("rel case failed: " + c.name + " got " + got.toString() + " underflow " + (underflow ? "true" : "false"));
    }
    expect(got).toBe(c.want);
    expect(underflow).toBe(c.under);
  }
}

describe("sdiff", () => {
  test("signed 32-bit difference, wrap-aware", () => {
    const cases: SdiffCase[] = [
      new SdiffCase(0, 0, 0),
      new SdiffCase(10, 5, 5),
      new SdiffCase(5, 10, -5),
      new SdiffCase(0, 0xffffffff, 1),
      new SdiffCase(0xffffffff, 0, -1),
      new SdiffCase(0x10, 0xfffffff0, 0x20),
      new SdiffCase(0xfffffff0, 0x10, -0x20),
      new SdiffCase(0x7fffffff, 0, 0x7fffffff),
      new SdiffCase(0x80000000, 0, i32.MIN_VALUE),
      new SdiffCase(0, 0x80000000, i32.MIN_VALUE),
      new SdiffCase(0x80000001, 0, -0x7fffffff),
      new SdiffCase(0, 0x7fffffff, -0x7fffffff),
      new SdiffCase(0x80000000, 0x7fffffff, 1),
      new SdiffCase(0x7fffffff, 0x80000000, -1),
      new SdiffCase(1000, 1000 + 1048576, -1048576),
    ];
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      expect(sdiff(c.a, c.b)).toBe(c.want);
    }
  });

  test("antisymmetric except at -2^31", () => {
    let x: u32 = 12345;
    for (let i = 0; i < 200; i++) {
      x = x * 1103515245 + 12345;
      const y = x * 2654435761 + 7;
      const d = sdiff(x, y);
      if (d != i32.MIN_VALUE) expect(sdiff(y, x)).toBe(-d);
      // x == y + d (mod 2^32)
      expect(y + <u32>d).toBe(x);
    }
  });
});

describe("rel without a recorded wrap", () => {
  test("positions from the ISN, underflow before it and ≥ 2^31 past it", () => {
    checkRel([
      new RelCase("x == isn", 1000, 1000, 1000, 0, 0, false),
      new RelCase("one past isn", 1001, 1000, 1001, 0, 1, false),
      new RelCase("data ahead of last (no wrap)", 5000, 1000, 2000, 0, 4000, false),
      new RelCase("old data behind last", 1500, 1000, 2000, 0, 500, false),
      new RelCase("one before isn", 999, 1000, 1000, 0, -1, true),
      new RelCase("far before isn", 0, 1000, 1001, 0, -1000, true),
      new RelCase("2^31 - 1 past isn", 1000 + 0x7fffffff, 1000, 1000 + 0x7ffffff0, 0, TWO31 - 1, false),
      // Zeek: with no recorded wrap, 2^31 past the ISN is a (negative) underflow
      new RelCase("2^31 past isn", 1000 + 0x80000000, 1000, 1000 + 0x7ffffff0, 0, -TWO31, true),
      new RelCase("2^31 + 10 past isn", 1000 + 0x8000000a, 1000, 1000 + 0x80000000, 0, -TWO31 + 10, true),
      new RelCase("3·2^30 past isn", 1000 + 0xc0000000, 1000, 1000 + 0xbfffff00, 0, -(TWO31 >> 1), true),
      // the isn itself near the top of the space, x past 2^32 numerically but last not: no wrap counted
      new RelCase("isn near top, x after numeric wrap, last also wrapped", 0x10, 0xfffffff0, 0x8, 0, 0x20, false),
      new RelCase("isn 0, x = 0xffffffff", 0xffffffff, 0, 0, 0, -1, true),
    ]);
  });

  test("a value past a wrap of last counts one wrap (step 1)", () => {
    checkRel([
      // last just before the wrap, x just after: d > 0 and x < last → wraps = 1 → 64-bit result
      new RelCase("just after the wrap", 0x10, 0xfffff000, 0xfffffff0, 0, TWO32 + 0x10 - 0xfffff000, false),
      new RelCase("x = 0 after last 0xffffffff", 0, 0xfffff000, 0xffffffff, 0, 0x1000, false),
      new RelCase("isn = 0x80000000", 0x10, 0x80000000, 0xfffffff0, 0, TWO32 + 0x10 - 0x80000000, false),
      // x more than 2^31 behind last (d < 0) with wraps 0: no wrap adjustment, sdiff from isn underflows
      new RelCase("2^31 behind last", 0x7fffffff, 0x80000000, 0xfffffff0, 0, -1, true),
      // last just before the wrap and x before last: plain (no wrap) difference
      new RelCase("x before last near top", 0xffffff00, 0xfffff000, 0xfffffff0, 0, 0xf00, false),
      // x 2^31 ahead of last is not 'ahead' (d < 0) and wraps is 0: no change, sdiff from isn
      new RelCase("d = -2^31 with wraps 0", 0x80000010, 0x10, 0x10, 0, -TWO31, true),
    ]);
  });

  test("the underflow flag is cleared by the next good result", () => {
    rel(999, 1000, 1000, 0);
    expect(underflow).toBe(true);
    rel(1000, 1000, 1000, 0);
    expect(underflow).toBe(false);
    rel(999, 1000, 1000, 0);
    expect(underflow).toBe(true);
    // the wraps > 0 path clears it too
    rel(0x200, 0x100, 0x200, 1);
    expect(underflow).toBe(false);
  });
});

describe("rel with recorded wraps", () => {
  test("values just before and just after a wrap", () => {
    const isn: u32 = 0xfffff000;
    checkRel([
      // last after the first wrap (wraps = 1)
      new RelCase("at last", 0x100, isn, 0x100, 1, TWO32 + 0x100 - 0xfffff000, false),
      new RelCase("ahead of last", 0x500, isn, 0x100, 1, TWO32 + 0x500 - 0xfffff000, false),
      new RelCase("behind last, after the wrap", 0x10, isn, 0x100, 1, TWO32 + 0x10 - 0xfffff000, false),
      new RelCase("x = 0 (first value after the wrap)", 0, isn, 0x100, 1, 0x1000, false),
      // just before the wrap: d < 0 and x > last → one wrap fewer → plain sdiff from isn
      new RelCase("x = 0xffffffff (just before the wrap)", 0xffffffff, isn, 0x100, 1, 0xfff, false),
      new RelCase("x = 0xfffffff0 before the wrap", 0xfffffff0, isn, 0x100, 1, 0xff0, false),
      // before the wrap but also before the isn: underflow through the wraps == 0 path
      new RelCase("before the wrap and before isn", 0xffffe000, isn, 0x100, 1, -0x1000, true),
    ]);
  });

  test("several wraps", () => {
    const isn: u32 = 0x100;
    checkRel([
      new RelCase("wraps 2, at last", 0x200, isn, 0x200, 2, 2 * TWO32 + 0x100, false),
      new RelCase("wraps 2, just before the last wrap", 0xfffffff0, isn, 0x200, 2, TWO32 + 0xfffffff0 - 0x100, false),
      new RelCase("wraps 2, ahead crossing another wrap", 0x10, isn, 0xfffffff0, 2, 3 * TWO32 + 0x10 - 0x100, false),
      new RelCase("wraps 3, behind last without crossing", 0x1000, isn, 0x9000, 3, 3 * TWO32 + 0x1000 - 0x100, false),
      // behind last in the same wrap but below the isn: 64-bit result stays positive, no underflow
      new RelCase("wraps 1, below isn in the wrapped space", 0x50, isn, 0x80, 1, TWO32 + 0x50 - 0x100, false),
      new RelCase("wraps 1, x ahead, no new wrap", 0x300, isn, 0x200, 1, TWO32 + 0x200, false),
    ]);
  });

  test("agrees with a 64-bit model of a side that sends 5·2^32 bytes", () => {
    // Walk a sender forward in steps, tracking (last, wraps) like §6.6 row 4, and check rel() at, a little
    // behind, and a little ahead of last against the true 64-bit offset.
    const isn: u32 = 0x9abcdef0;
    let pos: i64 = 0; // true offset of `last` from isn
    let last: u32 = isn;
    let wraps: u32 = 0;
    const step: i64 = 0x3f000000; // < 2^31
    while (pos < 5 * TWO32) {
      const next = pos + step;
      const nextSeq = <u32>(<i64>isn + next);
      if (nextSeq < last) wraps++;
      last = nextSeq;
      pos = next;
      // at last
      expect(rel(last, isn, last, wraps)).toBe(wraps == 0 ? <i64>sdiff(last, isn) : pos);
      // 0x1000 behind last, and 0x1000 ahead
      if (pos >= TWO31) {
        expect(rel(last - 0x1000, isn, last, wraps)).toBe(pos - 0x1000);
        expect(underflow).toBe(false);
        expect(rel(last + 0x1000, isn, last, wraps)).toBe(pos + 0x1000);
        expect(underflow).toBe(false);
      }
    }
    expect(wraps).toBeGreaterThanOrEqual(5);
  });
});
