/** Builds ring records byte by byte for tests (the inverse of bindings/core/wire.ts). */
import { parseAddr } from '../../bindings/core/addr.ts';
import { encodeTcpOptions, parseTcpFlags, parseUid } from '../../bindings/core/format.ts';
import { WEIRD_NAMES } from '../../bindings/core/constants.generated.ts';
import { CONN_STATES } from '../../bindings/core/events.generated.ts';
import type { Count, TcpOption } from '../../bindings/core/values.ts';
import { RECORD_FLAG_CONN, RECORD_FLAG_SAME_SNAPSHOT } from '../../schema/ring.ts';

const enc = new TextEncoder();

export class Writer {
  private buf = new Uint8Array(256);
  private dv = new DataView(this.buf.buffer);
  len = 0;

  private room(n: number): number {
    if (this.len + n > this.buf.length) {
      const b = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
      b.set(this.buf);
      this.buf = b;
      this.dv = new DataView(b.buffer);
    }
    const p = this.len;
    this.len += n;
    return p;
  }

  /** Record header; the length is patched by finish(). `same`: the same-snapshot flag (schema/ring.ts). */
  begin(id: number, conn: boolean, frame: number, ts: number, same = false): void {
    this.u32(0); this.u16(id); this.u16((conn ? RECORD_FLAG_CONN : 0) | (same ? RECORD_FLAG_SAME_SNAPSHOT : 0));
    this.u32(frame); this.f64(ts);
  }
  /** Pads to 4 bytes, writes the record length and returns the record. */
  finish(): Uint8Array {
    while (this.len % 4) this.u8(0);
    this.dv.setUint32(0, this.len, true);
    return this.buf.slice(0, this.len);
  }

  bool(v: boolean): void { this.u8(v ? 1 : 0); }
  // room() may replace the buffer, so it runs before the buffer or view is read.
  u8(v: number): void { const p = this.room(1); this.buf[p] = v; }
  u16(v: number): void { const p = this.room(2); this.dv.setUint16(p, v, true); }
  u32(v: number): void { const p = this.room(4); this.dv.setUint32(p, v, true); }
  f64(v: number): void { const p = this.room(8); this.dv.setFloat64(p, v, true); }
  count(v: Count): void { const p = this.room(8); this.dv.setBigUint64(p, BigInt(v), true); }
  int(v: number): void { const p = this.room(8); this.dv.setBigInt64(p, BigInt(v), true); }
  raw(b: Uint8Array): void { const p = this.room(b.length); this.buf.set(b, p); }
  bytes(b: Uint8Array): void { this.u32(b.length); this.raw(b); }
  text(s: string): void { this.bytes(enc.encode(s)); }
  tcpflags(s: string): void { this.u8(parseTcpFlags(s)); }
  addr(s: string): void {
    const a = parseAddr(s);
    if (!a) throw new Error(`not an address: ${s}`);
    this.u8(a.version);
    this.raw(a.bytes);
  }
  uid(s: string): void { const [lo, hi] = parseUid(s); this.count(lo); this.u32(hi); }
  uids(list: readonly string[]): void { this.u8(list.length); for (const s of list) this.uid(s); }
  mac(s: string): void { this.raw(Uint8Array.from(s.split(':').map((h) => parseInt(h, 16)))); }
  options(o: TcpOption[]): void { this.bytes(encodeTcpOptions(o)); }
  source(s: string): void { this.u8(s === 'TCP' ? 1 : 0); }
  connstate(s: string): void { this.u8(CONN_STATES.indexOf(s as (typeof CONN_STATES)[number])); }
  weird(name: string): void {
    const id = Object.entries(WEIRD_NAMES).find(([, n]) => n === name);
    if (!id) throw new Error(`unknown weird ${name}`);
    this.u16(Number(id[0]));
  }
}
