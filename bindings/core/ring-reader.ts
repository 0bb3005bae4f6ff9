/**
 * Consumer side of the event ring (schema/ring.ts): reads records from tail to head, skips wrap markers,
 * decodes each into a typed event (copying what it keeps) and then stores the new tail.
 */
import { SynackInternalError } from './errors.ts';
import type { SynackEvent } from './events.generated.ts';
import type { MemoryViews } from './memory.ts';
import { readRecord } from './records.generated.ts';
import type { Reader } from './wire.ts';
import { RECORD_HEADER_BYTES, RING_HEADER_BYTES, WRAP_MARKER } from '../../schema/ring.ts';

/**
 * A consumer that takes some records straight from the ring, before any event is made of them (conn.log rows). It
 * sees every record in order; one it takes is not decoded into an event. It reads with `reader` (placed nowhere in
 * particular) and, having read a record's snapshot in place, tells the reader (Reader.passedSnapshot).
 */
export interface RecordTaker {
  take(reader: Reader, off: number): boolean;
}

export class RingReader {
  /**
   * `shared`: the producer runs on another thread (worker mode): the head is loaded and the tail stored with
   * Atomics, and the producer is woken (Atomics.notify on the tail word) after each drain.
   */
  constructor(private views: MemoryViews, private ptr: number, private shared = false) {}

  /**
   * Appends every record in the ring to `out` (in order), except those `taker` takes, and frees their space; returns
   * how many records there were.
   */
  drain(out: SynackEvent[], taker: RecordTaker | null = null): number {
    const dv = this.views.dv;
    const ptr = this.ptr;
    const words = this.shared ? new Int32Array(dv.buffer, ptr, 2) : null;
    const head = words ? Atomics.load(words, 0) >>> 0 : dv.getUint32(ptr, true);
    let tail = dv.getUint32(ptr + 4, true);
    const cap = dv.getUint32(ptr + 8, true);
    if (cap === 0 || (cap & (cap - 1)) !== 0) throw new SynackInternalError(`ring capacity ${cap} is not a power of two`);
    const data = ptr + RING_HEADER_BYTES;
    const reader = this.views.reader;
    let n = 0;
    while (tail !== head) {
      const used = (head - tail) >>> 0;
      if (used > cap) throw new SynackInternalError(`ring holds ${used} bytes, more than its capacity ${cap}`);
      const off = tail & (cap - 1);
      const len = dv.getUint32(data + off, true);
      if (len === WRAP_MARKER) {
        tail = (tail + (cap - off)) >>> 0;
        continue;
      }
      if (len < RECORD_HEADER_BYTES || len % 4 !== 0 || off + len > cap || len > used) {
        throw new SynackInternalError(`bad ring record length ${len} at ring offset ${off} (${used} bytes used)`);
      }
      if (taker === null || !taker.take(reader, data + off)) out.push(readRecord(reader, data + off));
      n++;
      tail = (tail + len) >>> 0;
    }
    // A snapshot read in place is about to be overwritten; a later record may still repeat it.
    reader.keepPassed();
    if (words) {
      Atomics.store(words, 1, tail | 0);
      Atomics.notify(words, 1);
    } else {
      dv.setUint32(ptr + 4, tail, true);
    }
    return n;
  }
}
