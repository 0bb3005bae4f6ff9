/** Option validation: unknown names and bad values rejected by name; CLI string values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SynackOptionError } from '../../bindings/core/errors.ts';
import { parseOptionValue, parseSetting, resolveOptions, type AnalyzerOptions } from '../../bindings/core/options.ts';
import { DEFAULT_EVENTS, EVENT_INFO } from '../../bindings/core/events.generated.ts';

function rejects(opts: Record<string, unknown>, name: string, msg: RegExp): void {
  assert.throws(() => resolveOptions(opts as AnalyzerOptions), (e: unknown) => {
    assert.ok(e instanceof SynackOptionError);
    assert.equal(e.option, name);
    assert.match(e.message, msg);
    return true;
  });
}

test('unknown options are rejected by name', () => {
  rejects({ ignore_checksum: true }, 'ignore_checksum', /unknown option "ignore_checksum" \(did you mean ignore_checksums/);
  rejects({ bpf_filter: 'tcp' }, 'bpf_filter', /unknown option "bpf_filter"/);
});

test('bad values are rejected with the option name and what was expected', () => {
  rejects({ ignore_checksums: 'yes' }, 'ignore_checksums', /option ignore_checksums: expected true or false, got "yes"/);
  rejects({ tcp_max_old_segments: -1 }, 'tcp_max_old_segments', /expected a whole number from 0 to 10000, got -1/);
  rejects({ tcp_max_old_segments: 10001 }, 'tcp_max_old_segments', /0 to 10000/);
  rejects({ max_timer_expires: 1.5 }, 'max_timer_expires', /whole number/);
  rejects({ tcp_SYN_timeout_s: Infinity }, 'tcp_SYN_timeout_s', /seconds/);
  rejects({ likely_server_ports_tcp: [80, 70000] }, 'likely_server_ports_tcp', /TCP ports/);
  rejects({ ignore_checksums_nets: ['10.0.0.0/33'] }, 'ignore_checksums_nets', /got "10.0.0.0\/33"/);
  rejects({ subscribe: ['tcp_pakcet'] }, 'subscribe', /unknown event "tcp_pakcet"/);
});

test('valid options resolve to core ids and values', () => {
  const r = resolveOptions({
    ignore_checksums: true, tcp_inactivity_timeout_s: 0.5, likely_server_ports_tcp: [80, 80, 443],
    ignore_checksums_nets: ['192.168.0.0/16', '2001:db8::/32'], local_nets: ['8.8.8.0/24'],
  });
  assert.deepEqual(r.numeric, [[1, 1], [11, 0.5]]);
  assert.deepEqual(r.ports, [[40, [80, 443]]]);
  assert.deepEqual(r.nets.map(([id, ns]) => [id, ns.map((n) => n.prefix)]), [[50, [112, 32]]]);
  assert.equal(r.localNets.length, 1, 'local_nets stays on the host');
  assert.deepEqual([...r.subscribed].sort((a, b) => a - b), EVENT_INFO.filter((e) => DEFAULT_EVENTS.includes(e.name)).map((e) => e.id));
});

test('CLI strings: bools, numbers, port and net lists', () => {
  for (const t of ['true', 'T', '1', 'TRUE']) assert.equal(parseOptionValue('ignore_checksums', t), true);
  for (const f of ['false', 'F', '0']) assert.equal(parseOptionValue('ignore_checksums', f), false);
  assert.equal(parseOptionValue('tcp_inactivity_timeout_s', '2.5'), 2.5);
  assert.equal(parseOptionValue('max_timer_expires', '0'), 0);
  assert.deepEqual(parseOptionValue('likely_server_ports_tcp', '21, 22,80/tcp'), [21, 22, 80]);
  assert.deepEqual(parseOptionValue('likely_server_ports_tcp', ''), []);
  assert.deepEqual(parseOptionValue('ignore_checksums_nets', '10.0.0.0/8,fe80::/10'), ['10.0.0.0/8', 'fe80::/10']);
  assert.throws(() => parseOptionValue('ignore_checksums', 'maybe'), /ignore_checksums: expected true, false, T, F, 1 or 0, got "maybe"/);
  assert.throws(() => parseOptionValue('max_timer_expires', '1e'), /max_timer_expires: expected a whole number/);
  assert.throws(() => parseOptionValue('likely_server_ports_tcp', '80,http'), /likely_server_ports_tcp: expected a list of TCP ports/);
  assert.throws(() => parseOptionValue('nope', '1'), /unknown option "nope"/);
  assert.deepEqual(parseSetting('seed=7'), ['seed', 7]);
  assert.throws(() => parseSetting('seed'), /expected NAME=VALUE/);
});
