/**
 * A cursor over ring bytes for the generated record readers (schema/types.ts wire forms, little-endian).
 * Byte strings are copied out: ring bytes are reused once the tail advances.
 */
import { decodeTcpOptions, formatAddr, formatMac, formatUid } from './format.ts';
import { SynackInternalError } from './errors.ts';
import type { Count, TcpOption } from './values.ts';

const utf8 = new TextDecoder('utf-8');
// Browsers' TextDecoder rejects views of a SharedArrayBuffer (worker mode): decode a copy of those.
const decodeUtf8 = (b: Uint8Array): string => utf8.decode(b.buffer instanceof ArrayBuffer ? b : b.slice());
const TWO32 = 4294967296;
const lastUid = new Uint32Array(3);
let lastUidText = '';

export class Reader {
  /** Absolute byte position of the next value. */
  p = 0;
  constructor(public dv: DataView, public u8: Uint8Array) {}

  bool(): boolean { return this.u8[this.p++] !== 0; }
  u8v(): number { return this.u8[this.p++]; }
  u16(): number { const v = this.dv.getUint16(this.p, true); this.p += 2; return v; }
  u32(): number { const v = this.dv.getUint32(this.p, true); this.p += 4; return v; }
  f64(): number { const v = this.dv.getFloat64(this.p, true); this.p += 8; return v; }

  /** u64: a number when exact, else a bigint. */
  count(): Count {
    const lo = this.dv.getUint32(this.p, true), hi = this.dv.getUint32(this.p + 4, true);
    this.p += 8;
    return hi < 0x200000 ? hi * TWO32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** i64 as a number. */
  int(): number {
    const lo = this.dv.getUint32(this.p, true), hi = this.dv.getInt32(this.p + 4, true);
    this.p += 8;
    return hi * TWO32 + lo;
  }

  /** u32 length + bytes, copied. */
  bytes(): Uint8Array {
    const n = this.u32();
    const v = this.u8.slice(this.p, this.p + n);
    this.p += n;
    return v;
  }

  /** u32 length + UTF-8 bytes. */
  text(): string {
    const n = this.u32();
    let s = '';
    const end = this.p + n;
    // Short ASCII strings (history, weird addl) without the decoder's call overhead.
    if (n <= 64) {
      let ascii = true;
      for (let i = this.p; i < end; i++) { const b = this.u8[i]; if (b >= 128) { ascii = false; break; } s += String.fromCharCode(b); }
      if (!ascii) s = decodeUtf8(this.u8.subarray(this.p, end));
    } else {
      s = decodeUtf8(this.u8.subarray(this.p, end));
    }
    this.p = end;
    return s;
  }

  /** u8 version + 16 address bytes. */
  addr(): string {
    const ver = this.u8[this.p];
    const s = formatAddr(this.u8, this.p + 1, ver);
    this.p += 17;
    return s;
  }

  /** u64 low + u32 high. Consecutive snapshots mostly repeat one connection, so the last uid is kept. */
  uid(): string {
    const a = this.dv.getUint32(this.p, true), b = this.dv.getUint32(this.p + 4, true), c = this.dv.getUint32(this.p + 8, true);
    this.p += 12;
    if (a !== lastUid[0] || b !== lastUid[1] || c !== lastUid[2] || lastUidText === '') {
      lastUid[0] = a; lastUid[1] = b; lastUid[2] = c;
      lastUidText = formatUid(a, b, c);
    }
    return lastUidText;
  }

  /** u8 count + that many 12-byte uids (u64 low + u32 high each). */
  uids(): string[] {
    const n = this.u8[this.p++];
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.uid());
    return out;
  }

  /** Skips `n` bytes, returning where they start (RawConnection positions). */
  skip(n: number): number { const at = this.p; this.p += n; return at; }
  /** Skips a u32 length and that many bytes, returning where the length is. */
  skipSized(): number { const at = this.p; this.p += 4 + this.dv.getUint32(at, true); return at; }
  /** Skips a u8 count and that many 12-byte uids, returning where the count is. */
  skipUids(): number { const at = this.p; this.p += 1 + 12 * this.u8[at]; return at; }

  mac(): string { const s = formatMac(this.u8, this.p); this.p += 6; return s; }

  /** u32 length + raw TCP option bytes, decoded. */
  options(): TcpOption[] {
    const n = this.u32();
    const v = decodeTcpOptions(this.u8, this.p, n);
    this.p += n;
    return v;
  }

  /** The snapshot kept from the latest record that carried one, for records that show the same (schema/ring.ts). */
  #snapshot: SnapshotRef | null = null;
  /** [start, end) of a latest snapshot still in the ring, read in place and not copied yet (passedSnapshot). */
  #passedStart = -1;
  #passedEnd = 0;

  /**
   * The connection snapshot of the record being read: the bytes from here to `end`, copied out of the ring and
   * kept, or with `same` (the record's same-snapshot flag) the copy kept from the latest record that carried one.
   */
  snapshot(end: number, same: boolean): SnapshotRef {
    if (!same) {
      this.#passedStart = -1;
      const ref = this.#copy(this.p, end);
      this.p = end;
      return ref;
    }
    this.keepPassed();
    if (this.#snapshot === null) throw new SynackInternalError('ring record repeats a snapshot, but none came before it');
    if (end - this.p >= 4) throw new SynackInternalError('ring record repeats a snapshot, but has bytes after its arguments');
    this.p = end;
    return this.#snapshot;
  }

  /**
   * A record whose snapshot [start, end) a consumer read in place, without snapshot(): it is now the latest one. It
   * is copied only when needed, by a later record that repeats it or by keepPassed() before its ring bytes are freed.
   */
  passedSnapshot(start: number, end: number): void {
    this.#passedStart = start;
    this.#passedEnd = end;
  }

  /** Copies the snapshot of passedSnapshot(), if it is the latest one, out of the ring (drain calls it last). */
  keepPassed(): void {
    if (this.#passedStart < 0) return;
    this.#copy(this.#passedStart, this.#passedEnd);
    this.#passedStart = -1;
  }

  #copy(start: number, end: number): SnapshotRef {
    const n = end - start;
    if (slab.used + n > slab.u8.length) slab = new Slab(Math.max(SLAB_BYTES, n));
    const off = slab.used;
    slab.u8.set(this.u8.subarray(start, end), off);
    slab.used += n;
    return (this.#snapshot = new SnapshotRef(slab.reader, off));
  }
}

/**
 * Copied snapshots live in slabs: one ArrayBuffer per 64 KiB of snapshots rather than one per event (each
 * ArrayBuffer is an external allocation, and thousands of small ones per second kept the collector busy). A slab
 * is freed when no event referring to it is left.
 */
const SLAB_BYTES = 1 << 16;

class Slab {
  readonly u8: Uint8Array;
  readonly reader: Reader;
  used = 0;
  constructor(n: number) {
    const b = new ArrayBuffer(n);
    this.u8 = new Uint8Array(b);
    this.reader = new Reader(new DataView(b), this.u8);
  }
}

let slab = new Slab(SLAB_BYTES);

/** Where a copied snapshot starts, and a reader over its slab. */
export class SnapshotRef {
  constructor(readonly reader: Reader, readonly off: number) {}

  /** The reader, placed at the snapshot (decoding is synchronous, so one reader per slab serves every event). */
  at(): Reader {
    this.reader.p = this.off;
    return this.reader;
  }
}
