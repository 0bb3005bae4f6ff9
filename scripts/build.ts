/**
 * `npm run build`: regenerates the schema files, compiles the core (asc, target release of asconfig.json →
 * build/synack.wasm) and bundles the Node entry and the CLI with esbuild into dist/ (ESM, platform node).
 */
import { spawnSync } from 'node:child_process';
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
step('core', process.execPath, [join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js'), 'assembly/index.ts', '--target', 'release']);

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
