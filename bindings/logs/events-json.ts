/**
 * Events as JSON lines in the conformance corpus format (conformance/README.md "Event streams"), byte for byte:
 * name, ts (%.6f), the 4-tuple, the arguments in Zeek's order, then `c` (history and the two endpoints).
 * SHA-1 is injected (`Sha1`) so hosts without node:crypto can supply their own.
 */
import { ENDPOINT_STATES, EVENT_INFO, RECORD_FIELDS, type Connection, type FieldInfo, type SynackEvent } from '../core/events.generated.ts';
import type { TcpOption } from '../core/values.ts';
import { fixed6 } from './numbers.ts';

/** SHA-1 of bytes as 40 lowercase hex digits. */
export type Sha1 = (bytes: Uint8Array) => string;

const ARGS = new Map<string, readonly FieldInfo[]>(EVENT_INFO.map((e) => [e.name, e.args]));

const EMPTY_SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

/** `{"len":N,"sha1":"…"}` for a byte string. */
function byteString(b: Uint8Array, sha1: Sha1): string {
  return `{"len":${b.length},"sha1":"${b.length === 0 ? EMPTY_SHA1 : sha1(b)}"}`;
}

/** TCP::Option fields in Zeek's order, only those set. */
function option(o: TcpOption, sha1: Sha1): string {
  let s = `{"kind":${o.kind},"length":${o.length}`;
  if (o.data !== undefined) s += `,"data":${byteString(o.data, sha1)}`;
  if (o.mss !== undefined) s += `,"mss":${o.mss}`;
  if (o.window_scale !== undefined) s += `,"window_scale":${o.window_scale}`;
  if (o.sack !== undefined) s += `,"sack":[${o.sack.join(',')}]`;
  if (o.send_timestamp !== undefined) s += `,"send_timestamp":${o.send_timestamp}`;
  if (o.echo_timestamp !== undefined) s += `,"echo_timestamp":${o.echo_timestamp}`;
  if (o.rate !== undefined) s += `,"rate":${o.rate}`;
  if (o.ttl_diff !== undefined) s += `,"ttl_diff":${o.ttl_diff}`;
  if (o.qs_nonce !== undefined) s += `,"qs_nonce":${o.qs_nonce}`;
  return s + '}';
}

/** One value of schema type `type` as JSON. */
function value(type: string, v: unknown, sha1: Sha1): string {
  switch (type) {
    case 'bool': return v ? 'true' : 'false';
    case 'count': case 'int': case 'port': case 'state': return String(v);
    case 'time': return fixed6(v as number);
    case 'bytes': return byteString(v as Uint8Array, sha1);
    case 'options': return `[${(v as TcpOption[]).map((o) => option(o, sha1)).join(',')}]`;
  }
  if (type.startsWith('record:')) return record(RECORD_FIELDS[type.slice(7)], v as Record<string, unknown>, sha1);
  return JSON.stringify(v);
}

/** A record: fields in order, optional ones only when set. */
function record(fields: readonly FieldInfo[], v: Record<string, unknown>, sha1: Sha1): string {
  const parts: string[] = [];
  for (const f of fields) {
    const x = v[f.name];
    if (x === undefined) continue;
    parts.push(`"${f.name}":${value(f.type, x, sha1)}`);
  }
  return `{${parts.join(',')}}`;
}

function orNull(x: unknown): string {
  return x === undefined ? 'null' : String(x);
}

function endpoint(e: Connection['orig']): string {
  const n = orNull;
  return `{"state":"${ENDPOINT_STATES[e.state] ?? e.state}","size":${e.size},"num_pkts":${n(e.num_pkts)},"num_bytes_ip":${n(e.num_bytes_ip)}}`;
}

/** The `c` object of the corpus format. */
export function connJson(c: Connection): string {
  return `{"history":${JSON.stringify(c.history)},"orig":${endpoint(c.orig)},"resp":${endpoint(c.resp)}}`;
}

/** One events.jsonl line (with its newline). */
export function eventJson(e: SynackEvent, sha1: Sha1): string {
  const ev = e as unknown as Record<string, unknown> & { c?: Connection };
  let s = `{"name":"${e.name}","ts":${fixed6(e.ts)}`;
  const hasConn = 'c' in e;
  if (hasConn) {
    const id = ev.c!.id;
    s += `,"id.orig_h":"${id.orig_h}","id.orig_p":${id.orig_p},"id.resp_h":"${id.resp_h}","id.resp_p":${id.resp_p}`;
  }
  for (const a of ARGS.get(e.name) ?? []) {
    const v = ev[a.name];
    if (v === undefined) continue;
    s += `,"${a.name}":${value(a.type, v, sha1)}`;
  }
  if (hasConn) s += `,"c":${connJson(ev.c!)}`;
  return s + '}\n';
}
