/** Node worker_threads entry of worker mode: the producer (runner.ts) on the parent port. */
import { parentPort } from 'node:worker_threads';
import type { Port } from './protocol.ts';
import { serve } from './runner.ts';

if (!parentPort) throw new Error('synack: bindings/worker/node.ts runs only as a worker_threads Worker');
const parent = parentPort;
const port: Port = {
  post: (msg) => parent.postMessage(msg),
  onMessage: (fn) => parent.on('message', fn),
};
serve(port);
