/** Runs the Deno-side tests (tests/hosts/deno/*_test.ts) with `deno test`, Deno coming from the npm package. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DENO, ROOT } from './paths.ts';

test('deno test tests/hosts/deno', { timeout: 120_000, skip: existsSync(DENO) ? false : 'node_modules/.bin/deno is missing (npm ci)' }, () => {
  // --no-check: tsc checks these files (tsconfig); Deno's own TypeScript is stricter about SharedArrayBuffer types.
  const r = spawnSync(DENO, ['test', '--no-check', '--no-config', '--no-lock', '--allow-read', '--allow-env',
    join('tests', 'hosts', 'deno', 'api_test.ts')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout.replace(/\x1b\[[0-9;]*m/g, ''), /ok \| 4 passed \| 0 failed/);
});
