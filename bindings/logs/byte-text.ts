/**
 * Log text assembled as bytes in one growing buffer and turned into a string once per batch: a log writer that
 * makes a string per field makes a dozen per row, and on a large capture the collector paid for them all.
 * Values go in through the writers below, into room reserved first; `text` takes any string (UTF-8 encoded).
 */
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** 10^0 … 10^15. */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);
/** The two ASCII digits of 00 … 99, at 2·v. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

/*
 * Writers of one value into `dst` at `at`, returning the end: for callers that reserved room for a whole row once
 * (ByteText.reserve) and then write it without a bounds check per value (conn-raw.ts).
 */

/** A non-negative integer below 2^53 in decimal (room for 16 bytes). */
export function putUint(dst: Uint8Array, at: number, v: number): number {
  let digits = 1;
  while (digits < 16 && v >= POW10[digits]) digits++;
  let i = at + digits;
  if (v < 0x80000000) {
    // Two digits a division.
    while (v >= 100) {
      const q = (v / 100) | 0, d = (v - q * 100) << 1;
      dst[--i] = DIGIT_PAIRS[d + 1];
      dst[--i] = DIGIT_PAIRS[d];
      v = q;
    }
    if (v >= 10) { dst[--i] = DIGIT_PAIRS[(v << 1) + 1]; dst[--i] = DIGIT_PAIRS[v << 1]; } else dst[--i] = 48 + v;
  } else {
    do { const q = Math.floor(v / 10); dst[--i] = 48 + (v - q * 10); v = q; } while (v > 0);
  }
  return at + digits;
}

/** `v` (below 10^width) in exactly `width` decimal digits, zero-padded. */
export function putPadded(dst: Uint8Array, at: number, v: number, width: number): number {
  for (let i = at + width - 1; i >= at; i--) { const q = (v / 10) | 0; dst[i] = 48 + (v - q * 10); v = q; }
  return at + width;
}

/** An ASCII string (room for its length). */
export function putAscii(dst: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) dst[at++] = s.charCodeAt(i);
  return at;
}

export class ByteText {
  u8 = new Uint8Array(1 << 16);
  n = 0;

  /** Room for `k` more bytes. */
  reserve(k: number): void {
    if (this.n + k <= this.u8.length) return;
    const next = new Uint8Array(Math.max(this.u8.length * 2, this.n + k));
    next.set(this.u8.subarray(0, this.n));
    this.u8 = next;
  }

  /** Any string, as UTF-8. */
  text(s: string): void {
    this.reserve(3 * s.length);
    this.n += utf8Encoder.encodeInto(s, this.u8.subarray(this.n)).written;
  }

  /** The text so far, and an empty buffer. */
  take(): string {
    if (this.n === 0) return '';
    const s = utf8Decoder.decode(this.u8.subarray(0, this.n));
    this.n = 0;
    return s;
  }
}
