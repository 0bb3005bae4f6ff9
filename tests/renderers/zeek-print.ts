/**
 * Zeek's `print` value formatting (conformance/README.md "How Zeek prints values"), for rendering synack events
 * the way the Zeek test scripts of the corpus printed them, and the btest canonifier that masks timestamps.
 */
import type { Connection, Count } from '../../bindings/core/api.ts';

/** `time` / `interval`: fixed notation with 6 decimals (Zeek's %.6f). */
export const time = (t: number): string => t.toFixed(6);

/** `bool`: T or F. */
export const bool = (b: boolean): string => (b ? 'T' : 'F');

/** `count`: decimal (bigint above 2^53 included). */
export const count = (n: Count): string => String(n);

/** `port`: number/tcp. */
export const port = (p: number): string => `${p}/tcp`;

/** `vector`: [a, b, …]. */
export const vector = (items: readonly (string | number | bigint)[]): string => `[${items.map(String).join(', ')}]`;

/**
 * `string`: its bytes, non-printable ones (outside 0x20–0x7e) and the backslash as \xNN with lowercase hex (Zeek's
 * ODesc with escaping on, as print uses it, escapes the backslash too).
 */
export function bytes(b: Uint8Array | string): string {
  const u = typeof b === 'string' ? new TextEncoder().encode(b) : b;
  let s = '';
  for (const x of u) s += x >= 0x20 && x < 0x7f && x !== 0x5c ? String.fromCharCode(x) : `\\x${x.toString(16).padStart(2, '0')}`;
  return s;
}

/**
 * A `conn_id` record: `[orig_h=…, orig_p=…/tcp, resp_h=…, resp_p=…/tcp, proto=6, ctx=[]]`, with the fields a
 * test script added to conn_id (`extra`, e.g. `{ extra_id: 42 }`) after Zeek's own.
 */
export function connId(c: Connection, extra: Record<string, string | number> = {}): string {
  const id = c.id;
  const fields = [
    `orig_h=${id.orig_h}`, `orig_p=${port(id.orig_p)}`, `resp_h=${id.resp_h}`, `resp_p=${port(id.resp_p)}`,
    `proto=${id.proto}`, 'ctx=[]', ...Object.entries(extra).map(([k, v]) => `${k}=${v}`),
  ];
  return `[${fields.join(', ')}]`;
}

/** The arguments of one `print`, joined as Zeek joins them. */
export const print = (...args: string[]): string => args.join(', ');

/**
 * btest's default canonifier (`first-timestamp-per-line`): in each line the first number of 9–10 digits, a dot
 * and 1–8 digits, not preceded by a digit, becomes XXXXXXXXXX.XXXXXX.
 */
export function maskFirstTimestamp(line: string): string {
  return line.replace(/(^|[^0-9])([0-9]{9,10}\.[0-9]{1,8})/, '$1XXXXXXXXXX.XXXXXX');
}

/** Applies a case's `events_masking` to one line. */
export function mask(masking: string, line: string): string {
  if (masking === 'none') return line;
  if (masking === 'first-timestamp-per-line') return maskFirstTimestamp(line);
  throw new Error(`unknown events_masking ${JSON.stringify(masking)}`);
}
