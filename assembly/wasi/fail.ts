/** Exits with the CLI's statuses: 1 unreadable input, 2 usage error, 3 internal error (bin/synack.mjs). */
import { proc_exit } from '../../node_modules/@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1';
import { errLine, flush } from './out';

export function exitWith(code: u32, message: string): void {
  flush();
  if (message.length) errLine('synack: ' + message);
  proc_exit(code);
}

export function usageError(message: string): void { exitWith(2, message); }
export function internalError(message: string): void { exitWith(3, 'internal error: ' + message); }
