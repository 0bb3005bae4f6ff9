/** The committed *.generated.ts files match the schema (schema/generate.ts --check). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

test('generated files are up to date', () => {
  const root = join(import.meta.dirname, '..', '..');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'schema/generate.ts', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
