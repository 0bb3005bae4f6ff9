/**
 * The sample edge function on the real workerd (npm package `workerd`): started on 127.0.0.1 and a free port, fed
 * public traces as POST bodies; its conn.log JSON lines and events lines equal the Node CLI's byte for byte.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { postCapture, startWorkerd, type Workerd } from '../../scripts/replay.ts';
import { damagedCaptures } from './matrix.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHARED = join(ROOT, '..', 'shared', 'conformance');
const TRACES = ['cases/ssh-basic/ssh.pcap', 'cases/http-concurrent-ranges/concurrent-range-requests.pcap', 'real/small/small.pcap']
  .map((t) => join(SHARED, t));

const skip = !existsSync(join(ROOT, 'node_modules', '.bin', 'workerd')) ? 'workerd is not installed'
  : !existsSync(join(ROOT, 'examples', 'edge', 'dist', 'worker.js')) ? 'examples/edge/dist/worker.js is missing (npm run build)' : false;

function cli(args: string[], status = 0): Buffer {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'synack.mjs'), ...args], {
    env: { ...process.env, SYNACK_FROM_SOURCE: '1' }, maxBuffer: 1 << 30,
  });
  assert.equal(r.status, status, r.stderr?.toString());
  return r.stdout;
}

let server: Workerd;
before(async () => { if (!skip) server = await startWorkerd(); });
after(async () => { await server?.stop(); });

for (const file of TRACES) {
  test(`workerd /conn and /events = Node CLI: ${file.slice(SHARED.length + 1)}`, { skip }, async () => {
    assert.ok((await postCapture(server, file, '/conn', {})).equals(cli(['conn', '--json', file])), 'conn.log JSON lines');
    assert.ok((await postCapture(server, file, '/events', {})).equals(cli(['events', '--json', file])), 'events JSON lines');
  });
}

test('workerd: settings in the query, and error statuses', { skip }, async () => {
  const file = TRACES[1];
  const settings = { tcp_inactivity_timeout_s: '0.5', local_nets: '192.150.0.0/16', conn_size_analyzer: 'false' };
  const args = Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  assert.ok((await postCapture(server, file, '/conn', settings)).equals(cli(['conn', '--json', file, ...args])));
  const get = await fetch(`${server.url}/conn`);
  assert.equal(get.status, 405);
  await get.arrayBuffer();
  const badOpt = await fetch(`${server.url}/conn?set=nope=1`, { method: 'POST', body: new Uint8Array(4) });
  assert.equal(badOpt.status, 400);
  assert.match(await badOpt.text(), /unknown option "nope"/);
  const notPcap = await fetch(`${server.url}/conn`, { method: 'POST', body: new TextEncoder().encode('not a capture at all') });
  assert.equal(notPcap.status, 422);
  assert.match(await notPcap.text(), /not a pcap/);
});

test('workerd: a capture damaged past its first rows sends those rows (as the CLI writes them), then a line naming the damage', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-edge-'));
  try {
    for (const { name, file } of damagedCaptures(dir)) {
      const err = spawnSync(process.execPath, [join(ROOT, 'bin', 'synack.mjs'), 'conn', file], { env: { ...process.env, SYNACK_FROM_SOURCE: '1' } });
      const message = /: (byte \d+: .*)\n$/.exec(err.stderr.toString())![1];
      for (const [path, format, args] of [['/conn', 'json', ['--json']], ['/conn', 'tsv', []], ['/events', 'json', ['--json']]] as const) {
        const r = await fetch(`${server.url}${path}?format=${format}`, { method: 'POST', body: readFileSync(file) });
        assert.equal(r.status, 200, name);
        const body = await r.text();
        const rows = cli([path.slice(1), ...args, file], 1).toString();
        assert.ok(rows.length > 0);
        const last = format === 'json' ? `${JSON.stringify({ capture_error: message })}\n` : `#capture_error\t${message}\n`;
        // The TSV header's #open stamp is the wall clock: compared without it.
        const stamp = (t: string) => t.replace(/^#open\t.*$/m, '#open');
        assert.equal(stamp(body), stamp(rows + last), `${name} ${path} ${format}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
