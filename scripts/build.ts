/**
 * `npm run build`: regenerates the schema files, compiles the core (asc, target release of asconfig.json →
 * build/synack.wasm, and the shared-memory build for worker mode → build/synack-shared.wasm), bundles the Node entry
 * and the CLI with esbuild into dist/ (ESM, platform node), then the Deno, browser and worker bundles, and emits the
 * declarations into dist/types.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function step(name: string, cmd: string, args: string[]): void {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${name} failed${r.error ? `: ${r.error.message}` : ''}`);
    process.exit(1);
  }
  console.log(`build: ${name} (${Date.now() - t0} ms)`);
}

step('generate', process.execPath, ['--import', 'tsx', 'schema/generate.ts']);
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
step('core', process.execPath, [asc, 'assembly/index.ts', '--target', 'release']);
// Worker mode's core: atomics on, memory imported (created shared by the consumer, bindings/worker/protocol.ts
// SHARED_MEMORY_PAGES) and zero-filled, so it is instantiated once per memory.
step('core (shared memory)', process.execPath, [
  asc, 'assembly/index.ts', '--target', 'release', '--enable', 'threads', '--importMemory', '--sharedMemory',
  '--zeroFilledMemory', '--initialMemory', '128', '--maximumMemory', '65536', '--outFile', 'build/synack-shared.wasm',
]);

const t0 = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'bindings/cli.ts', node: 'bindings/node.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`build: bundle dist/cli.mjs, dist/node.mjs (${Date.now() - t0} ms)`);

// Host bundles (bindings/{deno,browser}.ts and the worker-mode scripts). The web worker is built first: the browser
// bundle embeds its text (a blob: URL at run time) next to both cores (binary loader), so pages need no config.
const t1 = Date.now();
const common = { absWorkingDir: root, bundle: true, format: 'esm', sourcemap: true, logLevel: 'warning' } as const;
await build({ ...common, entryPoints: { 'worker-node': 'bindings/worker/node.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' }, platform: 'node', target: 'node20' });
await build({ ...common, entryPoints: { 'worker-web': 'bindings/worker/web.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' }, platform: 'browser', target: 'es2022' });
await build({ ...common, entryPoints: { deno: 'bindings/deno.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' }, platform: 'neutral', target: 'es2022' });
await build({
  ...common,
  entryPoints: { browser: 'bindings/browser.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  platform: 'browser',
  target: 'es2022',
  loader: { '.wasm': 'binary' },
  plugins: [{
    name: 'synack-worker-source',
    setup(b) {
      b.onResolve({ filter: /^synack:worker-web$/ }, () => ({ path: join(root, 'dist', 'worker-web.mjs'), namespace: 'worker-text' }));
      b.onLoad({ filter: /.*/, namespace: 'worker-text' }, (a) => ({ contents: readFileSync(a.path, 'utf8'), loader: 'text' }));
    },
  }],
});
console.log(`build: bundle dist/{deno,browser,worker-node,worker-web}.mjs (${Date.now() - t1} ms)`);

// Declarations for package.json "types": tsc emits bindings/ into dist/types; its .ts import specifiers become .js
// so that consumers resolve them to the emitted .d.ts files.
step('types', process.execPath, [
  join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.types.json',
]);
for (const f of walk(join(root, 'dist', 'types'))) {
  if (!f.endsWith('.d.ts')) continue;
  const s = readFileSync(f, 'utf8');
  const t = s.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+?)\.ts\2/g, '$1$2$3.js$2');
  if (t !== s) writeFileSync(f, t);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

// ---- WASI command and edge example (assembly/wasi, examples/edge) --------------------------------------------
// build/synack-wasi.wasm: the core plus an AS conn.log/events writer, as a WASI command (@assemblyscript/wasi-shim):
// `wasmtime build/synack-wasi.wasm conn --json < trace.pcap`. Its tables come from schema/ (gen-tables.ts).
// examples/edge/dist/worker.js: the sample edge function; the core stays a separate wasm module (config.capnp).
step('wasi tables', process.execPath, ['--import', 'tsx', 'assembly/wasi/gen-tables.ts']);
step('wasi command', process.execPath, [
  asc, 'assembly/wasi/main.ts', '--config', 'node_modules/@assemblyscript/wasi-shim/asconfig.json',
  '--outFile', 'build/synack-wasi.wasm', '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert',
  '--runtime', 'minimal', '--enable', 'simd', '--initialMemory', '64',
]);
const t2 = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: { worker: 'examples/edge/worker.ts' },
  outdir: 'examples/edge/dist',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['node:*'],
  logLevel: 'warning',
  plugins: [{
    name: 'synack-edge-wasm',
    // The runtime config names the core module "synack.wasm", next to worker.js.
    setup(b) { b.onResolve({ filter: /\.wasm$/ }, () => ({ path: './synack.wasm', external: true })); },
  }],
});
// The package's "workerd" export: the core import stays `../build/synack.wasm` (wrangler and workerd configs load
// it as a compiled module next to dist/).
await build({
  absWorkingDir: root,
  entryPoints: { workerd: 'bindings/workerd.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['node:*', '*.wasm'],
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`build: bundle examples/edge/dist/worker.js, dist/workerd.mjs (${Date.now() - t2} ms)`);
