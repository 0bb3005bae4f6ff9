/**
 * Zeek conn.log from `connection_state_remove` snapshots (events.md §3): the ASCII writer's TSV (§3.3) and JSON
 * lines (§3.4). local_orig/local_resp use Zeek's default local_nets (private address space) plus the user's
 * (local-nets.ts). Snapshots nobody has decoded are written by conn-raw.ts straight from their bytes.
 */
import { parseSubnet, type Subnet } from '../core/addr.ts';
import { EVENT_INFO, type Connection, type ConnectionStateRemoveEvent, type SynackEvent } from '../core/events.generated.ts';
import { newRawConnection, rawSnapshot, readConnectionRaw, readRecord } from '../core/records.generated.ts';
import type { RecordTaker } from '../core/ring-reader.ts';
import type { Reader } from '../core/wire.ts';
import { RECORD_FLAG_CONN, RECORD_FLAG_SAME_SNAPSHOT, RECORD_HEADER_BYTES } from '../../schema/ring.ts';
import type { Count } from '../core/values.ts';
import { RawRows } from './conn-raw.ts';
import { LocalNets, inLocalNets } from './local-nets.ts';
import { fixed6, jsonDouble } from './numbers.ts';

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

const REMOVE_ID = EVENT_INFO.find((e) => e.name === 'connection_state_remove')!.id;

/**
 * Writes conn.log text: header(), then line() per removed connection, then footer(). As a RecordTaker (a run's
 * conn.log writer), it writes rows straight from connection_state_remove records in the ring, no event made.
 */
export class ConnLogWriter implements RecordTaker {
  readonly format: 'tsv' | 'json';
  #local: LocalNets;
  #now: () => Date;
  /** Rows of undecoded snapshots (events()), and the RawConnection it reads them into. */
  #rawRows: RawRows;
  #raw = newRawConnection();

  constructor(opts: ConnLogOptions = {}) {
    this.format = opts.format ?? 'tsv';
    this.#now = opts.now ?? (() => new Date());
    this.#local = new LocalNets((opts.localNets ?? []).map((n) => {
      if (typeof n !== 'string') return n;
      const s = parseSubnet(n);
      if (!s) throw new Error(`local_nets: not a subnet: ${n}`);
      return s;
    }));
    this.#rawRows = new RawRows(this.#local);
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
    const row = connRow(c, this.#local.nets, this.#local.has) as (Value | string)[];
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
    const local = this.#local.has;
    const timed = c.duration > 0;
    const counted = o.num_pkts !== undefined;
    return `${fixed6(c.start_time)}\t${tsvString(c.uid)}\t${tsvString(id.orig_h)}\t${id.orig_p}\t${tsvString(id.resp_h)}\t` +
      `${id.resp_p}\ttcp\t-\t${timed ? `${fixed6(c.duration)}\t${o.size}\t${r.size}` : '-\t-\t-'}\t` +
      `${tsvString(c.conn_state)}\t${local(id.orig_h) ? 'T' : 'F'}\t${local(id.resp_h) ? 'T' : 'F'}\t${c.missed_bytes}\t` +
      `${c.history === '' ? '-' : tsvString(c.history)}\t` +
      `${counted ? `${o.num_pkts}\t${unsetOr(o.num_bytes_ip)}\t${unsetOr(r.num_pkts)}\t${unsetOr(r.num_bytes_ip)}` : '-\t-\t-\t-'}\t` +
      `${c.tunnel_parents.length > 0 ? c.tunnel_parents.map(tsvString).join(',') : '-'}\t6\n`;
  }

  /** The row for an event if it is a `connection_state_remove`, else ''. */
  event(e: SynackEvent): string {
    return e.name === 'connection_state_remove' ? this.line(e.c) : '';
  }

  /**
   * The rows of a batch of events, as event() makes them one by one. Rows of snapshots nobody has decoded are
   * written as bytes straight from the snapshot (conn-raw.ts), without the Connection object.
   */
  events(batch: readonly SynackEvent[]): string {
    const rows = this.#rawRows, out = rows.out, raw = this.#raw, tsv = this.format === 'tsv';
    for (const e of batch) {
      if (e.name !== 'connection_state_remove') continue;
      const r = rawSnapshot(e, raw);
      if (r !== null && (tsv ? rows.tsv(r.u8, r.dv, raw) : rows.json(r.u8, r.dv, raw))) continue;
      out.text(this.line(e.c));
    }
    return out.take();
  }

  /**
   * RecordTaker: the row of a connection_state_remove record, written into the text events() returns next. A row
   * the raw writer cannot write, or a record repeating an earlier snapshot, is written from its decoded event, at
   * once: rows stay in record order.
   */
  take(reader: Reader, off: number): boolean {
    const dv = reader.dv;
    if (dv.getUint16(off + 4, true) !== REMOVE_ID) return false;
    const flags = dv.getUint16(off + 6, true), end = off + dv.getUint32(off, true);
    if ((flags & (RECORD_FLAG_CONN | RECORD_FLAG_SAME_SNAPSHOT)) === RECORD_FLAG_CONN) {
      const raw = this.#raw, rows = this.#rawRows;
      reader.p = off + RECORD_HEADER_BYTES;
      readConnectionRaw(reader, raw);
      if (reader.p <= end && (this.format === 'tsv' ? rows.tsv(reader.u8, dv, raw) : rows.json(reader.u8, dv, raw))) {
        reader.passedSnapshot(off + RECORD_HEADER_BYTES, end);
        return true;
      }
    }
    // readRecord checks the record (throwing on a bad one) and keeps its snapshot as usual.
    const e = readRecord(reader, off) as ConnectionStateRemoveEvent;
    this.#rawRows.out.text(this.line(e.c));
    return true;
  }

  /** The TSV #close line ('' for JSON). */
  footer(): string {
    return this.format === 'json' ? '' : `#close\t${stamp(this.#now())}\n`;
  }
}

export type { Count };
