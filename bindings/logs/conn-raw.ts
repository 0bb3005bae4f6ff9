/**
 * conn.log rows written as bytes straight from undecoded connection snapshots (RawConnection): no Connection
 * object and no string per field, which on a large capture made conn.log the CLI's largest cost after the core.
 * ConnLogWriter uses it for every snapshot nobody has decoded; tests hold its rows equal to ConnLogWriter.line().
 */
import { CONN_STATES } from '../core/events.generated.ts';
import { UID_MAX_BYTES, formatAddr, isV4Mapped, writeUid } from '../core/format.ts';
import type { RawConnection } from '../core/records.generated.ts';
import type { Count } from '../core/values.ts';
import { ByteText } from './byte-text.ts';
import type { LocalNets } from './local-nets.ts';
import { fixed6, jsonDouble, micros } from './numbers.ts';

const TAB = 9, DASH = 45, DOT = 46, COMMA = 44, QUOTE = 34;

/** Writes rows into `out`, one call per snapshot; a row it cannot write is left to the caller (false). */
export class RawRows {
  /** The rows written so far (take() them). */
  readonly out = new ByteText();

  constructor(private readonly local: LocalNets) {}

  /**
   * ConnLogWriter's TSV row, written into `out` from an undecoded snapshot in `u8`. Returns false, having written
   * nothing, for a history that is not ASCII (the caller writes that row from the decoded snapshot).
   */
  tsv(u8: Uint8Array, dv: DataView, c: RawConnection): boolean {
    const out = this.out;
    const start = out.n;
    out.reserve(256); // a typical row whole: the writes below then rarely grow the buffer
    this.#time(c.start_time);
    out.byte(TAB);
    this.#uid(dv, c.uid);
    out.byte(TAB);
    const origLocal = this.#addr(u8, c.orig_h);
    out.byte(TAB);
    out.uint(c.orig_p);
    out.byte(TAB);
    const respLocal = this.#addr(u8, c.resp_h);
    out.byte(TAB);
    out.uint(c.resp_p);
    out.ascii('\ttcp\t-\t');
    if (c.duration > 0) {
      this.#time(c.duration);
      out.byte(TAB);
      this.#count(c.orig_size);
      out.byte(TAB);
      this.#count(c.resp_size);
    } else {
      out.ascii('-\t-\t-');
    }
    out.byte(TAB);
    out.ascii(CONN_STATES[c.conn_state]); // none needs escaping
    out.ascii(origLocal ? '\tT\t' : '\tF\t');
    out.ascii(respLocal ? 'T\t' : 'F\t');
    this.#count(c.missed_bytes);
    out.byte(TAB);
    if (!this.#history(u8, dv, c.history)) {
      out.n = start;
      return false;
    }
    out.byte(TAB);
    if (c.orig_num_pkts !== undefined) {
      this.#count(c.orig_num_pkts);
      out.byte(TAB);
      this.#countOrUnset(c.orig_num_bytes_ip);
      out.byte(TAB);
      this.#countOrUnset(c.resp_num_pkts);
      out.byte(TAB);
      this.#countOrUnset(c.resp_num_bytes_ip);
    } else {
      out.ascii('-\t-\t-\t-');
    }
    out.byte(TAB);
    const parents = u8[c.tunnel_parents];
    if (parents === 0) out.byte(DASH);
    for (let i = 0, p = c.tunnel_parents + 1; i < parents; i++, p += 12) {
      if (i) out.byte(COMMA);
      this.#uid(dv, p);
    }
    out.ascii('\t6\n');
    return true;
  }

  /**
   * ConnLogWriter's JSON row, written into `out` from an undecoded snapshot in `u8`. Returns false, having written
   * nothing, for a history JSON would escape (the caller writes that row from the decoded snapshot).
   */
  json(u8: Uint8Array, dv: DataView, c: RawConnection): boolean {
    const out = this.out;
    const start = out.n;
    out.ascii('{"ts":');
    out.ascii(jsonDouble(c.start_time));
    out.ascii(',"uid":"');
    this.#uid(dv, c.uid);
    out.ascii('","id.orig_h":"');
    const origLocal = this.#addr(u8, c.orig_h);
    out.ascii('","id.orig_p":');
    out.uint(c.orig_p);
    out.ascii(',"id.resp_h":"');
    const respLocal = this.#addr(u8, c.resp_h);
    out.ascii('","id.resp_p":');
    out.uint(c.resp_p);
    out.ascii(',"proto":"tcp"');
    if (c.duration > 0) {
      out.ascii(',"duration":');
      out.ascii(jsonDouble(c.duration));
      out.ascii(',"orig_bytes":');
      this.#count(c.orig_size);
      out.ascii(',"resp_bytes":');
      this.#count(c.resp_size);
    }
    out.ascii(',"conn_state":"');
    out.ascii(CONN_STATES[c.conn_state]);
    out.ascii(origLocal ? '","local_orig":true' : '","local_orig":false');
    out.ascii(respLocal ? ',"local_resp":true' : ',"local_resp":false');
    out.ascii(',"missed_bytes":');
    this.#count(c.missed_bytes);
    const len = dv.getUint32(c.history, true);
    if (len > 0) {
      out.ascii(',"history":"');
      out.reserve(len);
      for (let i = c.history + 4; i < c.history + 4 + len; i++) {
        const b = u8[i];
        // Only what JSON.stringify leaves as it is (and one byte per character).
        if (b < 0x20 || b === 0x22 || b === 0x5c || b >= 0x80) {
          out.n = start;
          return false;
        }
        out.byte(b);
      }
      out.byte(QUOTE);
    }
    if (c.orig_num_pkts !== undefined) {
      this.#jsonCount(',"orig_pkts":', c.orig_num_pkts);
      this.#jsonCount(',"orig_ip_bytes":', c.orig_num_bytes_ip);
      this.#jsonCount(',"resp_pkts":', c.resp_num_pkts);
      this.#jsonCount(',"resp_ip_bytes":', c.resp_num_bytes_ip);
    }
    const parents = u8[c.tunnel_parents];
    for (let i = 0, p = c.tunnel_parents + 1; i < parents; i++, p += 12) {
      out.ascii(i ? '","' : ',"tunnel_parents":["');
      this.#uid(dv, p);
    }
    if (parents > 0) out.ascii('"]');
    out.ascii(',"ip_proto":6}\n');
    return true;
  }

  /** The uid whose wire form (u64 low, u32 high) is at `p`. */
  #uid(dv: DataView, p: number): void {
    const out = this.out;
    out.reserve(UID_MAX_BYTES);
    out.n = writeUid(out.u8, out.n, dv.getUint32(p, true), dv.getUint32(p + 4, true), dv.getUint32(p + 8, true));
  }

  /** `key` and a count when the count is set. */
  #jsonCount(key: string, v: Count | undefined): void {
    if (v === undefined) return;
    this.out.ascii(key);
    this.#count(v);
  }

  /** A time with 6 decimals, as fixed6 writes it. */
  #time(x: number): void {
    const n = micros(x);
    if (n < 0) return this.out.ascii(fixed6(x));
    const sec = Math.floor(n / 1e6);
    this.out.uint(sec);
    this.out.byte(DOT);
    this.out.padded(n - sec * 1e6, 6);
  }

  #count(v: Count): void {
    if (typeof v === 'number') this.out.uint(v);
    else this.out.ascii(String(v));
  }

  #countOrUnset(v: Count | undefined): void {
    if (v === undefined) this.out.byte(DASH);
    else this.#count(v);
  }

  /** The address whose wire form (version byte, 16 bytes) is at `p`, as formatAddr writes it; returns isLocal. */
  #addr(u8: Uint8Array, p: number): boolean {
    const ver = u8[p];
    if (ver !== 4 && !isV4Mapped(u8, p + 1)) {
      const h = formatAddr(u8, p + 1, ver);
      this.out.ascii(h);
      return this.local.hasBytes(u8, p + 1, h);
    }
    this.out.dottedQuad(u8, p + 13);
    return this.local.hasV4(((u8[p + 13] << 24) | (u8[p + 14] << 16) | (u8[p + 15] << 8) | u8[p + 16]) >>> 0);
  }

  /** The history text whose wire form (u32 length, bytes) is at `p`, escaped for TSV; false when not ASCII. */
  #history(u8: Uint8Array, dv: DataView, p: number): boolean {
    const len = dv.getUint32(p, true), from = p + 4;
    const out = this.out;
    if (len === 0 || (len === 1 && u8[from] === DASH)) {
      out.ascii(len === 0 ? '-' : '\\x2d');
      return true;
    }
    out.reserve(4 * len);
    for (let i = from; i < from + len; i++) {
      const b = u8[i];
      if (b >= 0x80) return false;
      if (b < 0x20 || b === 0x7f) out.ascii(`\\x${b.toString(16).padStart(2, '0')}`);
      else out.byte(b);
    }
    return true;
  }
}
