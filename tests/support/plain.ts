/** Deep conversion to plain comparable values: class instances via toJSON, Uint8Array → number[], undefined keys dropped. */
export function plain(x: unknown): unknown {
  if (x instanceof Uint8Array) return { bytes: [...x] };
  if (typeof x === 'bigint') return `${x}n`;
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === 'object') {
    const o = typeof (x as { toJSON?: unknown }).toJSON === 'function' ? (x as { toJSON(): object }).toJSON() : x;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return x;
}
