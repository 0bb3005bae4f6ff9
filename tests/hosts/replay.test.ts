/**
 * `npm run replay` as a command: one line per mode and exit 0 when the modes agree, chunkings replayed and
 * compared, usage errors exit 2. The full matrix over every public trace runs in replay-*.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, SHARED } from './paths.ts';

const TRACE = join(SHARED, 'cases', 'tcp-options', 'options.pcap');
const replay = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'replay.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

test('npm run replay: one line per mode, exit 0 when they agree', () => {
  const r = replay(TRACE, '--modes', 'node,wasi,workerd', '--set', 'tcp_inactivity_timeout_s=60');
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3, r.stdout + r.stderr);
  for (const l of lines) assert.match(l, /^(node|wasi|workerd) [0-9a-f]{64} [0-9a-f]{64}$/);
  assert.equal(new Set(lines.map((l) => l.slice(l.indexOf(' ')))).size, 1, 'the digests agree');
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('npm run replay --chunk: each chunking is replayed under its own heading and must not change the digests', () => {
  const r = replay(TRACE, '--modes', 'node,wasi', '--chunk', '0,1');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines.filter((l) => l.startsWith('#')), [`# ${TRACE}`, `# ${TRACE} (chunks of 1 B)`]);
  assert.equal(new Set(lines.filter((l) => !l.startsWith('#')).map((l) => l.slice(l.indexOf(' ')))).size, 1);
});

test('npm run replay: usage errors exit 2', () => {
  assert.equal(replay(TRACE, '--modes', 'nope').status, 2);
  assert.equal(replay(TRACE, '--chunk', 'x').status, 2);
  assert.equal(replay().status, 2);
  assert.equal(replay(join(SHARED, 'no-such.pcap')).status, 2);
});
