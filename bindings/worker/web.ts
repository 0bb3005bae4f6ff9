/** Web Worker / Deno Worker entry of worker mode (a module worker): the producer (runner.ts) on `self`. */
import type { Port } from './protocol.ts';
import { serve } from './runner.ts';

interface WorkerScope {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
}
const scope = globalThis as unknown as WorkerScope;
const port: Port = {
  post: (msg) => scope.postMessage(msg),
  onMessage: (fn) => scope.addEventListener('message', (e) => fn(e.data)),
};
serve(port);
