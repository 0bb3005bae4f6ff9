/**
 * Numbers as Zeek's log writers print them: times with exactly 6 decimals (the ASCII writer) and doubles as
 * rapidjson writes them (the JSON writer).
 */

const TWO_POW_51 = 2 ** 51;
/** 000 to 999. */
const DIGITS3 = Array.from({ length: 1000 }, (_, k) => String(k).padStart(3, '0'));

/**
 * x·10^6 rounded to an integer when that is quick and exact, else −1. Below 2^51 the double y = x·10^6 is within
 * 1/8 of the exact product, so when y's fraction is not near one half, rounding y rounds the exact value the same
 * way, and the digits come from an integer.
 */
export function micros(x: number): number {
  const y = x * 1e6;
  if (!(y >= 0 && y < TWO_POW_51)) return -1;
  const whole = Math.floor(y), frac = y - whole;
  if (frac < 0.25) return whole;
  return frac > 0.75 ? whole + 1 : -1;
}

/** Time with exactly 6 decimals, correctly rounded from the binary double (ties to even, like printf). */
export function fixed6(x: number): string {
  const n = micros(x);
  if (n >= 0) {
    // Whole seconds and microseconds as two small integers (quick to print); the division is exact enough
    // for the floor: n/10^6 is never within its rounding error of the next integer.
    const sec = Math.floor(n / 1e6);
    const us = n - sec * 1e6, ms = (us / 1000) | 0;
    return `${sec}.${DIGITS3[ms]}${DIGITS3[us - ms * 1000]}`;
  }
  const s = x.toFixed(6);
  // An exact tie at the 6th decimal is (2k+1)/(2·10^6); as a binary fraction that is only possible when the
  // fractional part is an odd multiple of 1/128 (5^6 must divide 2k+1). Anything else is rounded right already.
  const f = (x - Math.floor(x)) * 128;
  if (f !== Math.floor(f) || f % 2 === 0) return s;
  const last = s.charCodeAt(s.length - 1) - 48;
  if (last % 2 === 0) return s;
  // toFixed breaks ties away from zero; the even neighbour is one unit of the 6th decimal nearer to zero.
  const neg = s.startsWith('-');
  const d = BigInt(s.replace(/[-.]/g, '')) - 1n;
  const t = d.toString().padStart(7, '0');
  return `${neg ? '-' : ''}${t.slice(0, -6)}.${t.slice(-6)}`;
}

/** A JSON number as rapidjson writes a double: shortest round-trip, integral values with a trailing `.0`. */
export function jsonDouble(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  const s = String(x);
  if (Number.isInteger(x) && !s.includes('e')) return s + '.0';
  return s.replace('e+', 'e');
}
