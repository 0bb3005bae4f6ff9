/**
 * Log text assembled as bytes in one growing buffer and turned into a string once per batch: a log writer that
 * makes a string per field makes a dozen per row, and on a large capture the collector paid for them all.
 * ASCII goes in byte by byte; `text` takes any string (UTF-8 encoded).
 */
import { writeDottedQuad } from '../core/format.ts';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** 10^0 … 10^15. */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

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

  /** One byte. */
  byte(b: number): void {
    // A typed array drops a write past its end without a word: never rely on room reserved earlier.
    if (this.n === this.u8.length) this.reserve(1);
    this.u8[this.n++] = b;
  }

  /** An ASCII string. */
  ascii(s: string): void {
    this.reserve(s.length);
    const u8 = this.u8;
    let n = this.n;
    for (let i = 0; i < s.length; i++) u8[n++] = s.charCodeAt(i);
    this.n = n;
  }

  /** Any string, as UTF-8. */
  text(s: string): void {
    this.reserve(3 * s.length);
    this.n += utf8Encoder.encodeInto(s, this.u8.subarray(this.n)).written;
  }

  /** The 4 bytes at `p` of `src` as a dotted quad (an IPv4 address). */
  dottedQuad(src: Uint8Array, p: number): void {
    this.reserve(16);
    this.n = writeDottedQuad(this.u8, this.n, src, p);
  }

  /** A non-negative integer below 2^53 in decimal. */
  uint(v: number): void {
    let digits = 1;
    while (digits < 16 && v >= POW10[digits]) digits++;
    this.reserve(digits + 1);
    const u8 = this.u8;
    let i = this.n + digits;
    this.n = i;
    if (v < 0x80000000) {
      do { const q = (v / 10) | 0; u8[--i] = 48 + (v - q * 10); v = q; } while (v > 0);
    } else {
      do { const q = Math.floor(v / 10); u8[--i] = 48 + (v - q * 10); v = q; } while (v > 0);
    }
  }

  /** `v` (below 10^width) in exactly `width` decimal digits, zero-padded. */
  padded(v: number, width: number): void {
    this.reserve(width);
    const u8 = this.u8;
    for (let i = this.n + width - 1; i >= this.n; i--) { const q = (v / 10) | 0; u8[i] = 48 + (v - q * 10); v = q; }
    this.n += width;
  }

  /** The text so far, and an empty buffer. */
  take(): string {
    if (this.n === 0) return '';
    const s = utf8Decoder.decode(this.u8.subarray(0, this.n));
    this.n = 0;
    return s;
  }
}
