/** CLI: argument parsing, usage errors (exit 2), bad input (exit 1), help. Runs bin/synack.mjs from source. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../bindings/cli-args.ts';
import { DEFAULT_EVENTS, EVENT_INFO } from '../../bindings/core/events.generated.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const WASM = join(ROOT, 'build', 'synack.wasm');
const TMP = mkdtempSync(join(tmpdir(), 'synack-cli-'));

function synack(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'synack.mjs'), ...args], {
    env: { ...process.env, SYNACK_FROM_SOURCE: '1' }, encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('parseArgs: commands, flags and settings', () => {
  const c = parseArgs(['conn', 'x.pcap', '--json', '-C', '--set', 'tcp_inactivity_timeout_s=60', '--set=likely_server_ports_tcp=22,80']);
  assert.equal(c.command, 'conn');
  assert.equal(c.file, 'x.pcap');
  assert.equal(c.format, 'json');
  assert.equal(c.options.subscribe, undefined, 'conn uses the default subscription');
  assert.deepEqual(c.options, { ignore_checksums: true, tcp_inactivity_timeout_s: 60, likely_server_ports_tcp: [22, 80] });
  const e = parseArgs(['events', '-', '--only', 'tcp_packet,conn_weird', '--format', 'json']);
  assert.deepEqual(e.options.subscribe, ['tcp_packet', 'conn_weird']);
  assert.equal(e.file, '-');
  assert.equal(parseArgs(['events', 'f']).options.subscribe!.length, EVENT_INFO.length, 'events: all by default');
  assert.equal(parseArgs(['events', 'f']).format, 'text');
  assert.equal(parseArgs(['conn', 'f']).format, 'tsv');
  assert.ok(DEFAULT_EVENTS.includes('connection_state_remove'));
});

test('parseArgs: usage errors name the problem', () => {
  const u = (args: string[], re: RegExp) => assert.throws(() => parseArgs(args), (e: Error) => {
    assert.ok(e instanceof UsageError || e.name === 'SynackOptionError', e.name);
    assert.match(e.message, re);
    return true;
  });
  u(['conn'], /missing FILE argument/);
  u(['frob', 'f'], /unknown command "frob"/);
  u(['conn', 'f', '--bogus'], /unknown argument "--bogus"/);
  u(['conn', 'f', 'g'], /unexpected argument "g"/);
  u(['conn', 'f', '--set', 'nope=1'], /unknown option "nope"/);
  u(['conn', 'f', '--set', 'ignore_checksums=maybe'], /ignore_checksums: expected true, false/);
  u(['conn', 'f', '--set'], /--set needs a value/);
  u(['events', 'f', '--only', 'tcp_pakcet'], /--only: unknown event "tcp_pakcet"/);
  u(['conn', 'f', '--only', 'tcp_packet'], /--only applies to "synack events"/);
  u(['events', 'f', '--format', 'tsv'], /--format: expected text or json/);
});

test('synack exits 2 on usage errors, 0 with help', () => {
  let r = synack('conn');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^synack: missing FILE argument/);
  r = synack('conn', 'f.pcap', '--set', 'tcp_SYN_timeout_s=soon');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /synack: option tcp_SYN_timeout_s: expected seconds/);
  r = synack('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /usage: synack <command> FILE/);
  r = synack('conn', '--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /likely_server_ports_tcp/);
});

test('synack exits 1 on a missing file or unreadable capture', (t) => {
  let r = synack('conn', join(TMP, 'absent.pcap'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /absent\.pcap: no such file/);
  if (!existsSync(WASM)) return t.skip('build/synack.wasm missing');
  const junk = join(TMP, 'junk.pcap');
  writeFileSync(junk, 'this is not a capture file at all');
  r = synack('conn', junk);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^synack: .*junk\.pcap: byte 0: not a pcap or pcapng file/);
  assert.equal(r.stdout, '', 'no log for a capture rejected before its first row');
  const short = join(TMP, 'short.pcap');
  writeFileSync(short, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]));
  r = synack('conn', short);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /short\.pcap: byte \d+: file ends inside the pcap file header/);
});
