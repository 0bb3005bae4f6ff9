/**
 * conn.log rows written as bytes straight from undecoded connection snapshots (RawConnection): no Connection
 * object and no string per field, which on a large capture made conn.log the CLI's largest cost after the core.
 * ConnLogWriter uses it for every snapshot nobody has decoded; tests hold its rows equal to ConnLogWriter.line().
 */
import { CONN_STATES } from '../core/events.generated.ts';
import { UID_MAX_BYTES, formatAddr, isV4Mapped, writeDottedQuad, writeUid } from '../core/format.ts';
import type { RawConnection } from '../core/records.generated.ts';
import type { Count } from '../core/values.ts';
import { ByteText, putAscii, putPadded, putUint } from './byte-text.ts';
import type { LocalNets } from './local-nets.ts';
import { fixed6, jsonDouble, micros } from './numbers.ts';

const TAB = 9, DASH = 45, DOT = 46, COMMA = 44, QUOTE = 34;
/**
 * The longest address text (IPv6 with an embedded IPv4 part), count (a u64 as a bigint) and time (fixed6 of any time a
 * capture can give: a pcapng time of 2^64 seconds has 20 digits, then the point and 6 more).
 */
const ADDR_MAX = 45, COUNT_MAX = 20, TIME_MAX = 32;

/** Writes rows into `out`, one call per snapshot; a row it cannot write is left to the caller (false). */
export class RawRows {
  /** The rows written so far (take() them). */
  readonly out = new ByteText();

  constructor(private readonly local: LocalNets) {}

  /**
   * ConnLogWriter's TSV row, written into `out` from an undecoded snapshot in `u8`. Returns false, having written
   * nothing, for a history that is not ASCII (the caller writes that row from the decoded snapshot). Room for the
   * longest row is reserved once, and the fields go straight into the buffer: this runs once per connection.
   */
  tsv(u8: Uint8Array, dv: DataView, c: RawConnection): boolean {
    const out = this.out;
    const histLen = dv.getUint32(c.history, true), parents = u8[c.tunnel_parents];
    out.reserve(TSV_ROW_MAX + 4 * histLen + (UID_MAX_BYTES + 1) * parents);
    const d = out.u8;
    let n = putTime(d, out.n, c.start_time);
    d[n++] = TAB;
    n = uidAt(d, n, dv, c.uid);
    d[n++] = TAB;
    n = this.#addrAt(d, n, u8, c.orig_h);
    const origLocal = this.#local;
    d[n++] = TAB;
    n = putUint(d, n, c.orig_p);
    d[n++] = TAB;
    n = this.#addrAt(d, n, u8, c.resp_h);
    const respLocal = this.#local;
    d[n++] = TAB;
    n = putUint(d, n, c.resp_p);
    n = putAscii(d, n, '\ttcp\t-\t');
    if (c.duration > 0) {
      n = putTime(d, n, c.duration);
      d[n++] = TAB;
      n = putCount(d, n, c.orig_size);
      d[n++] = TAB;
      n = putCount(d, n, c.resp_size);
    } else {
      n = putAscii(d, n, '-\t-\t-');
    }
    d[n++] = TAB;
    n = putAscii(d, n, CONN_STATES[c.conn_state]); // none needs escaping
    n = putAscii(d, n, origLocal ? '\tT\t' : '\tF\t');
    n = putAscii(d, n, respLocal ? 'T\t' : 'F\t');
    n = putCount(d, n, c.missed_bytes);
    d[n++] = TAB;
    n = historyAt(d, n, u8, c.history + 4, histLen);
    if (n < 0) return false;
    d[n++] = TAB;
    if (c.orig_num_pkts !== undefined) {
      n = putCount(d, n, c.orig_num_pkts);
      d[n++] = TAB;
      n = putCountOrUnset(d, n, c.orig_num_bytes_ip);
      d[n++] = TAB;
      n = putCountOrUnset(d, n, c.resp_num_pkts);
      d[n++] = TAB;
      n = putCountOrUnset(d, n, c.resp_num_bytes_ip);
    } else {
      n = putAscii(d, n, '-\t-\t-\t-');
    }
    d[n++] = TAB;
    if (parents === 0) d[n++] = DASH;
    for (let i = 0, p = c.tunnel_parents + 1; i < parents; i++, p += 12) {
      if (i) d[n++] = COMMA;
      n = uidAt(d, n, dv, p);
    }
    n = putAscii(d, n, '\t6\n');
    out.n = n;
    return true;
  }

  /**
   * ConnLogWriter's JSON row, written into `out` from an undecoded snapshot in `u8`. Returns false, having written
   * nothing, for a history JSON would escape (the caller writes that row from the decoded snapshot). Like tsv(): room
   * for the longest row reserved once, the fields written straight into the buffer.
   */
  json(u8: Uint8Array, dv: DataView, c: RawConnection): boolean {
    const out = this.out;
    const histLen = dv.getUint32(c.history, true), parents = u8[c.tunnel_parents];
    out.reserve(JSON_ROW_MAX + histLen + (UID_MAX_BYTES + 3) * parents);
    const d = out.u8;
    let n = putAscii(d, out.n, '{"ts":');
    n = putAscii(d, n, jsonDouble(c.start_time));
    n = putAscii(d, n, ',"uid":"');
    n = uidAt(d, n, dv, c.uid);
    n = putAscii(d, n, '","id.orig_h":"');
    n = this.#addrAt(d, n, u8, c.orig_h);
    const origLocal = this.#local;
    n = putAscii(d, n, '","id.orig_p":');
    n = putUint(d, n, c.orig_p);
    n = putAscii(d, n, ',"id.resp_h":"');
    n = this.#addrAt(d, n, u8, c.resp_h);
    const respLocal = this.#local;
    n = putAscii(d, n, '","id.resp_p":');
    n = putUint(d, n, c.resp_p);
    n = putAscii(d, n, ',"proto":"tcp"');
    if (c.duration > 0) {
      n = putAscii(d, n, ',"duration":');
      n = putAscii(d, n, jsonDouble(c.duration));
      n = putAscii(d, n, ',"orig_bytes":');
      n = putCount(d, n, c.orig_size);
      n = putAscii(d, n, ',"resp_bytes":');
      n = putCount(d, n, c.resp_size);
    }
    n = putAscii(d, n, ',"conn_state":"');
    n = putAscii(d, n, CONN_STATES[c.conn_state]);
    n = putAscii(d, n, origLocal ? '","local_orig":true' : '","local_orig":false');
    n = putAscii(d, n, respLocal ? ',"local_resp":true' : ',"local_resp":false');
    n = putAscii(d, n, ',"missed_bytes":');
    n = putCount(d, n, c.missed_bytes);
    if (histLen > 0) {
      n = putAscii(d, n, ',"history":"');
      for (let i = c.history + 4; i < c.history + 4 + histLen; i++) {
        const b = u8[i];
        // Only what JSON.stringify leaves as it is (and one byte per character).
        if (b < 0x20 || b === 0x22 || b === 0x5c || b >= 0x80) return false;
        d[n++] = b;
      }
      d[n++] = QUOTE;
    }
    if (c.orig_num_pkts !== undefined) {
      n = putAscii(d, n, ',"orig_pkts":');
      n = putCount(d, n, c.orig_num_pkts);
      // JSON leaves an unset field out.
      if (c.orig_num_bytes_ip !== undefined) { n = putAscii(d, n, ',"orig_ip_bytes":'); n = putCount(d, n, c.orig_num_bytes_ip); }
      if (c.resp_num_pkts !== undefined) { n = putAscii(d, n, ',"resp_pkts":'); n = putCount(d, n, c.resp_num_pkts); }
      if (c.resp_num_bytes_ip !== undefined) { n = putAscii(d, n, ',"resp_ip_bytes":'); n = putCount(d, n, c.resp_num_bytes_ip); }
    }
    for (let i = 0, p = c.tunnel_parents + 1; i < parents; i++, p += 12) {
      n = putAscii(d, n, i ? '","' : ',"tunnel_parents":["');
      n = uidAt(d, n, dv, p);
    }
    if (parents > 0) n = putAscii(d, n, '"]');
    n = putAscii(d, n, ',"ip_proto":6}\n');
    out.n = n;
    return true;
  }

  /** Whether the address #addrAt wrote last is local. */
  #local = false;

  /** The address whose wire form (version byte, 16 bytes) is at `p` into `d` at `n` (room for 45 bytes); #local. */
  #addrAt(d: Uint8Array, n: number, u8: Uint8Array, p: number): number {
    const ver = u8[p];
    if (ver !== 4 && !isV4Mapped(u8, p + 1)) {
      const h = formatAddr(u8, p + 1, ver);
      this.#local = this.local.hasBytes(u8, p + 1, h);
      return putAscii(d, n, h);
    }
    this.#local = this.local.hasV4(((u8[p + 13] << 24) | (u8[p + 14] << 16) | (u8[p + 15] << 8) | u8[p + 16]) >>> 0);
    return writeDottedQuad(d, n, u8, p + 13);
  }
}

/**
 * The longest TSV row without its history and tunnel parents: two times, a uid, two addresses, two ports, seven counts,
 * the longest conn_state, and 64 for the fixed columns, separators and unset markers (31 at most).
 */
const TSV_ROW_MAX = 2 * TIME_MAX + UID_MAX_BYTES + 2 * ADDR_MAX + 2 * 5 + 7 * COUNT_MAX + 6 + 64;
/** The longest double as jsonDouble writes it (-1.2345678901234567e-300: 24 bytes). */
const DOUBLE_MAX = 24;
/**
 * The longest JSON row without its history and tunnel parents: two doubles, a uid, two addresses, two ports, seven
 * counts, the longest conn_state, and 384 for the keys and punctuation (305).
 */
const JSON_ROW_MAX = 2 * DOUBLE_MAX + UID_MAX_BYTES + 2 * ADDR_MAX + 2 * 5 + 7 * COUNT_MAX + 6 + 384;

/** A time as fixed6 writes it (room for TIME_MAX bytes). */
function putTime(d: Uint8Array, n: number, x: number): number {
  const m = micros(x);
  if (m < 0) return putAscii(d, n, fixed6(x));
  const sec = Math.floor(m / 1e6);
  n = putUint(d, n, sec);
  d[n++] = DOT;
  return putPadded(d, n, m - sec * 1e6, 6);
}

/** A count: a number below 2^53, or a bigint (at most 20 digits). */
function putCount(d: Uint8Array, n: number, v: Count): number {
  return typeof v === 'number' ? putUint(d, n, v) : putAscii(d, n, String(v));
}

function putCountOrUnset(d: Uint8Array, n: number, v: Count | undefined): number {
  if (v === undefined) { d[n] = DASH; return n + 1; }
  return putCount(d, n, v);
}

/** The uid whose wire form (u64 low, u32 high) is at `p`. */
function uidAt(d: Uint8Array, n: number, dv: DataView, p: number): number {
  return writeUid(d, n, dv.getUint32(p, true), dv.getUint32(p + 4, true), dv.getUint32(p + 8, true));
}

/** The `len` history bytes at `p`, escaped for TSV (room for 4 bytes each); −1 when they are not ASCII. */
function historyAt(d: Uint8Array, n: number, u8: Uint8Array, p: number, len: number): number {
  if (len === 0) return putAscii(d, n, '-');
  if (len === 1 && u8[p] === DASH) return putAscii(d, n, '\\x2d');
  for (let i = p; i < p + len; i++) {
    const b = u8[i];
    if (b >= 0x80) return -1;
    if (b < 0x20 || b === 0x7f) {
      d[n++] = 92; // \x then two lowercase hex digits
      d[n++] = 120;
      d[n++] = HEX_CODES[b >> 4];
      d[n++] = HEX_CODES[b & 15];
    } else {
      d[n++] = b;
    }
  }
  return n;
}

const HEX_CODES = Uint8Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));
