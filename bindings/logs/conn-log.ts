/**
 * Zeek conn.log from `connection_state_remove` snapshots (events.md §3): the ASCII writer's TSV (§3.3) and JSON
 * lines (§3.4). local_orig/local_resp use Zeek's default local_nets (private address space) plus the user's.
 */
import { inSubnet, parseAddr, parseSubnet, type Subnet } from '../core/addr.ts';
import type { Connection, SynackEvent } from '../core/events.generated.ts';
import type { Count } from '../core/values.ts';

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

/** Time with exactly 6 decimals, correctly rounded from the binary double (ties to even, like printf). */
export function fixed6(x: number): string {
  const s = x.toFixed(6);
  // toFixed breaks exact ties upward; printf rounds them to even. Exact ties have ≤ 7 decimals.
  if (!x.toFixed(7).endsWith('5') || !/\.\d{6}50*$/.test(x.toFixed(40))) return s;
  const last = s.charCodeAt(s.length - 1) - 48;
  if (last % 2 === 0) return s;
  // toFixed rounds ties away from zero; the other neighbour is one unit of the 6th decimal nearer to zero.
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

function isLocal(h: string, nets: Subnet[]): boolean {
  const a = parseAddr(h);
  if (!a) return false;
  for (const n of DEFAULT_NETS) if (inSubnet(a.bytes, n)) return true;
  for (const n of nets) if (inSubnet(a.bytes, n)) return true;
  return false;
}

/** The 22 values of one conn.log row (undefined = unset), in column order. */
export function connRow(c: Connection, localNets: Subnet[] = []): Value[] {
  const dur = c.duration > 0 ? c.duration : undefined;
  const counted = c.orig.num_pkts !== undefined;
  return [
    c.start_time, c.uid, c.id.orig_h, c.id.orig_p, c.id.resp_h, c.id.resp_p, 'tcp', undefined, dur,
    dur === undefined ? undefined : c.orig.size, dur === undefined ? undefined : c.resp.size, c.conn_state,
    isLocal(c.id.orig_h, localNets), isLocal(c.id.resp_h, localNets), c.missed_bytes,
    c.history === '' ? undefined : c.history,
    counted ? c.orig.num_pkts : undefined, counted ? c.orig.num_bytes_ip : undefined,
    counted ? c.resp.num_pkts : undefined, counted ? c.resp.num_bytes_ip : undefined,
    c.tunnel_parents.length > 0 ? c.tunnel_parents : undefined, 6,
  ];
}

/** A string field for TSV: non-printable bytes and TAB as \xNN, a value equal to a marker escaped. */
function tsvString(s: string): string {
  if (s === '') return '(empty)';
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }
  if (out === '-') return '\\x2d';
  return out;
}

function tsvValue(v: Value, type: string): string {
  if (v === undefined) return '-';
  if (Array.isArray(v)) return v.length === 0 ? '(empty)' : v.map(tsvString).join(',');
  if (type === 'time' || type === 'interval') return fixed6(v as number);
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'string') return tsvString(v);
  return String(v as number | bigint);
}

function jsonString(s: string): string {
  return JSON.stringify(s);
}

function jsonValue(v: Value, type: string): string {
  if (Array.isArray(v)) return `[${v.map(jsonString).join(',')}]`;
  if (type === 'time' || type === 'interval') return jsonDouble(v as number);
  if (typeof v === 'string') return jsonString(v);
  return String(v as number | bigint | boolean);
}

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
    const row = connRow(c, this.#nets);
    if (this.format === 'tsv') return row.map((v, i) => tsvValue(v, CONN_COLUMNS[i][1])).join('\t') + '\n';
    const parts: string[] = [];
    row.forEach((v, i) => {
      if (v !== undefined) parts.push(`${JSON.stringify(CONN_COLUMNS[i][0])}:${jsonValue(v, CONN_COLUMNS[i][1])}`);
    });
    return `{${parts.join(',')}}\n`;
  }

  /** The row for an event if it is a `connection_state_remove`, else ''. */
  event(e: SynackEvent): string {
    return e.name === 'connection_state_remove' ? this.line(e.c) : '';
  }

  /** The TSV #close line ('' for JSON). */
  footer(): string {
    return this.format === 'json' ? '' : `#close\t${stamp(this.#now())}\n`;
  }
}

export type { Count };
