/** Sequence arithmetic (TA §6.4): 32-bit wrap-aware differences and relative positions. */

/** (a − b) mod 2^32 as a signed 32-bit number. */
// @ts-ignore: decorator
@inline export function sdiff(a: u32, b: u32): i32 { return <i32>(a - b); }

/** Set by rel(): the result underflowed (TA §6.4 step 2). */
export let underflow = false;

/**
 * Relative position of `x` in a side whose ISN is `isn`, given reference `last` and its wrap count.
 * Positions without a recorded wrap are signed 32-bit differences (negative = underflow, as Zeek).
 */
export function rel(x: u32, isn: u32, last: u32, wraps: u32): i64 {
  const d = sdiff(x, last);
  let w = wraps;
  if (d < 0 && w > 0 && x > last) w--;
  else if (d > 0 && x < last) w++;
  if (w == 0) {
    const r = sdiff(x, isn);
    underflow = r < 0;
    return <i64>r;
  }
  underflow = false;
  return (<i64>w << 32) + <i64>x - <i64>isn;
}
