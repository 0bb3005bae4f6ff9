/**
 * The WASI command (build/synack-wasi.wasm): its output equals the Node CLI's byte for byte (TSV aside from the
 * #open/#close wall-clock lines) under Node's node:wasi and Deno's, and its number formatting and SHA-1 equal
 * the TS writers' and node:crypto's on random inputs (assembly/wasi/selftest.ts, built here).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixed6, jsonDouble } from '../../bindings/logs/numbers.ts';
import { runWasi, WASI_WASM } from '../../scripts/replay.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHARED = join(ROOT, '..', 'shared', 'conformance');
const TRACES = ['cases/tcp-options/options.pcap', 'cases/ssh-basic/ssh.pcap', 'cases/http-concurrent-ranges/concurrent-range-requests.pcap', 'real/small/small.pcap']
  .map((t) => join(SHARED, t));
const DENO = join(ROOT, 'node_modules', '.bin', 'deno');

function cli(args: string[]): Buffer {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'synack.mjs'), ...args], {
    env: { ...process.env, SYNACK_FROM_SOURCE: '1' }, maxBuffer: 1 << 30,
  });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

const noClock = (b: Buffer) => b.toString('utf8').split('\n').filter((l) => !/^#(open|close)\t/.test(l)).join('\n');

const skip = existsSync(WASI_WASM) ? false : 'build/synack-wasi.wasm is missing (npm run build)';

for (const file of TRACES) {
  const name = file.slice(SHARED.length + 1);
  test(`wasi (node:wasi) = Node CLI: ${name}`, { skip }, async () => {
    assert.ok((await runWasi(file, ['events', '--json'])).equals(cli(['events', '--json', file])), 'events --json');
    assert.ok((await runWasi(file, ['conn', '--json'])).equals(cli(['conn', '--json', file])), 'conn --json');
    const tsv = await runWasi(file, ['conn']);
    assert.match(tsv.toString('utf8'), /^#open\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/m);
    assert.equal(noClock(tsv), noClock(cli(['conn', file])), 'conn TSV');
  });
}

test('wasi = Node CLI with settings (--set, -C, --only)', { skip }, async () => {
  const file = TRACES[2];
  const set = ['--set', 'tcp_inactivity_timeout_s=0.5', '--set', 'local_nets=192.150.0.0/16, 2001:db8::/32', '-C',
    '--set', 'likely_server_ports_tcp=80/tcp,22', '--set=conn_size_analyzer=F', '--set', 'tcpstats_enabled=true'];
  assert.ok((await runWasi(file, ['conn', '--json', ...set])).equals(cli(['conn', '--json', file, ...set])));
  const only = ['--only', 'tcp_packet,conn_stats,tcp_options,connection_SYN_packet'];
  assert.ok((await runWasi(file, ['events', '--json', ...only, ...set])).equals(cli(['events', '--json', file, ...only, ...set])));
});

test('wasi: usage errors exit 2, unreadable input exits 1', { skip }, async () => {
  await assert.rejects(runWasi(TRACES[0], ['conn', '--set', 'nope=1']), /exited 2: synack: unknown option "nope"/);
  await assert.rejects(runWasi(TRACES[0], ['conn', '--set', 'seed=-1']), /exited 2/);
  await assert.rejects(runWasi(TRACES[0], ['events']), /exited 2: .*--json/);
  await assert.rejects(runWasi(TRACES[0], ['conn', '--read-size', '0']), /exited 2: .*--read-size: expected a positive whole number/);
  await assert.rejects(runWasi(TRACES[0], ['conn', '--read-size=x']), /exited 2: .*--read-size/);
  await assert.rejects(runWasi(join(SHARED, 'cases', 'tcp-options', 'case.json'), ['conn', '--json']), /exited 1: synack: -: byte 0: not a pcap/);
});

test('wasi under Deno (node:wasi) = Node CLI', { skip: skip || (existsSync(DENO) ? false : 'deno is not installed') }, async () => {
  for (const file of [TRACES[1], TRACES[3]]) {
    assert.ok((await runWasi(file, ['events', '--json'], 'deno')).equals(cli(['events', '--json', file])), `events ${file}`);
    assert.ok((await runWasi(file, ['conn', '--json'], 'deno')).equals(cli(['conn', '--json', file])), `conn ${file}`);
  }
});

test('AS fixed6, JSON doubles and SHA-1 = TS writers and node:crypto on random inputs', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-wasi-'));
  const wasm = join(dir, 'selftest.wasm');
  const asc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js'), 'assembly/wasi/selftest.ts',
    '--config', 'node_modules/@assemblyscript/wasi-shim/asconfig.json', '--outFile', wasm, '-O3', '--noAssert', '--runtime', 'minimal',
    '--enable', 'simd'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(asc.status, 0, asc.stderr);
  const values: number[] = [0, 1, 0.5, 1e21, 1e-7, 123456789.5, 5e-324, Number.MAX_VALUE, 2 ** 53, 0.1, 1.0000005, 2.5e-6, 1e-6, 9.5e-7];
  const dv = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 3000; i++) {
    const k = i % 6;
    if (k === 0) { crypto.getRandomValues(new Uint8Array(dv.buffer)); dv.setUint8(0, dv.getUint8(0) & 0x7f); values.push(dv.getFloat64(0)); }
    else if (k === 1) values.push(1e9 + Math.random() * 1e9);
    else if (k === 2) values.push(Math.round(Math.random() * 2e15) / 1e6);
    else if (k === 3) values.push(Math.floor(Math.random() * 2 ** 30) / 2 ** Math.floor(Math.random() * 30)); // exact ties
    else if (k === 4) values.push(Math.random() * 10 ** (Math.floor(Math.random() * 40) - 20));
    else values.push(Math.floor(Math.random() * 1e12) / 1e9);
  }
  const finite = values.filter((v) => Number.isFinite(v));
  const blobs = Array.from({ length: 300 }, (_, i) => randomBytes(i < 130 ? i : Math.floor(Math.random() * 5000)));
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeUInt32LE(finite.length);
  const nums = Buffer.alloc(8 * finite.length);
  finite.forEach((v, i) => nums.writeDoubleLE(v, 8 * i));
  parts.push(nums);
  for (const b of blobs) { const h = Buffer.alloc(4); h.writeUInt32LE(b.length); parts.push(h, b); }
  const input = join(dir, 'in.bin');
  writeFileSync(input, Buffer.concat(parts));
  const r = spawnSync(process.execPath, ['--no-warnings', join(ROOT, 'scripts', 'wasi-run.mjs'), '--wasm', wasm], {
    input: readFileSync(input), maxBuffer: 1 << 26, encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  finite.forEach((v, i) => {
    // toFixed switches to exponent form from 1e21 (no capture time gets there): only the JSON form is compared.
    const big = Math.abs(v) >= 1e21;
    const want = (big ? '' : fixed6(v)) + '\t' + jsonDouble(v);
    const got = big ? '\t' + lines[i].split('\t')[1] : lines[i];
    assert.equal(got, want, `value ${v} (bits ${Buffer.from(new Float64Array([v]).buffer).toString('hex')})`);
  });
  blobs.forEach((b, i) => assert.equal(lines[finite.length + i], createHash('sha1').update(b).digest('hex'), `sha1 of ${b.length} bytes`));
});
