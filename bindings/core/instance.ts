/**
 * Instantiation of the core from bytes or a compiled WebAssembly.Module (zero imports), and the guard that turns
 * a trap into SynackInternalError naming the core's abort location.
 */
import { SynackInternalError } from './errors.ts';
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
  run(): number;
  finish(): number;
  errorCode(): number;
  errorOffset(): number;
  errorValue(): number;
  ringPtr(): number;
  statsPtr(): number;
}

const FUNCTIONS: (keyof CoreExports)[] = [
  'setOption', 'clearList', 'setPort', 'addNet', 'subscribe', 'scratchPtr', 'init', 'inputSpace', 'inputWritePtr',
  'inputCommit', 'run', 'finish', 'errorCode', 'errorOffset', 'errorValue', 'ringPtr', 'statsPtr',
];

/** Anything the core can be made from. */
export type WasmSource = WebAssembly.Module | BufferSource;

/** One instance of the core. */
export class CoreInstance {
  readonly exports: CoreExports;
  readonly views: MemoryViews;
  #globals: Record<string, unknown>;

  constructor(instance: WebAssembly.Instance) {
    const ex = instance.exports as Record<string, unknown>;
    if (!(ex.memory instanceof WebAssembly.Memory)) throw new SynackInternalError('the core exports no memory');
    for (const f of FUNCTIONS) {
      if (typeof ex[f] !== 'function') throw new SynackInternalError(`the core lacks the export ${f}()`);
    }
    this.exports = ex as unknown as CoreExports;
    this.#globals = ex;
    this.views = new MemoryViews(ex.memory);
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

  #global(name: string): number {
    const g = this.#globals[name];
    return g instanceof WebAssembly.Global ? Number(g.value) : 0;
  }

  /** The abort location recorded by the core (if any) as an internal error. */
  internalError(cause: Error): SynackInternalError {
    const msg = this.views.asString(this.#global('abortMessage'));
    const file = this.views.asString(this.#global('abortFile'));
    const line = this.#global('abortLine'), col = this.#global('abortColumn');
    const where = file || line ? ` at ${file || '?'}:${line}:${col}` : '';
    const err = new SynackInternalError(`the core trapped${where}: ${msg || cause.message} (this is a bug in synack)`);
    (err as Error & { cause?: unknown }).cause = cause;
    return err;
  }
}

/** Compiles (if needed) and instantiates the core. */
export async function instantiate(source: WasmSource): Promise<CoreInstance> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  return new CoreInstance(await WebAssembly.instantiate(module, {}));
}

/** Instantiates a compiled core synchronously. */
export function instantiateSync(module: WebAssembly.Module): CoreInstance {
  return new CoreInstance(new WebAssembly.Instance(module, {}));
}
