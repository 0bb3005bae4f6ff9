/**
 * Host behaviour beyond the replay matrix (replay-*.test.ts): worker-mode input handling, a slow consumer against a
 * blocked producer, errors crossing the worker, and Chromium's fallback without cross-origin isolation. Chromium
 * tests skip only when /usr/bin/chromium is absent outside CI (CI installs it, so there they fail instead).
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { analyze, workerExecArgv } from '../../bindings/node.ts';
import { ChromiumSession, chromiumMissing } from './chromium.ts';
import { digestEvents, nodeSha256, settingsOptions } from './digest.ts';
import { runMode } from './modes.ts';
import { Pending } from '../../bindings/worker/host.ts';
import { SHARED } from './paths.ts';
import { createHash } from 'node:crypto';

const TRACES = [
  join(SHARED, 'cases', 'ssh-basic', 'ssh.pcap'),
  join(SHARED, 'cases', 'http-concurrent-ranges', 'concurrent-range-requests.pcap'),
  join(SHARED, 'real', 'small', 'small.pcap'),
];

/** case.json options as text settings. */
function settingsOf(trace: string): Record<string, string> {
  const cj = JSON.parse(readFileSync(join(trace, '..', 'case.json'), 'utf8')) as { options?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(cj.options ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
}

const missing = chromiumMissing();
if (missing && process.env.CI) throw new Error(`Chromium host tests cannot run in CI: ${missing}`);
const skipChromium = missing ? `Chromium is not available: ${missing}` : false;

test('worker mode: a Node Buffer of several MiB (sent as views) is analysed whole and left intact', { timeout: 120_000 }, async () => {
  // readFileSync gives one Buffer; the entry splits it into 1 MiB views. Transferring a view's buffer would
  // detach the caller's bytes (a Buffer's slice() is a view, not a copy), so each view must be copied.
  const trace = TRACES[2];
  const bytes = readFileSync(trace);
  const before = createHash('sha256').update(bytes).digest('hex');
  const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
  const sha256 = nodeSha256(createHash);
  const run = analyze(bytes, { ...settingsOptions(settingsOf(trace)), worker: true });
  assert.equal(run.mode, 'worker');
  assert.deepEqual(await digestEvents(run, sha1, sha256), await runMode('node', trace, settingsOf(trace)));
  assert.equal(bytes.byteLength, statSync(trace).size, 'the caller\'s buffer was detached');
  assert.equal(createHash('sha256').update(bytes).digest('hex'), before);
});

test('worker mode: workers keep the parent\'s flags but not its module preloads and loader hooks', () => {
  assert.deepEqual(
    workerExecArgv(['--import', 'tsx', '--max-old-space-size=512', '--require=./x.cjs', '-r', 'y', '--input-type=module',
      '--loader', 'z.mjs', '--experimental-loader=w.mjs', '--enable-source-maps', '--import=a.mjs']),
    ['--max-old-space-size=512', '--enable-source-maps'],
  );
});

test('worker mode: input waiting for the worker is gathered into whole buffers, views copied at once', () => {
  const p = new Pending();
  const src = new Uint8Array(100_000).map((_, i) => i * 7);
  for (let i = 0; i < src.length; i++) p.add(src.subarray(i, i + 1));
  assert.equal(p.bytes, src.length);
  src.fill(0); // the source reusing its buffer must not change what was read
  const one = p.take();
  assert.equal(p.bytes, 0);
  assert.equal(one.byteLength, one.buffer.byteLength, 'a message owns its whole buffer (it is transferred)');
  assert.deepEqual(one, new Uint8Array(100_000).map((_, i) => i * 7));
  const big = new Uint8Array(1 << 17).fill(3);
  p.add(big);
  assert.equal(p.take(), big, 'a large chunk that owns its buffer is sent as it is');
  const view = new Uint8Array(1 << 18).subarray(0, 1 << 17);
  p.add(view);
  const copy = p.take();
  assert.notEqual(copy.buffer, view.buffer, 'a view of a larger buffer is copied, never transferred');
  assert.equal(copy.length, view.length);
});

test('worker mode: a whole capture in one chunk with a slow consumer (the producer blocks on a full ring)', { timeout: 120_000 }, async () => {
  const trace = TRACES[2];
  const bytes = readFileSync(trace);
  const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
  const sha256 = nodeSha256(createHash);
  async function* oneChunk() { yield new Uint8Array(bytes); }
  async function* slow<T>(it: AsyncIterable<T>): AsyncIterable<T> {
    let n = 0;
    for await (const x of it) {
      if (++n % 5000 === 0) await new Promise((r) => setTimeout(r, 5));
      yield x;
    }
  }
  const run = analyze(oneChunk(), { ...settingsOptions({}), worker: true });
  assert.equal(run.mode, 'worker');
  assert.deepEqual(await digestEvents(slow(run), sha1, sha256), await runMode('node', trace, {}));
});

test('worker mode: capture errors cross the worker as SynackCaptureError', async () => {
  const run = analyze(new Uint8Array(64).fill(7), { worker: true });
  await assert.rejects(async () => { for await (const _ of run) void _; }, (e: Error) => e.name === 'SynackCaptureError');
  assert.throws(() => analyze(new Uint8Array(0), { worker: 'yes' as unknown as boolean }), /option worker/);
});

describe('Chromium without cross-origin isolation', { skip: skipChromium }, () => {
  let s: ChromiumSession;
  before(async () => { s = await ChromiumSession.open(false); });
  after(async () => { await s?.close(); });
  test('worker: true falls back to in-thread, says so, and gives the same digests', { timeout: 120_000 }, async () => {
    const r = await s.run(TRACES[0], settingsOf(TRACES[0]), undefined, true);
    assert.equal(r.isolated, false);
    assert.equal(r.mode, 'in-thread');
    assert.deepEqual({ events: r.events, conn: r.conn }, await runMode('node', TRACES[0], settingsOf(TRACES[0])));
  });
});
