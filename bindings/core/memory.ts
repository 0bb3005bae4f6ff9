/**
 * Typed-array views of the core's memory. `memory.grow` detaches the old ArrayBuffer, so views are cached
 * keyed on `memory.buffer` identity and rebuilt when it changes (STYLE L11; AssemblyScript#2778).
 */
import { Reader } from './wire.ts';

export class MemoryViews {
  #buffer: ArrayBufferLike | null = null;
  #u8 = new Uint8Array(0);
  #dv = new DataView(new ArrayBuffer(0));
  #reader = new Reader(this.#dv, this.#u8);

  constructor(readonly memory: WebAssembly.Memory) {}

  #refresh(): void {
    const b = this.memory.buffer;
    if (b === this.#buffer) return;
    this.#buffer = b;
    this.#u8 = new Uint8Array(b);
    this.#dv = new DataView(b);
    this.#reader.u8 = this.#u8;
    this.#reader.dv = this.#dv;
  }

  /** Bytes of the whole memory (current buffer). */
  get u8(): Uint8Array { this.#refresh(); return this.#u8; }
  /** DataView of the whole memory (current buffer). */
  get dv(): DataView { this.#refresh(); return this.#dv; }
  /** The record reader, pointed at the current buffer. */
  get reader(): Reader { this.#refresh(); return this.#reader; }

  /** A UTF-16LE AssemblyScript string at `ptr` (byte length as u32 at ptr − 4); '' for a null pointer. */
  asString(ptr: number): string {
    if (!ptr || ptr < 4) return '';
    const dv = this.dv;
    if (ptr > dv.byteLength) return '';
    const len = dv.getUint32(ptr - 4, true);
    if (ptr + len > dv.byteLength) return '';
    let s = '';
    for (let i = 0; i + 1 < len; i += 2) s += String.fromCharCode(dv.getUint16(ptr + i, true));
    return s;
  }
}
