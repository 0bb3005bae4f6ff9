// Runs a WASI command (default build/synack-wasi.wasm) with this process's stdin/stdout/stderr, under Node or Deno
// (both ship node:wasi):   node scripts/wasi-run.mjs [--wasm FILE] conn --json < trace.pcap
//                          deno run --allow-read scripts/wasi-run.mjs events --json < trace.pcap
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { WASI } from 'node:wasi';

let args = process.argv.slice(2);
let wasm = new URL('../build/synack-wasi.wasm', import.meta.url);
if (args[0] === '--wasm') { wasm = args[1]; args = args.slice(2); }
const wasi = new WASI({ version: 'preview1', args: ['synack-wasi', ...args], env: {}, stdin: 0, stdout: 1, stderr: 2, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(wasm));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
