/**
 * Weird events (events.md §9, TA §19): conn_weird with Zeek's names, addl and source ("TCP" from the TCP analyzer,
 * "" from Zeek's core TCP code), per-connection sampling; flow_weird and net_weird for packets that never make a
 * connection.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capture, only, run, skip, tcpFrame } from './support.ts';
import type { SynackEvent } from '../../bindings/core/api.ts';

/** [frame, name, addl, source] of every conn_weird. */
const weirds = (evs: SynackEvent[]): [number, string, string, string][] =>
  only(evs, 'conn_weird').map((e) => [e.frame, e.weird_name, e.addl, e.source]);

test('conn_weird from SYN packets: SYN_with_data, baroque_SYN, TCP_christmas, TCP_scale_range (addl), option length (addl)', { skip }, async () => {
  const cap = new Capture();
  cap.flow('10.0.0.1:40001', '10.0.0.2:80').send('o', 'S', { data: 'x' });
  cap.flow('10.0.0.1:40002', '10.0.0.2:80').send('o', 'SU');
  cap.flow('10.0.0.1:40003', '10.0.0.2:80').send('o', 'SR');
  cap.flow('10.0.0.1:40004', '10.0.0.2:80').send('o', 'S', { options: [3, 3, 255] });
  cap.flow('10.0.0.1:40005', '10.0.0.2:80').send('o', 'S', { options: [3, 4, 1, 1] });
  const evs = await run(cap);
  assert.deepEqual(weirds(evs), [
    [1, 'SYN_with_data', '', 'TCP'],
    [2, 'baroque_SYN', '', 'TCP'],
    [3, 'TCP_christmas', '', 'TCP'],
    [3, 'spontaneous_RST', '', 'TCP'],
    [4, 'TCP_scale_range', '255', 'TCP'],
    [5, 'tcp_option_window_scale_invalid_len', '4', 'TCP'],
  ]);
  // The SYN_packet record keeps the raw window scale.
  assert.equal(only(evs, 'connection_SYN_packet')[3].pkt.win_scale, 255);
  // The weird's connection argument is the connection it concerns.
  assert.equal(only(evs, 'conn_weird')[0].c.id.orig_p, 40001);
});

test('conn_weird with an empty source (Zeek core TCP code): window_recision, SYN_inside_connection, possible_split_routing', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'hello', win: 1000 }).send('o', 'S', { seq: 1000 });
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S').send('o', 'A');
  const evs = await run(cap);
  assert.deepEqual(weirds(evs), [
    [4, 'window_recision', '', ''],
    [5, 'SYN_inside_connection', '', ''],
    [7, 'possible_split_routing', '', ''],
  ]);
});

test('TCP_scale_range and possible_split_routing only on a connection without an earlier weird (TA §19.1)', { skip }, async () => {
  const cap = new Capture();
  cap.flow('10.0.0.1:40001', '10.0.0.2:80').send('o', 'S', { data: 'x', options: [3, 3, 200] }).send('o', 'A');
  const evs = await run(cap);
  assert.deepEqual(weirds(evs).map((w) => w[1]), ['SYN_with_data']);
});

test('conn_weird sampling: the first 25 of a name per connection, then every 1000th (bad_TCP_checksum)', { skip }, async () => {
  // 1 ms apart: bad-checksum packets do not move last_time, so the expire check would end the connection at 5 s.
  const cap = new Capture(0.001);
  const f = cap.flow('10.0.0.1:40000', '10.0.0.2:5555');
  for (let i = 0; i < 1100; i++) f.send('o', 'A', { badChecksum: true, data: 1 });
  const evs = await run(cap);
  const bad = weirds(evs);
  assert.equal(bad.length, 26);
  assert.ok(bad.every((w) => w[1] === 'bad_TCP_checksum' && w[3] === 'TCP'));
  assert.equal(bad[24][0], 25);
  assert.equal(bad[25][0], 1025);
});

const SYN = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, seq: 1000, ack: 0, flags: 'S' };

test('flow_weird: truncated_header before a connection exists; bad_IP_checksum', { skip }, async () => {
  const cap = new Capture();
  const short = tcpFrame(SYN);
  short[17] = 32; // IPv4 total length 32: 12 bytes of TCP header
  cap.add(short);
  const badSum = tcpFrame(SYN);
  badSum[24] ^= 0xff;
  cap.add(badSum);
  const flows = (evs: SynackEvent[]) => only(evs, 'flow_weird').map((e) => [e.frame, e.weird_name, e.src, e.dst, e.addl, e.source]);
  // With checksums checked, the first frame's header checksum is wrong too (its length field changed).
  assert.deepEqual(flows(await run(cap)), [
    [1, 'bad_IP_checksum', '10.0.0.1', '10.0.0.2', '', ''],
    [2, 'bad_IP_checksum', '10.0.0.1', '10.0.0.2', '', ''],
  ]);
  const lenient = await run(cap, { ignore_checksums: true });
  assert.deepEqual(flows(lenient), [[1, 'truncated_header', '10.0.0.1', '10.0.0.2', '', 'TCP']]);
  // The truncated one made no connection; the other one did.
  assert.equal(only(lenient, 'new_connection').length, 1);
  assert.equal(only(lenient, 'new_connection')[0].frame, 2);
});

test('net_weird: truncated_IP and unknown_ip_version, without addresses', { skip }, async () => {
  const cap = new Capture();
  cap.add(tcpFrame(SYN).slice(0, 14 + 10));
  const v5 = tcpFrame(SYN);
  v5[14] = 0x55;
  cap.add(v5);
  const evs = await run(cap);
  assert.deepEqual(evs.map((e) => (e.name === 'net_weird' ? [e.frame, e.weird_name, e.addl, e.source] : e.name)), [
    [1, 'truncated_IP', '', ''],
    [2, 'unknown_ip_version', '', ''],
  ]);
});
