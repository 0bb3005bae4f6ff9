/**
 * Packet times as Zeek computes them: double(tv_sec) + double(tv_usec) / 1e6, with the sub-second part
 * truncated to microseconds first. Zeek reads captures through libpcap at microsecond precision, so the
 * conversions below follow libpcap's integer arithmetic (including its u64 wrap for fine binary
 * resolutions), not exact rational rounding.
 */

/** Powers of ten that fit in a u64 (10^0 … 10^19). */
const POW10: StaticArray<u64> = [
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
  10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
  1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000,
  10000000000000000000,
];

// @ts-ignore: decorator
@inline export function timeOf(sec: f64, usec: f64): f64 {
  return sec + usec / 1e6;
}

/**
 * pcapng time: `units` ticks of the interface resolution (`exp` = the if_tsresol exponent, `binary` when
 * it is a power of two), plus `offsetSec` whole seconds (if_tsoffset). `exp` was validated by the IDB
 * parser: ≤ 19 for decimal, ≤ 63 for binary.
 */
export function pcapngTime(units: u64, exp: u32, binary: bool, offsetSec: i64): f64 {
  let sec: u64;
  let usec: u64;
  if (binary) {
    const res: u64 = <u64>1 << exp;
    sec = units >> exp;
    // libpcap: frac * 1e6 / 2^exp in u64 (may wrap for exp > 44; Zeek inherits that)
    usec = ((units & (res - 1)) * 1000000) >> exp;
  } else {
    const res = unchecked(POW10[exp]);
    sec = units / res;
    const frac = units % res;
    usec = exp >= 6 ? frac / unchecked(POW10[exp - 6]) : frac * unchecked(POW10[6 - exp]);
  }
  return timeOf(<f64>(<i64>sec + offsetSec), <f64>usec);
}
