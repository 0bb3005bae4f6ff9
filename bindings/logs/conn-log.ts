/**
 * Zeek conn.log from `connection_state_remove` snapshots (events.md §3): the ASCII writer's TSV (§3.3) and JSON
 * lines (§3.4). local_orig/local_resp use Zeek's default local_nets (private address space) plus the user's.
 */
import { inSubnet, parseAddr, parseSubnet, type Subnet } from '../core/addr.ts';
import { CONN_STATES, type Connection, type SynackEvent } from '../core/events.generated.ts';
import { DECIMAL_CODES, UID_MAX_BYTES, formatAddr, isV4Mapped, writeUid } from '../core/format.ts';
import { newRawConnection, rawSnapshot, type RawConnection } from '../core/records.generated.ts';
import type { Count } from '../core/values.ts';
import { ByteText } from './byte-text.ts';

/** Zeek 6.0+ Site::local_nets default: private address space (events.md §3.1). */
export const DEFAULT_LOCAL_NETS: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/24',
  '239.0.0.0/8', '240.0.0.0/4', '255.255.255.255/32',
  '2002::/24', '2002:a00::/24', '2002:6440::/26', '2002:7f00::/24', '2002:a9fe::/32', '2002:ac10::/28',
  '2002:c000::/40', '2002:c000:200::/40', '2002:c0a8::/32', '2002:c612::/31', '2002:c633:6400::/40',
  '2002:cb00:7100::/40', '2002:e000::/40', '2002:ef00::/24', '2002:f000::/20', '2002:ffff:ffff::/48',
  '::/128', '::1/128', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:2::/48', '2001:db8::/32', 'fc00::/7',
  'fe80::/10', 'fec0::/10',
];

const DEFAULT_NETS: Subnet[] = DEFAULT_LOCAL_NETS.map((s) => parseSubnet(s)!);

/** The 22 columns of Zeek's default conn.log, in order, with their log types (events.md §3.1). */
export const CONN_COLUMNS: readonly [string, string][] = [
  ['ts', 'time'], ['uid', 'string'], ['id.orig_h', 'addr'], ['id.orig_p', 'port'], ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'], ['proto', 'enum'], ['service', 'string'], ['duration', 'interval'], ['orig_bytes', 'count'],
  ['resp_bytes', 'count'], ['conn_state', 'string'], ['local_orig', 'bool'], ['local_resp', 'bool'],
  ['missed_bytes', 'count'], ['history', 'string'], ['orig_pkts', 'count'], ['orig_ip_bytes', 'count'],
  ['resp_pkts', 'count'], ['resp_ip_bytes', 'count'], ['tunnel_parents', 'set[string]'], ['ip_proto', 'count'],
];

/** A conn.log value: undefined = unset. */
type Value = string | number | bigint | boolean | readonly string[] | undefined;

const TWO_POW_51 = 2 ** 51;
/** 000 to 999. */
const DIGITS3 = Array.from({ length: 1000 }, (_, k) => String(k).padStart(3, '0'));

/**
 * x·10^6 rounded to an integer when that is quick and exact, else −1. Below 2^51 the double y = x·10^6 is within
 * 1/8 of the exact product, so when y's fraction is not near one half, rounding y rounds the exact value the same
 * way, and the digits come from an integer.
 */
function micros(x: number): number {
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

/** An IPv4 dotted quad as a number, or −1 when `s` is not one (parseAddr then decides). */
function v4Number(s: string): number {
  let v = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 46) {
      if (digits === 0 || dots === 3) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (ch >= 48 && ch <= 57) {
      part = part * 10 + ch - 48;
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? v * 256 + part : -1;
}

/** The 12 bytes before an IPv4 address in its 16-byte (IPv4-mapped) form. */
const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/**
 * The subnets among `nets` that hold IPv4 addresses, as [network, mask] over the 32-bit address: what inSubnet
 * decides on the IPv4-mapped form, without parsing the text of every address.
 */
function v4Subnets(nets: Subnet[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of nets) {
    const head = Math.min(n.prefix, 96);
    let covers = true;
    for (let bit = 0; bit < head && covers; bit++) {
      const m = 0x80 >> (bit & 7);
      covers = (n.bytes[bit >> 3] & m) === (V4_MAPPED_PREFIX[bit >> 3] & m);
    }
    if (!covers) continue;
    const len = n.prefix - head;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const net = ((n.bytes[12] << 24) | (n.bytes[13] << 16) | (n.bytes[14] << 8) | n.bytes[15]) >>> 0;
    out.push([(net & mask) >>> 0, mask]);
  }
  return out;
}

function inLocalNets(h: string, nets: Subnet[]): boolean {
  const a = parseAddr(h);
  if (!a) return false;
  for (const n of DEFAULT_NETS) if (inSubnet(a.bytes, n)) return true;
  for (const n of nets) if (inSubnet(a.bytes, n)) return true;
  return false;
}

/** The 22 values of one conn.log row (undefined = unset), in column order. `isLocal` may be a caching one. */
export function connRow(c: Connection, localNets: Subnet[] = [], isLocal = (h: string) => inLocalNets(h, localNets)): Value[] {
  const dur = c.duration > 0 ? c.duration : undefined;
  const counted = c.orig.num_pkts !== undefined;
  return [
    c.start_time, c.uid, c.id.orig_h, c.id.orig_p, c.id.resp_h, c.id.resp_p, 'tcp', undefined, dur,
    dur === undefined ? undefined : c.orig.size, dur === undefined ? undefined : c.resp.size, c.conn_state,
    isLocal(c.id.orig_h), isLocal(c.id.resp_h), c.missed_bytes,
    c.history === '' ? undefined : c.history,
    counted ? c.orig.num_pkts : undefined, counted ? c.orig.num_bytes_ip : undefined,
    counted ? c.resp.num_pkts : undefined, counted ? c.resp.num_bytes_ip : undefined,
    c.tunnel_parents.length > 0 ? c.tunnel_parents : undefined, 6,
  ];
}

const TAB = 9, DASH = 45, DOT = 46, COMMA = 44, QUOTE = 34;

/** A count field that may be unset, for TSV. */
function unsetOr(v: Count | undefined): string {
  return v === undefined ? '-' : String(v);
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\x00-\x1f\x7f]/;

/** A string field for TSV: non-printable bytes and TAB as \xNN, a value equal to a marker escaped. */
function tsvString(s: string): string {
  if (s === '') return '(empty)';
  if (s === '-') return '\\x2d';
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

/** A value that is set. */
type Present = Exclude<Value, undefined>;

/** How each column's value is written in JSON, chosen once per column by its log type rather than per value. */
function jsonFormatter(type: string): (v: Present) => string {
  if (type === 'time' || type === 'interval') return (v) => jsonDouble(v as number);
  if (type === 'string' || type === 'enum' || type === 'addr') return (v) => JSON.stringify(v);
  if (type.startsWith('set[')) return (v) => `[${(v as string[]).map((x) => JSON.stringify(x)).join(',')}]`;
  return (v) => String(v as number | bigint | boolean);
}

const JSON_FORMATS = CONN_COLUMNS.map(([, type]) => jsonFormatter(type));
const JSON_KEYS = CONN_COLUMNS.map(([name]) => `${JSON.stringify(name)}:`);

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

export interface ConnLogOptions {
  /** 'tsv' (Zeek's ASCII format, default) or 'json' (JSON lines). */
  format?: 'tsv' | 'json';
  /** Extra local networks (CIDR strings or parsed subnets), added to the private-space default. */
  localNets?: readonly (string | Subnet)[];
  /** Wall clock for #open/#close (tests fix it). */
  now?: () => Date;
}

/** Writes conn.log text: header(), then line() per removed connection, then footer(). */
export class ConnLogWriter {
  readonly format: 'tsv' | 'json';
  #nets: Subnet[];
  /** The local subnets that hold IPv4 addresses (v4Subnets). */
  #v4Nets: [number, number][];
  #now: () => Date;

  constructor(opts: ConnLogOptions = {}) {
    this.format = opts.format ?? 'tsv';
    this.#now = opts.now ?? (() => new Date());
    this.#nets = (opts.localNets ?? []).map((n) => {
      if (typeof n !== 'string') return n;
      const s = parseSubnet(n);
      if (!s) throw new Error(`local_nets: not a subnet: ${n}`);
      return s;
    });
    this.#v4Nets = v4Subnets([...DEFAULT_NETS, ...this.#nets]);
  }

  /** The TSV header lines ('' for JSON). */
  header(): string {
    if (this.format === 'json') return '';
    return [
      '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn',
      `#open\t${stamp(this.#now())}`,
      `#fields\t${CONN_COLUMNS.map((c) => c[0]).join('\t')}`,
      `#types\t${CONN_COLUMNS.map((c) => c[1]).join('\t')}`,
    ].join('\n') + '\n';
  }

  /** One row (with its newline) for a connection removed now. */
  line(c: Connection): string {
    if (this.format === 'tsv') return this.#tsv(c);
    // The row's values are replaced by their text in place and joined once: concatenating them one by one made
    // a chain of some forty intermediate strings per row.
    const row = connRow(c, this.#nets, this.#isLocal) as (Value | string)[];
    let n = 0;
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (v !== undefined) row[n++] = JSON_KEYS[i] + JSON_FORMATS[i](v);
    }
    row.length = n;
    return `{${row.join(',')}}\n`;
  }

  /**
   * The TSV row of connRow's values, written straight from the snapshot column by column (a test holds it equal
   * to connRow's values formatted by their log types). This is the CLI's per-connection cost, so no intermediate
   * array or per-column call.
   */
  #tsv(c: Connection): string {
    const id = c.id, o = c.orig, r = c.resp;
    const local = this.#isLocal;
    const timed = c.duration > 0;
    const counted = o.num_pkts !== undefined;
    return `${fixed6(c.start_time)}\t${tsvString(c.uid)}\t${tsvString(id.orig_h)}\t${id.orig_p}\t${tsvString(id.resp_h)}\t` +
      `${id.resp_p}\ttcp\t-\t${timed ? `${fixed6(c.duration)}\t${o.size}\t${r.size}` : '-\t-\t-'}\t` +
      `${tsvString(c.conn_state)}\t${local(id.orig_h) ? 'T' : 'F'}\t${local(id.resp_h) ? 'T' : 'F'}\t${c.missed_bytes}\t` +
      `${c.history === '' ? '-' : tsvString(c.history)}\t` +
      `${counted ? `${o.num_pkts}\t${unsetOr(o.num_bytes_ip)}\t${unsetOr(r.num_pkts)}\t${unsetOr(r.num_bytes_ip)}` : '-\t-\t-\t-'}\t` +
      `${c.tunnel_parents.length > 0 ? c.tunnel_parents.map(tsvString).join(',') : '-'}\t6\n`;
  }

  /** Local-network membership by address text, cached: a capture's connections share few addresses. */
  #local = new Map<string, boolean>();
  #isLocal = (h: string): boolean => {
    let v = this.#local.get(h);
    if (v === undefined) {
      if (this.#local.size >= 1 << 16) this.#local.clear();
      const v4 = v4Number(h);
      v = v4 >= 0 ? this.#v4Nets.some(([net, mask]) => ((v4 & mask) >>> 0) === net) : inLocalNets(h, this.#nets);
      this.#local.set(h, v);
    }
    return v;
  };

  /** The row for an event if it is a `connection_state_remove`, else ''. */
  event(e: SynackEvent): string {
    return e.name === 'connection_state_remove' ? this.line(e.c) : '';
  }

  /**
   * The rows of a batch of events, as event() makes them one by one. Rows of snapshots nobody has decoded are
   * written as bytes straight from the snapshot (#tsvRaw, #jsonRaw), without the Connection object.
   */
  events(batch: readonly SynackEvent[]): string {
    const out = this.#out, raw = this.#raw, tsv = this.format === 'tsv';
    for (const e of batch) {
      if (e.name !== 'connection_state_remove') continue;
      const r = rawSnapshot(e, raw);
      if (r !== null && (tsv ? this.#tsvRaw(r.u8, r.dv, raw) : this.#jsonRaw(r.u8, r.dv, raw))) continue;
      out.text(this.line(e.c));
    }
    return out.take();
  }

  #out = new ByteText();
  #raw = newRawConnection();

  /**
   * #tsv's row, written into #out from an undecoded snapshot in `u8`. Returns false, having written nothing, for
   * a history that is not ASCII (the caller writes that row from the decoded snapshot).
   */
  #tsvRaw(u8: Uint8Array, dv: DataView, c: RawConnection): boolean {
    const out = this.#out;
    const start = out.n;
    out.reserve(256); // a typical row whole: the writes below then rarely grow the buffer
    this.#time(c.start_time);
    out.byte(TAB);
    out.n = writeUid(out.u8, out.n, dv.getUint32(c.uid, true), dv.getUint32(c.uid + 4, true), dv.getUint32(c.uid + 8, true));
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
      out.reserve(UID_MAX_BYTES + 1);
      out.n = writeUid(out.u8, out.n, dv.getUint32(p, true), dv.getUint32(p + 4, true), dv.getUint32(p + 8, true));
    }
    out.ascii('\t6\n');
    return true;
  }

  /**
   * line()'s JSON object, written into #out from an undecoded snapshot in `u8`. Returns false, having written
   * nothing, for a history JSON would escape (the caller writes that row from the decoded snapshot).
   */
  #jsonRaw(u8: Uint8Array, dv: DataView, c: RawConnection): boolean {
    const out = this.#out;
    const start = out.n;
    out.ascii('{"ts":');
    out.ascii(jsonDouble(c.start_time));
    out.ascii(',"uid":"');
    out.reserve(UID_MAX_BYTES);
    out.n = writeUid(out.u8, out.n, dv.getUint32(c.uid, true), dv.getUint32(c.uid + 4, true), dv.getUint32(c.uid + 8, true));
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
      out.reserve(UID_MAX_BYTES);
      out.n = writeUid(out.u8, out.n, dv.getUint32(p, true), dv.getUint32(p + 4, true), dv.getUint32(p + 8, true));
    }
    if (parents > 0) out.ascii('"]');
    out.ascii(',"ip_proto":6}\n');
    return true;
  }

  /** `key` and a count when the count is set. */
  #jsonCount(key: string, v: Count | undefined): void {
    if (v === undefined) return;
    this.#out.ascii(key);
    this.#count(v);
  }

  /** A time with 6 decimals, as fixed6 writes it. */
  #time(x: number): void {
    const n = micros(x);
    if (n < 0) return this.#out.ascii(fixed6(x));
    const sec = Math.floor(n / 1e6);
    this.#out.uint(sec);
    this.#out.byte(DOT);
    this.#out.padded(n - sec * 1e6, 6);
  }

  #count(v: Count): void {
    if (typeof v === 'number') this.#out.uint(v);
    else this.#out.ascii(String(v));
  }

  #countOrUnset(v: Count | undefined): void {
    if (v === undefined) this.#out.byte(DASH);
    else this.#count(v);
  }

  /** The address whose wire form (version byte, 16 bytes) is at `p`, as formatAddr writes it; returns isLocal. */
  #addr(u8: Uint8Array, p: number): boolean {
    const ver = u8[p];
    if (ver !== 4 && !isV4Mapped(u8, p + 1)) {
      const h = formatAddr(u8, p + 1, ver);
      this.#out.ascii(h);
      let v = this.#local.get(h);
      if (v === undefined) {
        // The bytes are at hand: no need to parse the text as #isLocal does.
        const bytes = u8.subarray(p + 1, p + 17);
        v = DEFAULT_NETS.some((n) => inSubnet(bytes, n)) || this.#nets.some((n) => inSubnet(bytes, n));
        if (this.#local.size >= 1 << 16) this.#local.clear();
        this.#local.set(h, v);
      }
      return v;
    }
    const out = this.#out;
    for (let i = 13; i < 17; i++) {
      if (i > 13) out.byte(DOT);
      out.codes(DECIMAL_CODES[u8[p + i]]);
    }
    const v4 = ((u8[p + 13] << 24) | (u8[p + 14] << 16) | (u8[p + 15] << 8) | u8[p + 16]) >>> 0;
    const nets = this.#v4Nets;
    for (let i = 0; i < nets.length; i++) if (((v4 & nets[i][1]) >>> 0) === nets[i][0]) return true;
    return false;
  }

  /** The history text whose wire form (u32 length, bytes) is at `p`, as #tsv writes it; false when not ASCII. */
  #history(u8: Uint8Array, dv: DataView, p: number): boolean {
    const len = dv.getUint32(p, true), from = p + 4;
    const out = this.#out;
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

  /** The TSV #close line ('' for JSON). */
  footer(): string {
    return this.format === 'json' ? '' : `#close\t${stamp(this.#now())}\n`;
  }
}

export type { Count };
