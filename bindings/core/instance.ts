/**
 * Instantiation of the core from bytes or a compiled WebAssembly.Module (zero imports), and the guard that turns
 * a trap into SynackInternalError naming the core's abort location.
 */
import { SynackInternalError, SynackOptionError } from './errors.ts';
import { EVENT_INFO } from './events.generated.ts';
import type { ResolvedOptions } from './options.ts';
import { MemoryViews } from './memory.ts';

/** The core's exports (the wasm interface the bindings code against). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  setOption(id: number, value: number): void;
  clearList(id: number): void;
  setPort(listId: number, port: number, on: number): void;
  addNet(listId: number, prefixLen: number): void;
  subscribe(eventId: number, on: number): void;
  scratchPtr(): number;
  init(): number;
  inputSpace(): number;
  inputWritePtr(): number;
  inputCommit(n: number): void;
  inputSlab(i: number): number;
  inputSlabBytes(): number;
  inputSlabCommit(i: number, n: number): number;
  run(): number;
  finish(): number;
  errorCode(): number;
  errorOffset(): number;
  errorValue(): number;
  ringPtr(): number;
  statsPtr(): number;
  /** u32 line, column, file pointer, message pointer of the last abort (assembly/util/abort.ts). */
  abortInfo(): number;
  /** The host's contents sink failed (assembly/reassembly/contents.ts). */
  contentsWriteFailed(handleHi: number, serial: number, gap: number): number;
}

const FUNCTIONS: (keyof CoreExports)[] = [
  'setOption', 'clearList', 'setPort', 'addNet', 'subscribe', 'scratchPtr', 'init', 'inputSpace', 'inputWritePtr',
  'inputCommit', 'inputSlab', 'inputSlabBytes', 'inputSlabCommit', 'run', 'finish', 'errorCode', 'errorOffset',
  'errorValue', 'ringPtr', 'statsPtr', 'abortInfo', 'contentsWriteFailed',
];

/** Anything the core can be made from. */
export type WasmSource = WebAssembly.Module | BufferSource;

/** One instance of the core. */
export class CoreInstance {
  readonly exports: CoreExports;
  readonly views: MemoryViews;

  constructor(instance: WebAssembly.Instance) {
    const ex = instance.exports as Record<string, unknown>;
    if (!(ex.memory instanceof WebAssembly.Memory)) throw new SynackInternalError('the core exports no memory');
    for (const f of FUNCTIONS) {
      if (typeof ex[f] !== 'function') throw new SynackInternalError(`the core lacks the export ${f}()`);
    }
    this.exports = ex as unknown as CoreExports;
    this.views = new MemoryViews(ex.memory);
  }

  /** Sends resolved options and the subscription to the core, then init(); once per instance, before input. */
  configure(options: ResolvedOptions): void {
    const ex = this.exports;
    this.guard(() => {
      for (const [id, v] of options.numeric) ex.setOption(id, v);
      for (const [list, ports] of options.ports) {
        ex.clearList(list);
        for (const p of ports) ex.setPort(list, p, 1);
      }
      for (const [list, nets] of options.nets) {
        ex.clearList(list);
        for (const n of nets) {
          this.views.u8.set(n.bytes, ex.scratchPtr());
          ex.addNet(list, n.prefix);
        }
      }
      // 1: subscribed and delivered; 2: subscribed, not delivered (assembly/index.ts subscribe)
      for (const e of EVENT_INFO) ex.subscribe(e.id, !options.subscribed.has(e.id) ? 0 : options.delivered.has(e.id) ? 1 : 2);
      const rc = ex.init();
      if (rc !== 0) throw new SynackOptionError('', `the core rejected the options (init returned ${rc})`);
    });
  }

  /**
   * Copies `chunk` into the core's input as space allows, calling `consume` (which runs the core) after each
   * commit. One guard for the whole chunk: tiny chunks (a packet pushed at a time, or a byte) must cost little.
   */
  feed(chunk: Uint8Array, consume: () => void): void {
    const ex = this.exports;
    this.guard(() => {
      for (let off = 0; off < chunk.length;) {
        const space = ex.inputSpace();
        if (space === 0) throw new SynackInternalError('the core has no input space after consuming what it could');
        const n = Math.min(space, chunk.length - off);
        this.views.u8.set(n === chunk.length ? chunk : chunk.subarray(off, off + n), ex.inputWritePtr());
        ex.inputCommit(n);
        off += n;
        consume();
      }
    });
  }

  /**
   * Views of the core's two input slabs, for a host that reads a file straight into the core (assembly/capture/
   * input.ts). Shared memory only: its buffer is never detached or moved by memory.grow, so a read under way on
   * another thread stays valid while the core runs and grows.
   */
  slabs(): [Uint8Array, Uint8Array] {
    const ex = this.exports;
    return this.guard(() => {
      const size = ex.inputSlabBytes(), a = ex.inputSlab(0), b = ex.inputSlab(1);
      // Read after the slabs were allocated: a grown shared memory's new buffer covers them.
      const buffer = this.views.memory.buffer;
      if (typeof SharedArrayBuffer === 'undefined' || !(buffer instanceof SharedArrayBuffer)) {
        throw new SynackInternalError('input slabs need the shared-memory core');
      }
      return [new Uint8Array(buffer, a, size), new Uint8Array(buffer, b, size)];
    });
  }

  /** The host read n bytes into slab i (after the core asked for input): they join the input. */
  commitSlab(i: number, n: number): void {
    if (!this.exports.inputSlabCommit(i, n)) throw new SynackInternalError(`the core refused ${n} bytes in input slab ${i}`);
  }

  /** Runs `fn`; a trap becomes SynackInternalError with the abort message, file, line and column. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw this.internalError(e);
      throw e;
    }
  }

  /** The abort location recorded by the core (if any) as an internal error. */
  internalError(cause: Error): SynackInternalError {
    const at = this.exports.abortInfo();
    const dv = new DataView(this.views.memory.buffer);
    const line = dv.getUint32(at, true), col = dv.getUint32(at + 4, true);
    const file = this.views.asString(dv.getUint32(at + 8, true));
    const msg = this.views.asString(dv.getUint32(at + 12, true));
    const where = file || line ? ` at ${file || '?'}:${line}:${col}` : '';
    const err = new SynackInternalError(`the core trapped${where}: ${msg || cause.message} (this is a bug in synack)`);
    (err as Error & { cause?: unknown }).cause = cause;
    return err;
  }
}

/** Compiles (if needed) and instantiates the core; `memory`: the shared memory the shared-memory core imports. */
export async function instantiate(source: WasmSource, memory?: WebAssembly.Memory): Promise<CoreInstance> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  return new CoreInstance(await WebAssembly.instantiate(module, memory ? { env: { memory } } : {}));
}

/** Instantiates a compiled core synchronously. */
export function instantiateSync(module: WebAssembly.Module): CoreInstance {
  return new CoreInstance(new WebAssembly.Instance(module, {}));
}
