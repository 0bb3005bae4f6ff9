/**
 * Formatting of wire values into Zeek's text forms: addresses, uids, TCP flag strings, MAC addresses, and the
 * TCP option list. Shared by the generated readers and the log writers.
 */
import type { TcpOption } from './values.ts';

const HEX = '0123456789abcdef';

/** True when the 16 bytes at `p` are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function isV4Mapped(u8: Uint8Array, p: number): boolean {
  for (let i = 0; i < 10; i++) if (u8[p + i] !== 0) return false;
  return u8[p + 10] === 0xff && u8[p + 11] === 0xff;
}

/**
 * The address in the 16 bytes at `p`: IPv4 dotted quad when `ver` is 4 or the bytes are IPv4-mapped (Zeek's
 * IPAddr keeps IPv4 that way and prints it as IPv4), else IPv6 as inet_ntop writes it (RFC 5952 compression:
 * the first longest run of at least two zero groups becomes `::`, lowercase hex).
 */
export function formatAddr(u8: Uint8Array, p: number, ver: number): string {
  if (ver === 4 || isV4Mapped(u8, p)) {
    const key = ((u8[p + 12] << 24) | (u8[p + 13] << 16) | (u8[p + 14] << 8) | u8[p + 15]) >>> 0;
    let s = V4_TEXT.get(key);
    if (s === undefined) {
      if (V4_TEXT.size >= ADDR_CACHE_MAX) V4_TEXT.clear();
      V4_TEXT.set(key, s = formatV4(u8, p + 12));
    }
    return s;
  }
  const w = V6_WORDS;
  for (let i = 0; i < 8; i++) w[i] = (u8[p + 2 * i] << 8) | u8[p + 2 * i + 1];
  const key = String.fromCharCode(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
  let s = V6_TEXT.get(key);
  if (s === undefined) {
    if (V6_TEXT.size >= ADDR_CACHE_MAX) V6_TEXT.clear();
    V6_TEXT.set(key, s = formatV6(w, u8, p));
  }
  return s;
}

/**
 * Address texts by address: snapshots name the same few hosts again and again, and a repeated text is also the
 * same string object, whose hash later lookups (local_nets) already have. Bounded: cleared when full.
 */
const ADDR_CACHE_MAX = 1 << 14;
const V4_TEXT = new Map<number, string>();
const V6_TEXT = new Map<string, string>();
const V6_WORDS: number[] = new Array(8).fill(0);

/** IPv6 text of the 8 words `w` (the address bytes at `p`, for an embedded IPv4 part). */
function formatV6(w: number[], u8: Uint8Array, p: number): string {
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) best = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      s += '::';
      // glibc writes an IPv4-compatible address (::a.b.c.d) with its embedded IPv4 part.
      if (i === 0 && bestLen === 6) return s + formatV4(u8, p + 12);
      i += bestLen - 1;
      continue;
    }
    if (i !== 0 && !s.endsWith(':')) s += ':';
    s += w[i].toString(16);
  }
  return s;
}

/** Each byte value's decimal text in 4 bytes: its length, then up to 3 digit codes. */
const BYTE_DECIMALS = new Uint8Array(1024);
for (let v = 0; v < 256; v++) {
  const s = String(v);
  BYTE_DECIMALS[v << 2] = s.length;
  for (let i = 0; i < s.length; i++) BYTE_DECIMALS[(v << 2) + 1 + i] = s.charCodeAt(i);
}

/**
 * Writes the 4 bytes at `p` of `src` as a dotted quad into `dst` at `at` (room for 16 bytes needed); returns the
 * end. Three digit places are written for every part and the length kept: the next write covers what a shorter
 * number leaves over.
 */
export function writeDottedQuad(dst: Uint8Array, at: number, src: Uint8Array, p: number): number {
  const t = BYTE_DECIMALS;
  for (let i = 0; i < 4; i++) {
    const k = src[p + i] << 2;
    dst[at] = t[k + 1];
    dst[at + 1] = t[k + 2];
    dst[at + 2] = t[k + 3];
    at += t[k];
    dst[at++] = 46;
  }
  return at - 1;
}

/** formatV4's text buffer. */
const V4_TEXT_BYTES = new Uint8Array(16);

/** The dotted quad of the 4 bytes at `p` as a string (two per snapshot). */
function formatV4(u8: Uint8Array, p: number): string {
  const n = writeDottedQuad(V4_TEXT_BYTES, 0, u8, p);
  return String.fromCharCode.apply(null, V4_TEXT_BYTES.subarray(0, n) as unknown as number[]);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 96-bit uid (lo: low 64 bits as two u32 words, hi: top 32 bits) as "C" + base62 digits, least significant first. */
export function formatUid(lo0: number, lo1: number, hi: number): string {
  const n = writeUid(UID_TEXT, 0, lo0, lo1, hi);
  return String.fromCharCode.apply(null, UID_TEXT.subarray(0, n) as unknown as number[]);
}

/** The most bytes writeUid writes: "C" and 17 base62 digits (62^17 > 2^96). */
export const UID_MAX_BYTES = 18;

/** Writes formatUid's text as ASCII into `dst` at `at` (room for UID_MAX_BYTES); returns the position after it. */
export function writeUid(dst: Uint8Array, at: number, lo0: number, lo1: number, hi: number): number {
  // Long division by 62⁴ over four 24-bit limbs (most significant first), four digits a pass; limbs that have become
  // zero drop out. Every dividend is below 62⁴ · 2^24 < 2^48, so doubles hold it exactly; the quotient comes from a
  // multiply by the reciprocal, corrected by one when the rounded product lands on the wrong side of an integer.
  const limbs = UID_LIMBS;
  limbs[0] = hi >>> 8;
  limbs[1] = ((hi & 0xff) << 16) | (lo1 >>> 16);
  limbs[2] = ((lo1 & 0xffff) << 8) | (lo0 >>> 24);
  limbs[3] = lo0 & 0xffffff;
  let top = 0;
  while (top < 4 && limbs[top] === 0) top++;
  dst[at++] = 67;
  for (;;) {
    let r = 0;
    for (let i = top; i < 4; i++) {
      const x = r * 16777216 + limbs[i];
      let q = Math.floor(x * INV_62_4);
      r = x - q * B62_4;
      if (r < 0) { q--; r += B62_4; } else if (r >= B62_4) { q++; r -= B62_4; }
      limbs[i] = q;
    }
    while (top < 4 && limbs[top] === 0) top++;
    // r holds the next four digits, least significant first: two pairs of the pair table.
    let high = Math.floor(r * INV_3844);
    let low = r - high * 3844;
    if (low < 0) { high--; low += 3844; } else if (low >= 3844) { high++; low -= 3844; }
    const a = BASE62_PAIRS[low], b = BASE62_PAIRS[high];
    if (top < 4) {
      dst[at] = a; dst[at + 1] = a >> 8; dst[at + 2] = b; dst[at + 3] = b >> 8;
      at += 4;
      continue;
    }
    // The last pass stops before its leading zero digits (one digit at least).
    dst[at++] = a;
    if (r >= 62) dst[at++] = a >> 8;
    if (high > 0) dst[at++] = b;
    if (high >= 62) dst[at++] = b >> 8;
    return at;
  }
}

const B62_4 = 62 ** 4;
const INV_62_4 = 1 / B62_4;
const INV_3844 = 1 / 3844;
const BASE62_CODES = Uint8Array.from([...BASE62].map((ch) => ch.charCodeAt(0)));
/** The two digits of each value below 62²: the low digit's code in the low byte, the high digit's above it. */
const BASE62_PAIRS = Uint16Array.from({ length: 3844 }, (_, v) => BASE62_CODES[v % 62] | (BASE62_CODES[Math.floor(v / 62)] << 8));
/** formatUid's text buffer and writeUid's limbs. */
const UID_TEXT = new Uint8Array(UID_MAX_BYTES);
const UID_LIMBS = new Float64Array(4);

/** The inverse of formatUid: [lo as bigint (64 bits), hi (32 bits)]. */
export function parseUid(uid: string): [bigint, number] {
  if (!uid.startsWith('C') || uid.length < 2) throw new Error(`not a uid: ${uid}`);
  let v = 0n;
  for (let i = uid.length - 1; i >= 1; i--) {
    const d = BASE62.indexOf(uid[i]);
    if (d < 0) throw new Error(`not a uid: ${uid}`);
    v = v * 62n + BigInt(d);
  }
  if (v >> 96n) throw new Error(`uid above 96 bits: ${uid}`);
  return [v & 0xffffffffffffffffn, Number(v >> 64n)];
}

/** Flag bits in Zeek's letter order S F R A P U (events.md tcp_packet `flags`). */
const FLAG_ORDER: [number, string][] = [[2, 'S'], [1, 'F'], [4, 'R'], [16, 'A'], [8, 'P'], [32, 'U']];
const FLAG_STRINGS: string[] = [];
for (let b = 0; b < 64; b++) FLAG_STRINGS.push(FLAG_ORDER.filter(([bit]) => b & bit).map(([, l]) => l).join(''));

/** TCP flag bits (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32) as Zeek's flag string. */
export function formatTcpFlags(bits: number): string {
  return FLAG_STRINGS[bits & 63];
}

/** The inverse of formatTcpFlags. */
export function parseTcpFlags(s: string): number {
  let bits = 0;
  for (const ch of s) {
    const f = FLAG_ORDER.find(([, l]) => l === ch);
    if (!f) throw new Error(`not a TCP flag letter: ${ch}`);
    bits |= f[0];
  }
  return bits;
}

/** Character codes of the lowercase hex digits. */
const HEX_CODES = [...HEX].map((c) => c.charCodeAt(0));

/**
 * Six bytes as a lowercase colon-separated MAC address. Built from character codes in one call: every connection
 * snapshot has two, and piecewise concatenation made a dozen intermediate strings of each.
 */
export function formatMac(u8: Uint8Array, p: number): string {
  const h = HEX_CODES, a = u8[p], b = u8[p + 1], c = u8[p + 2], d = u8[p + 3], e = u8[p + 4], f = u8[p + 5];
  return String.fromCharCode(h[a >> 4], h[a & 15], 58, h[b >> 4], h[b & 15], 58, h[c >> 4], h[c & 15], 58,
    h[d >> 4], h[d & 15], 58, h[e >> 4], h[e & 15], 58, h[f >> 4], h[f & 15]);
}

function be32(u8: Uint8Array, p: number): number {
  return ((u8[p] << 24) | (u8[p + 1] << 16) | (u8[p + 2] << 8) | u8[p + 3]) >>> 0;
}

/**
 * Raw TCP option bytes (after the fixed header) as Zeek's TCP::OptionList (events.md §2.5): kinds 0 and 1 are one
 * byte; other kinds stop the walk when the length byte is missing, is 0, or overruns; a kind 0 ends the list.
 * Known kinds with a valid length get their fields; unknown kinds and invalid lengths keep their bytes in `data`.
 */
export function decodeTcpOptions(u8: Uint8Array, p: number, len: number): TcpOption[] {
  const out: TcpOption[] = [];
  const end = p + len;
  while (p < end) {
    const kind = u8[p];
    let length = 1;
    if (kind >= 2) {
      if (p + 1 >= end) break;
      length = u8[p + 1];
      if (length === 0 || p + length > end) break;
    }
    const o: TcpOption = { kind, length };
    let valid = true;
    switch (kind) {
      case 0: case 1: break;
      case 2: if ((valid = length === 4)) o.mss = (u8[p + 2] << 8) | u8[p + 3]; break;
      case 3: if ((valid = length === 3)) o.window_scale = u8[p + 2]; break;
      case 4: valid = length === 2; break;
      case 5:
        if ((valid = length === 10 || length === 18 || length === 26 || length === 34)) {
          o.sack = [];
          for (let i = 2; i < length; i += 4) o.sack.push(be32(u8, p + i));
        }
        break;
      case 8:
        if ((valid = length === 10)) { o.send_timestamp = be32(u8, p + 2); o.echo_timestamp = be32(u8, p + 6); }
        break;
      case 27:
        if ((valid = length === 8)) { o.rate = u8[p + 2]; o.ttl_diff = u8[p + 3]; o.qs_nonce = be32(u8, p + 4); }
        break;
      case 28: valid = length === 4; break;
      case 29: valid = length >= 4; break;
      case 34: valid = length === 2 || (length >= 6 && length <= 18); break;
      default: valid = false;
    }
    if (!valid && length > 2) o.data = u8.slice(p + 2, p + length);
    out.push(o);
    p += length;
    if (kind === 0) break;
  }
  return out;
}

/** The inverse of decodeTcpOptions for well-formed lists (used to build test records). */
export function encodeTcpOptions(opts: TcpOption[]): Uint8Array {
  const out: number[] = [];
  const u32 = (v: number) => out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  for (const o of opts) {
    out.push(o.kind);
    if (o.kind < 2) continue;
    out.push(o.length);
    if (o.data) out.push(...o.data);
    else if (o.mss !== undefined) out.push(o.mss >> 8, o.mss & 255);
    else if (o.window_scale !== undefined) out.push(o.window_scale);
    else if (o.sack) o.sack.forEach(u32);
    else if (o.send_timestamp !== undefined) { u32(o.send_timestamp); u32(o.echo_timestamp ?? 0); }
    else if (o.rate !== undefined) { out.push(o.rate, o.ttl_diff ?? 0); u32(o.qs_nonce ?? 0); }
    else for (let i = 2; i < o.length; i++) out.push(0);
  }
  return Uint8Array.from(out);
}
