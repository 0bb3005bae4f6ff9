/** A readable one-line-per-event rendering (`synack events --format text`): ts, name, uid, 4-tuple, arguments. */
import { EVENT_INFO, RECORD_FIELDS, type Connection, type FieldInfo, type SynackEvent } from '../core/events.generated.ts';
import type { TcpOption } from '../core/values.ts';
import { fixed6 } from './numbers.ts';

const ARGS = new Map<string, readonly FieldInfo[]>(EVENT_INFO.map((e) => [e.name, e.args]));
const PREVIEW = 32;

/** Bytes as Zeek prints strings: printable ASCII as is, others as \xNN; long strings cut. */
export function escapeBytes(b: Uint8Array, max = PREVIEW): string {
  let s = '';
  for (let i = 0; i < Math.min(b.length, max); i++) {
    const c = b[i];
    s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return b.length > max ? `${s}…` : s;
}

function option(o: TcpOption): string {
  if (o.kind === 0) return 'eol';
  if (o.kind === 1) return 'nop';
  if (o.mss !== undefined) return `mss=${o.mss}`;
  if (o.window_scale !== undefined) return `wscale=${o.window_scale}`;
  if (o.kind === 4 && o.length === 2) return 'sackOK';
  if (o.sack) return `sack=${o.sack.join(':')}`;
  if (o.send_timestamp !== undefined) return `ts=${o.send_timestamp}/${o.echo_timestamp}`;
  if (o.rate !== undefined) return `qs=${o.rate}/${o.ttl_diff}/${o.qs_nonce}`;
  return `kind${o.kind}/${o.length}${o.data ? `="${escapeBytes(o.data)}"` : ''}`;
}

function value(type: string, v: unknown): string {
  switch (type) {
    case 'bool': return v ? 'T' : 'F';
    case 'time': return fixed6(v as number);
    case 'bytes': { const b = v as Uint8Array; return `${b.length}:"${escapeBytes(b)}"`; }
    case 'options': return `[${(v as TcpOption[]).map(option).join(' ')}]`;
    case 'text': case 'tcpflags': case 'weird': case 'source': return JSON.stringify(v);
  }
  if (type.startsWith('record:')) {
    const r = v as Record<string, unknown>;
    return `[${RECORD_FIELDS[type.slice(7)].filter((f) => r[f.name] !== undefined).map((f) => `${f.name}=${value(f.type, r[f.name])}`).join(' ')}]`;
  }
  return String(v);
}

const hostPort = (h: string, p: number) => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);

/** One text line (with its newline). */
export function eventText(e: SynackEvent): string {
  const ev = e as unknown as Record<string, unknown> & { c?: Connection };
  let s = `${fixed6(e.ts)} ${e.name}`;
  if ('c' in e) {
    const c = ev.c!;
    s += ` ${c.uid} ${hostPort(c.id.orig_h, c.id.orig_p)} > ${hostPort(c.id.resp_h, c.id.resp_p)}`;
  }
  for (const a of ARGS.get(e.name) ?? []) {
    const v = ev[a.name];
    if (v !== undefined) s += ` ${a.name}=${value(a.type, v)}`;
  }
  if ('c' in e) s += ` history=${ev.c!.history || '-'}`;
  return s + '\n';
}
