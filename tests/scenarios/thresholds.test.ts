/**
 * The four tcp_multiple_* events (TA §9.3): a side's counter appends its history letter at the 1st, 10th, 100th …
 * occurrence and raises the event at the 10th, 100th … with that threshold — never for the first occurrence.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventName, SynackEvent } from '../../bindings/core/api.ts';
import { Capture, only, run, skip, type Flow } from './support.ts';

type Multiple = 'tcp_multiple_checksum_errors' | 'tcp_multiple_zero_windows' | 'tcp_multiple_retransmissions' | 'tcp_multiple_gap';

/** [frame, is_orig, threshold, history] of each event of that name. */
function fired(evs: SynackEvent[], name: Multiple): [number, boolean, number, string][] {
  return only(evs, name as EventName).map((e) => {
    const m = e as Extract<SynackEvent, { name: Multiple }>;
    return [m.frame, m.is_orig, Number(m.threshold), m.c.history];
  });
}

/** Runs `n` occurrences scripted by `occur` after `setup`; returns the events. */
async function occurrences(n: number, setup: (f: Flow) => void, occur: (f: Flow, i: number) => void, ports = ['10.0.0.1:40000', '10.0.0.2:80']): Promise<SynackEvent[]> {
  const cap = new Capture();
  const f = cap.flow(ports[0], ports[1]);
  setup(f);
  for (let i = 1; i <= n; i++) occur(f, i);
  return run(cap);
}

test('tcp_multiple_checksum_errors: bad TCP checksums, C at 1, 10, 100; events at 10 and 100 only', { skip }, async () => {
  // Non-SYN segments (a bad-checksum SYN with a new sequence number would be a reuse, TA §5); no likely port.
  const setup = () => {};
  const bad = (f: Flow) => { f.send('o', 'PA', { badChecksum: true, data: 1 }); };
  const ports = ['10.0.0.1:40000', '10.0.0.2:5555'];
  assert.deepEqual(fired(await occurrences(9, setup, bad, ports), 'tcp_multiple_checksum_errors'), []);
  const evs = await occurrences(100, setup, bad, ports);
  assert.deepEqual(fired(evs, 'tcp_multiple_checksum_errors'), [[10, true, 10, 'CC'], [100, true, 100, 'CCC']]);
  // Dropped packets: nothing else moved.
  const last = only(evs, 'connection_state_remove')[0].c;
  assert.equal(last.orig.num_pkts, 0);
  assert.equal(last.conn_state, 'OTH');
});

test('tcp_multiple_zero_windows: zero-window advertisements, W at 1, 10, 100; per side', { skip }, async () => {
  const zero = (side: 'o' | 'r') => (f: Flow) => { f.send(side, 'A', { win: 0 }); };
  const hs = (f: Flow) => { f.handshake(); };
  assert.deepEqual(fired(await occurrences(1, hs, zero('o')), 'tcp_multiple_zero_windows'), []);
  assert.deepEqual(fired(await occurrences(9, hs, zero('o')), 'tcp_multiple_zero_windows'), []);
  assert.deepEqual(fired(await occurrences(100, hs, zero('o')), 'tcp_multiple_zero_windows'), [
    [13, true, 10, 'ShAWW'], [103, true, 100, 'ShAWWW'],
  ]);
  assert.deepEqual(fired(await occurrences(10, hs, zero('r')), 'tcp_multiple_zero_windows'), [[13, false, 10, 'ShAaww']]);
});

test('tcp_multiple_retransmissions: payload that does not advance, T at 1, 10, 100', { skip }, async () => {
  const setup = (f: Flow) => { f.handshake().send('o', 'PA', { data: 'x' }); };
  const again = (f: Flow) => { f.send('o', 'PA', { seq: 1001, data: 'x' }); };
  assert.deepEqual(fired(await occurrences(1, setup, again), 'tcp_multiple_retransmissions'), []);
  assert.deepEqual(fired(await occurrences(9, setup, again), 'tcp_multiple_retransmissions'), []);
  assert.deepEqual(fired(await occurrences(100, setup, again), 'tcp_multiple_retransmissions'), [
    [14, true, 10, 'ShADTT'], [104, true, 100, 'ShADTTT'],
  ]);
});

test('tcp_multiple_gap: content gaps on a clean connection, G at 1, 10, 100 (each ACK skipping 10 unseen bytes)', { skip }, async () => {
  const setup = (f: Flow) => { f.handshake(); };
  const ackAhead = (f: Flow, i: number) => { f.send('r', 'A', { ack: 1001 + 10 * i }); };
  assert.deepEqual(fired(await occurrences(1, setup, ackAhead), 'tcp_multiple_gap'), []);
  assert.deepEqual(fired(await occurrences(9, setup, ackAhead), 'tcp_multiple_gap'), []);
  const evs = await occurrences(100, setup, ackAhead);
  assert.deepEqual(fired(evs, 'tcp_multiple_gap'), [[13, true, 10, 'ShAaGG'], [103, true, 100, 'ShAaGGG']]);
  assert.equal(only(evs, 'content_gap').length, 100);
  assert.equal(only(evs, 'connection_state_remove')[0].c.missed_bytes, 1000);
});
