/**
 * package.json exports: `import 'synack'` resolves to the right bundle under each condition, the bundles exist,
 * and the Node bundle's worker mode (dist/worker-node.mjs) runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, SHARED } from './paths.ts';

function resolveUnder(condition: string | null): string {
  const args = [...(condition ? [`--conditions=${condition}`] : []), '--input-type=module', '-e', "console.log(import.meta.resolve('synack'))"];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().slice(`file://${ROOT}/`.length);
}

test('exports: each condition resolves to its bundle', () => {
  assert.equal(resolveUnder(null), 'dist/node.mjs');
  assert.equal(resolveUnder('deno'), 'dist/deno.mjs');
  assert.equal(resolveUnder('browser'), 'dist/browser.mjs');
  assert.equal(resolveUnder('worker'), 'dist/browser.mjs');
  assert.equal(resolveUnder('workerd'), 'dist/workerd.mjs');
});

test('exports: every bundle and declaration file the package points at is built (workerd: its own build step)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const paths = new Set<string>([pkg.main, pkg.types]);
  const walk = (v: unknown) => { if (typeof v === 'string') paths.add(v); else if (v && typeof v === 'object') Object.values(v).forEach(walk); };
  walk(pkg.exports);
  for (const p of paths) {
    if (p.endsWith('workerd.mjs') || p === './package.json') continue;
    assert.ok(existsSync(join(ROOT, p)), `${p} is missing (npm run build)`);
  }
  const dts = readFileSync(join(ROOT, 'dist', 'types', 'bindings', 'index.d.ts'), 'utf8');
  assert.doesNotMatch(dts, /from '\.[^']*\.ts'/, 'declarations must import .js specifiers');
});

test("the Node bundle runs worker mode with dist/worker-node.mjs", { timeout: 60_000 }, () => {
  const code = `import { analyze } from 'synack';
    let a = 0, b = 0; const f = ${JSON.stringify(join(SHARED, 'cases', 'ssh-basic', 'ssh.pcap'))};
    for await (const _ of analyze(f)) a++;
    const run = analyze(f, { worker: true }); for await (const _ of run) b++;
    console.log(run.mode, a, b);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [mode, a, b] = r.stdout.trim().split(' ');
  assert.equal(mode, 'worker');
  assert.ok(Number(a) > 0);
  assert.equal(b, a);
});
