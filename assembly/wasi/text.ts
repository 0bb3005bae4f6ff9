/**
 * Zeek's text forms, written to the output buffer byte for byte as bindings/core/format.ts and the TS log
 * writers produce them: addresses (inet_ntop), uids (base62), TCP flag letters, MACs, and byte strings decoded
 * as UTF-8 the WHATWG way (TextDecoder: each maximal invalid subpart → U+FFFD) then escaped like
 * JSON.stringify or like Zeek's TSV writer.
 */
import { putByte, putBytes, putU64, putHex2 } from './out';

function isV4Mapped(p: usize): bool {
  for (let i = 0; i < 10; i++) if (load<u8>(p + i) != 0) return false;
  return load<u8>(p + 10) == 0xff && load<u8>(p + 11) == 0xff;
}

function putQuad(p: usize): void {
  putU64(load<u8>(p)); putByte(46); putU64(load<u8>(p + 1)); putByte(46);
  putU64(load<u8>(p + 2)); putByte(46); putU64(load<u8>(p + 3));
}

const HEXL = '0123456789abcdef';

function putHexWord(w: u32): void {
  let started = false;
  for (let s = 12; s >= 0; s -= 4) {
    const d = (w >> s) & 15;
    if (d != 0 || started || s == 0) { putByte(HEXL.charCodeAt(d)); started = true; }
  }
}

/** The address in the 16 bytes at `p` (version `ver`), as formatAddr. */
export function putAddr(p: usize, ver: u32): void {
  if (ver == 4 || isV4Mapped(p)) { putQuad(p + 12); return; }
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (word(p, i) != 0) { i++; continue; }
    let j = i;
    while (j < 8 && word(p, j) == 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) best = -1;
  let lastColon = false;
  for (let i = 0; i < 8; i++) {
    if (i == best) {
      putByte(58); putByte(58);
      if (i == 0 && bestLen == 6) { putQuad(p + 12); return; }
      i += bestLen - 1;
      lastColon = true;
      continue;
    }
    if (i != 0 && !lastColon) putByte(58);
    putHexWord(word(p, i));
    lastColon = false;
  }
}

// @ts-ignore: decorator
@inline function word(p: usize, i: i32): u32 {
  return (<u32>load<u8>(p + 2 * i) << 8) | load<u8>(p + 2 * i + 1);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 96-bit uid at `p` (u64 low, u32 high) as "C" + base62, least significant digit first. */
export function putUid(p: usize): void {
  let c: u64 = load<u32>(p), b: u64 = load<u32>(p + 4), a: u64 = load<u32>(p + 8);
  putByte(67);
  do {
    const qa = a / 62, ra = a % 62;
    const xb = (ra << 32) | b;
    const qb = xb / 62, rb = xb % 62;
    const xc = (rb << 32) | c;
    const qc = xc / 62, rc = xc % 62;
    putByte(BASE62.charCodeAt(<i32>rc));
    a = qa; b = qb; c = qc;
  } while (a != 0 || b != 0 || c != 0);
}

/** Flag bits in Zeek's letter order S F R A P U. */
export function putFlags(bits: u32): void {
  if (bits & 2) putByte(83);
  if (bits & 1) putByte(70);
  if (bits & 4) putByte(82);
  if (bits & 16) putByte(65);
  if (bits & 8) putByte(80);
  if (bits & 32) putByte(85);
}

export function putMac(p: usize): void {
  for (let i = 0; i < 6; i++) {
    if (i) putByte(58);
    putHex2(load<u8>(p + i));
  }
}

/**
 * Length of the next UTF-8 unit at [p, end): > 0 a valid sequence of that many bytes; < 0 an invalid subpart of
 * that many bytes (TextDecoder writes one U+FFFD for it).
 */
function utf8Unit(p: usize, end: usize): i32 {
  const b = <u32>load<u8>(p);
  if (b < 0x80) return 1;
  let need = 0, lo: u32 = 0x80, hi: u32 = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) { need = 2; if (b == 0xe0) lo = 0xa0; else if (b == 0xed) hi = 0x9f; }
  else if (b >= 0xf0 && b <= 0xf4) { need = 3; if (b == 0xf0) lo = 0x90; else if (b == 0xf4) hi = 0x8f; }
  else return -1;
  let q = p + 1;
  for (let k = 0; k < need; k++) {
    if (q >= end) return -<i32>(q - p);
    const c = <u32>load<u8>(q);
    if (c < (k == 0 ? lo : 0x80) || c > (k == 0 ? hi : 0xbf)) return -<i32>(q - p);
    q++;
  }
  return need + 1;
}

function putReplacement(): void { putByte(0xef); putByte(0xbf); putByte(0xbd); }

/** JSON.stringify of the UTF-8-decoded bytes [p, p + n). */
export function putJsonText(p: usize, n: u32): void {
  putByte(34);
  const end = p + n;
  while (p < end) {
    const u = utf8Unit(p, end);
    if (u < 0) { putReplacement(); p += <usize>(-u); continue; }
    if (u > 1) { putBytes(p, <u32>u); p += <usize>u; continue; }
    const c = <u32>load<u8>(p++);
    if (c == 34) { putByte(92); putByte(34); }
    else if (c == 92) { putByte(92); putByte(92); }
    else if (c >= 0x20) putByte(c);
    else if (c == 8) { putByte(92); putByte(98); }
    else if (c == 9) { putByte(92); putByte(116); }
    else if (c == 10) { putByte(92); putByte(110); }
    else if (c == 12) { putByte(92); putByte(102); }
    else if (c == 13) { putByte(92); putByte(114); }
    else { putByte(92); putByte(117); putByte(48); putByte(48); putHex2(c); }
  }
  putByte(34);
}

/** Zeek TSV string: (empty), controls and DEL as \xNN, a lone "-" as \x2d. */
export function putTsvText(p: usize, n: u32): void {
  if (n == 0) { putByte(40); putAsciiStr('empty'); putByte(41); return; }
  if (n == 1 && load<u8>(p) == 45) { putByte(92); putByte(120); putByte(50); putByte(100); return; }
  const end = p + n;
  while (p < end) {
    const u = utf8Unit(p, end);
    if (u < 0) { putReplacement(); p += <usize>(-u); continue; }
    if (u > 1) { putBytes(p, <u32>u); p += <usize>u; continue; }
    const c = <u32>load<u8>(p++);
    if (c < 0x20 || c == 0x7f) { putByte(92); putByte(120); putHex2(c); } else putByte(c);
  }
}

export function putAsciiStr(s: string): void {
  for (let i = 0; i < s.length; i++) putByte(s.charCodeAt(i));
}

/** JSON string of an ASCII AS string with nothing to escape (names from the schema). */
export function putJsonAscii(s: string): void {
  putByte(34); putAsciiStr(s); putByte(34);
}
