/** A test producer for the event ring (schema/ring.ts) in a WebAssembly.Memory, with the wrap marker rule. */
import { RING_HEADER_BYTES, WRAP_MARKER } from '../../schema/ring.ts';

export class TestRing {
  constructor(readonly memory: WebAssembly.Memory, readonly ptr: number, readonly capacity: number) {
    const dv = new DataView(memory.buffer);
    for (let i = 0; i < RING_HEADER_BYTES; i += 4) dv.setUint32(ptr + i, 0, true);
    dv.setUint32(ptr + 8, capacity, true);
  }

  get head(): number { return new DataView(this.memory.buffer).getUint32(this.ptr, true); }
  get tail(): number { return new DataView(this.memory.buffer).getUint32(this.ptr + 4, true); }

  /** Sets head and tail (both free-running counters), e.g. near 2^32 to test overflow. */
  reset(counter: number): void {
    const dv = new DataView(this.memory.buffer);
    dv.setUint32(this.ptr, counter, true);
    dv.setUint32(this.ptr + 4, counter, true);
  }

  /** Writes one record if it fits (wrapping with a marker); returns false when the ring is full. */
  put(rec: Uint8Array): boolean {
    const dv = new DataView(this.memory.buffer);
    let head = this.head;
    const used = (head - this.tail) >>> 0;
    let off = head & (this.capacity - 1);
    const room = this.capacity - off;
    const cost = rec.length <= room ? rec.length : room + rec.length;
    if (cost > this.capacity - used) return false;
    const data = this.ptr + RING_HEADER_BYTES;
    if (rec.length > room) {
      dv.setUint32(data + off, WRAP_MARKER, true);
      head = (head + room) >>> 0;
      off = 0;
    }
    new Uint8Array(this.memory.buffer).set(rec, data + off);
    dv.setUint32(this.ptr, (head + rec.length) >>> 0, true);
    return true;
  }
}
