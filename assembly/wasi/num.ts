/**
 * Exact double → decimal text, the two ways the TS writers print times:
 * - fixed6: printf("%.6f") — the exact binary value rounded to 6 decimals, ties to even (bindings/logs/numbers.ts fixed6);
 * - shortest: ECMAScript Number::toString — the shortest digit string that reads back to the same double,
 *   the closest one when several have that length (ties to even digit), in JS's plain/exponent layout.
 * Both work on exact big integers (V8's bignum-dtoa shortest mode, Steele & White / Dragon4), so no case
 * depends on floating-point luck. Numbers are written straight to the output buffer.
 */
import { putByte, putBytes } from './out';

/** Limbs of 32 bits: 2^1074 · 10^17 and 10^340 stay far below 160 · 32 bits. */
const LIMBS = 160;

class Big {
  d: StaticArray<u32> = new StaticArray<u32>(LIMBS);
  n: i32 = 0;

  setU64(v: u64): void {
    this.n = 0;
    while (v != 0) { unchecked(this.d[this.n++] = <u32>v); v >>= 32; }
  }

  copyFrom(o: Big): void {
    for (let i = 0; i < o.n; i++) unchecked(this.d[i] = o.d[i]);
    this.n = o.n;
  }

  mulSmall(m: u32): void {
    let carry: u64 = 0;
    for (let i = 0; i < this.n; i++) {
      const t = <u64>unchecked(this.d[i]) * m + carry;
      unchecked(this.d[i] = <u32>t);
      carry = t >> 32;
    }
    if (carry != 0) unchecked(this.d[this.n++] = <u32>carry);
  }

  mulPow10(k: i32): void {
    while (k >= 9) { this.mulSmall(1000000000); k -= 9; }
    let m: u32 = 1;
    while (k-- > 0) m *= 10;
    if (m != 1) this.mulSmall(m);
  }

  shl(bits: i32): void {
    if (this.n == 0 || bits == 0) return;
    const words = bits >> 5, b = bits & 31;
    if (b != 0) {
      let carry: u32 = 0;
      for (let i = 0; i < this.n; i++) {
        const v = unchecked(this.d[i]);
        unchecked(this.d[i] = (v << b) | carry);
        carry = v >> (32 - b);
      }
      if (carry != 0) unchecked(this.d[this.n++] = carry);
    }
    if (words != 0) {
      for (let i = this.n - 1; i >= 0; i--) unchecked(this.d[i + words] = this.d[i]);
      for (let i = 0; i < words; i++) unchecked(this.d[i] = 0);
      this.n += words;
    }
  }

  /** Bit `i` (0 = least significant). */
  bit(i: i32): u32 {
    const w = i >> 5;
    return w < this.n ? (unchecked(this.d[w]) >> (i & 31)) & 1 : 0;
  }

  /** Whether any of bits [0, i) is set. */
  anyBelow(i: i32): bool {
    const w = i >> 5;
    for (let k = 0; k < w && k < this.n; k++) if (unchecked(this.d[k]) != 0) return true;
    if (w < this.n && (i & 31) != 0 && (unchecked(this.d[w]) & ((<u32>1 << (i & 31)) - 1)) != 0) return true;
    return false;
  }

  shr(bits: i32): void {
    const words = bits >> 5, b = bits & 31;
    if (words >= this.n) { this.n = 0; return; }
    for (let i = 0; i < this.n - words; i++) unchecked(this.d[i] = this.d[i + words]);
    this.n -= words;
    if (b != 0) {
      for (let i = 0; i < this.n; i++) {
        const hi: u32 = i + 1 < this.n ? unchecked(this.d[i + 1]) : 0;
        unchecked(this.d[i] = (this.d[i] >> b) | (hi << (32 - b)));
      }
    }
    this.trim();
  }

  addSmall(v: u32): void {
    let carry = <u64>v;
    for (let i = 0; i < this.n && carry != 0; i++) {
      const t = <u64>unchecked(this.d[i]) + carry;
      unchecked(this.d[i] = <u32>t);
      carry = t >> 32;
    }
    if (carry != 0) unchecked(this.d[this.n++] = <u32>carry);
  }

  /** this -= o (this ≥ o). */
  sub(o: Big): void {
    let borrow: i64 = 0;
    for (let i = 0; i < this.n; i++) {
      let t = <i64>unchecked(this.d[i]) - (i < o.n ? <i64>unchecked(o.d[i]) : 0) - borrow;
      borrow = t < 0 ? 1 : 0;
      if (t < 0) t += 0x100000000;
      unchecked(this.d[i] = <u32>t);
    }
    this.trim();
  }

  /** this = a + b. */
  sum(a: Big, b: Big): void {
    const n = a.n > b.n ? a.n : b.n;
    let carry: u64 = 0;
    for (let i = 0; i < n; i++) {
      const t = (i < a.n ? <u64>unchecked(a.d[i]) : 0) + (i < b.n ? <u64>unchecked(b.d[i]) : 0) + carry;
      unchecked(this.d[i] = <u32>t);
      carry = t >> 32;
    }
    this.n = n;
    if (carry != 0) unchecked(this.d[this.n++] = <u32>carry);
  }

  /** Divides by `m`; returns the remainder. */
  divSmall(m: u32): u32 {
    let rem: u64 = 0;
    for (let i = this.n - 1; i >= 0; i--) {
      const t = (rem << 32) | unchecked(this.d[i]);
      unchecked(this.d[i] = <u32>(t / m));
      rem = t % m;
    }
    this.trim();
    return <u32>rem;
  }

  trim(): void {
    while (this.n > 0 && unchecked(this.d[this.n - 1]) == 0) this.n--;
  }
}

function cmp(a: Big, b: Big): i32 {
  if (a.n != b.n) return a.n < b.n ? -1 : 1;
  for (let i = a.n - 1; i >= 0; i--) {
    const x = unchecked(a.d[i]), y = unchecked(b.d[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

const R = new Big(), S = new Big(), MM = new Big(), MP = new Big(), T = new Big();

/** compare(a + b, c). */
function plusCmp(a: Big, b: Big, c: Big): i32 {
  T.sum(a, b);
  return cmp(T, c);
}

const DIG = memory.data(800);

/** The value of a finite double as f · 2^e (f < 2^53). */
let fracOut: u64 = 0;
let expOut: i32 = 0;
function split(v: f64): void {
  const bits = reinterpret<u64>(v);
  const be = <i32>((bits >> 52) & 0x7ff);
  const frac = bits & 0xfffffffffffff;
  if (be == 0) { fracOut = frac; expOut = -1074; } else { fracOut = frac | 0x10000000000000; expOut = be - 1075; }
}

/** Shortest digits of v > 0 into DIG; returns the count, sets `point` (value = 0.DIGITS × 10^point). */
let point: i32 = 0;
function shortestDigits(v: f64): i32 {
  split(v);
  const f = fracOut, e = expOut;
  const bits = reinterpret<u64>(v);
  const lowerCloser = (bits & 0xfffffffffffff) == 0 && ((bits >> 52) & 0x7ff) > 1;
  const isEven = (f & 1) == 0;
  const bitLen = 64 - <i32>clz(f);
  const k = <i32>Math.ceil(<f64>(e + bitLen - 1) * 0.30102999566398114 - 1e-10);
  R.setU64(f); R.shl(lowerCloser ? 2 : 1);
  S.setU64(lowerCloser ? 4 : 2);
  MM.setU64(1);
  MP.setU64(lowerCloser ? 2 : 1);
  if (e >= 0) { R.shl(e); MM.shl(e); MP.shl(e); } else S.shl(-e);
  if (k >= 0) S.mulPow10(k); else { R.mulPow10(-k); MM.mulPow10(-k); MP.mulPow10(-k); }
  const c0 = plusCmp(R, MP, S);
  if (isEven ? c0 >= 0 : c0 > 0) point = k + 1;
  else { point = k; R.mulSmall(10); MM.mulSmall(10); MP.mulSmall(10); }
  let n = 0;
  while (true) {
    let digit: u32 = 0;
    while (cmp(R, S) >= 0) { R.sub(S); digit++; }
    store<u8>(DIG + n++, <u8>digit);
    const cm = cmp(R, MM);
    const inMinus = isEven ? cm <= 0 : cm < 0;
    const cp = plusCmp(R, MP, S);
    const inPlus = isEven ? cp >= 0 : cp > 0;
    if (!inMinus && !inPlus) {
      R.mulSmall(10); MM.mulSmall(10); MP.mulSmall(10);
    } else if (inMinus && inPlus) {
      const c = plusCmp(R, R, S);
      if (c > 0 || (c == 0 && (load<u8>(DIG + n - 1) & 1) != 0)) store<u8>(DIG + n - 1, load<u8>(DIG + n - 1) + 1);
      break;
    } else if (inMinus) {
      break;
    } else {
      store<u8>(DIG + n - 1, load<u8>(DIG + n - 1) + 1);
      break;
    }
  }
  return n;
}

function putDigits(from: i32, to: i32): void {
  for (let i = from; i < to; i++) putByte(48 + load<u8>(DIG + i));
}

function putZeros(n: i32): void {
  for (let i = 0; i < n; i++) putByte(48);
}

/**
 * A JSON number as bindings/logs/numbers.ts jsonDouble writes it: String(x) (ECMAScript Number::toString),
 * `e+` written `e`, and `.0` after integral values printed without an exponent; non-finite → null.
 */
export function putJsonDouble(x: f64): void {
  if (!isFinite(x)) { putBytes(changetype<usize>(NULL_ASCII), 4); return; }
  if (x == 0) { putByte(48); putByte(46); putByte(48); return; }
  if (x < 0) { putByte(0x2d); x = -x; }
  const k = shortestDigits(x);
  const n = point;
  if (k <= n && n <= 21) {
    putDigits(0, k); putZeros(n - k);
    putByte(46); putByte(48);
  } else if (0 < n && n <= 21) {
    putDigits(0, n); putByte(46); putDigits(n, k);
  } else if (-6 < n && n <= 0) {
    putByte(48); putByte(46); putZeros(-n); putDigits(0, k);
  } else {
    putDigits(0, 1);
    if (k > 1) { putByte(46); putDigits(1, k); }
    putByte(101);
    let ex = n - 1;
    if (ex < 0) { putByte(0x2d); ex = -ex; }
    putSmall(<u32>ex);
  }
}

const NULL_ASCII = memory.data<u8>([110, 117, 108, 108]);

function putSmall(v: u32): void {
  if (v >= 10) putSmall(v / 10);
  putByte(48 + v % 10);
}

const CHUNK = memory.data(400);

/** printf("%.6f", x): exact, ties to even (the TS writer's fixed6). */
export function putFixed6(x: f64): void {
  if (isNaN(x)) { putRawAscii('NaN'); return; }
  if (!isFinite(x)) { if (x < 0) putByte(0x2d); putRawAscii('Infinity'); return; }
  if (x < 0) { putByte(0x2d); x = -x; }
  split(x);
  R.setU64(fracOut);
  R.mulSmall(1000000);
  const e = expOut;
  if (e >= 0) R.shl(e);
  else {
    const sh = -e;
    const half = R.bit(sh - 1), sticky = R.anyBelow(sh - 1);
    R.shr(sh);
    if (half != 0 && (sticky || R.bit(0) != 0)) R.addSmall(1);
  }
  // Decimal digits of R, least significant first, then printed with at least 7 digits.
  let n = 0;
  while (R.n > 0) {
    let c = R.divSmall(1000000000);
    const last = R.n == 0;
    for (let i = 0; i < 9; i++) {
      store<u8>(CHUNK + n++, <u8>(c % 10));
      c /= 10;
      if (last && c == 0) break;
    }
  }
  while (n < 7) store<u8>(CHUNK + n++, 0);
  for (let i = n - 1; i >= 0; i--) {
    if (i == 5) putByte(46);
    putByte(48 + load<u8>(CHUNK + i));
  }
}

function putRawAscii(s: string): void {
  for (let i = 0; i < s.length; i++) putByte(s.charCodeAt(i));
}
