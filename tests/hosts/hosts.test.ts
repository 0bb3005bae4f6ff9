/**
 * One analyzer on every host: for a few public traces the events JSON and conn.log JSON digests must be identical
 * in Node (in-thread, worker), Deno (in-thread, worker) and headless Chromium (in-thread, worker). Chromium tests
 * skip only when /usr/bin/chromium is absent outside CI (CI installs it, so there they fail instead).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { analyze } from '../../bindings/node.ts';
import { ChromiumSession, chromiumMissing } from './chromium.ts';
import { digestEvents, settingsOptions } from './digest.ts';
import { MODES, runMode, type Mode } from './modes.ts';
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

for (const trace of TRACES) {
  const name = trace.split('/').slice(-2).join('/');
  test(`${name}: identical digests on every host and mode`, { timeout: 300_000 }, async (t) => {
    const settings = settingsOf(trace);
    const base = await runMode('node', trace, settings);
    for (const mode of MODES.slice(1) as Mode[]) {
      if (mode.startsWith('chromium') && skipChromium) { t.diagnostic(`${mode}: skipped (${skipChromium})`); continue; }
      assert.deepEqual(await runMode(mode, trace, settings), base, `${mode} differs from node on ${name}`);
    }
    t.diagnostic(`${name}: events ${base.events.slice(0, 16)}… conn ${base.conn.slice(0, 16)}…`);
  });
}

test('odd chunk sizes give the same digests (node, node-worker, deno-worker)', { timeout: 120_000 }, async () => {
  const trace = TRACES[1];
  const base = await runMode('node', trace, {});
  for (const [mode, chunk] of [['node', 997], ['node-worker', 4093], ['deno-worker', 65_537]] as const) {
    assert.deepEqual(await runMode(mode, trace, {}, chunk), base, `${mode} with ${chunk}-byte chunks`);
  }
});

test('worker mode: a whole capture in one chunk with a slow consumer (the producer blocks on a full ring)', { timeout: 120_000 }, async () => {
  const trace = TRACES[2];
  const bytes = readFileSync(trace);
  const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
  const sha256 = async (s: string) => createHash('sha256').update(s).digest('hex');
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
