/**
 * Determinism across hosts and input splits. `npm run replay` (scripts/replay.ts) over a handful of public traces
 * and real/small: every available mode prints the same events and conn.log digests. And in the Node host the
 * chunking of the input (1 byte for small traces, 7 bytes, 64 KiB, whole file) changes no byte of either output,
 * checked against the WASI command's output (a different host and a different writer).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze, connLog, nodeSha1 } from '../../bindings/node.ts';
import { EVENT_INFO, type EventName } from '../../bindings/core/events.generated.ts';
import { parseOptionValue, type AnalyzerOptions } from '../../bindings/core/options.ts';
import { eventJson } from '../../bindings/logs/events-json.ts';
import { agree, replay, runWasi, WASI_WASM, type Settings } from '../../scripts/replay.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHARED = join(ROOT, '..', 'shared', 'conformance');
const trace = (t: string) => join(SHARED, t);
const TRACES = [
  'cases/tcp-options/options.pcap', 'cases/rst-after-data/syn-then-stuff-then-rst.pcap',
  'cases/connection-pending/chrome-34-google.pcap', 'cases/http-concurrent-ranges/concurrent-range-requests.pcap',
  'cases/ssh-basic/ssh.pcap', 'real/small/small.pcap',
].map(trace);
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const ALL = EVENT_INFO.map((e) => e.name as EventName);

async function* split(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let off = 0; off < bytes.length; off += size) yield bytes.subarray(off, off + size);
}

function options(settings: Settings): AnalyzerOptions {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) o[k] = parseOptionValue(k, v);
  return o as AnalyzerOptions;
}

/** What `synack events --json` and `synack conn --json` write, from the Node host fed in chunks of `size`. */
async function nodeChunked(bytes: Uint8Array, size: number, settings: Settings) {
  let events = '';
  for await (const e of analyze(split(bytes, size), { ...options(settings), subscribe: ALL })) events += eventJson(e, nodeSha1);
  let conn = '';
  for await (const t of connLog(split(bytes, size), { ...options(settings), format: 'json' })) conn += t;
  return { events: sha256(events), conn: sha256(conn) };
}

const noWasi = existsSync(WASI_WASM) ? false : 'build/synack-wasi.wasm is missing (npm run build)';

for (const file of TRACES) {
  const bytes = readFileSync(file);
  // 1-byte chunks on small traces only; 7-byte chunks up to 2 MB (real/small in 7-byte chunks is 3 M pushes, ~1 min).
  const sizes = [...(bytes.length <= 64 << 10 ? [1] : []), ...(bytes.length <= 2 << 20 ? [7] : [1021]), 64 << 10, bytes.length];
  test(`chunking changes nothing (${sizes.join(', ')} bytes): ${file.slice(SHARED.length + 1)}`, { skip: noWasi }, async () => {
    const settings: Settings = file.includes('http-concurrent') ? { tcp_inactivity_timeout_s: '0.5', tcpstats_enabled: 'true' } : {};
    const set = Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    const want = {
      events: sha256(await runWasi(file, ['events', '--json', ...set])),
      conn: sha256(await runWasi(file, ['conn', '--json', ...set])),
    };
    for (const size of sizes) assert.deepEqual(await nodeChunked(bytes, size, settings), want, `chunks of ${size} bytes`);
  });
}

for (const file of TRACES.slice(2)) {
  test(`replay: every mode agrees: ${file.slice(SHARED.length + 1)}`, async () => {
    const lines = await replay(file, file.includes('ssh') ? { tcp_inactivity_timeout_s: '60', ignore_checksums: 'T' } : {});
    const text = lines.map((l) => `${l.mode} ${l.digests ? `${l.digests.events} ${l.digests.conn}` : l.skipped ? `skipped: ${l.skipped}` : `FAILED: ${l.error}`}`).join('\n');
    for (const must of ['node', 'wasi', 'workerd'] as const) {
      const l = lines.find((x) => x.mode === must)!;
      assert.ok(l.digests || /missing|not installed/.test(l.skipped ?? ''), `${must} must run:\n${text}`);
    }
    assert.ok(agree(lines), `modes disagree:\n${text}`);
  });
}

test('npm run replay: one line per mode, exit 0 when they agree', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'replay.ts'), TRACES[0], '--modes', 'node,wasi,workerd',
    '--set', 'tcp_inactivity_timeout_s=60'], { cwd: ROOT, encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3, r.stdout + r.stderr);
  for (const l of lines) assert.match(l, /^(node|wasi|workerd) [0-9a-f]{64} [0-9a-f]{64}$|^# /);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'replay.ts'), TRACES[0], '--modes', 'nope'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(bad.status, 2);
});
