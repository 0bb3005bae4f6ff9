/** connection_flipped: the three ways roles are swapped (TA §4.3 F1, F2, F3) and what each does to history and state. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capture, atFrame, final, one, only, run, skip, state, summary, trace } from './support.ts';

const QUIET = ['tcp_option', 'tcp_options', 'new_connection_contents'] as const;

test('F1: a first SYN-ACK from a likely server port flips at creation, before new_connection → ^hADdFaf, SF', { skip }, async () => {
  const cap = new Capture();
  // The flow's originator is the client: the server (port 80) sends first.
  cap.flow('10.0.0.1:40000', '10.0.0.2:80')
    .send('r', 'SA').send('o', 'A').send('o', 'PA', { data: 'GET' }).send('r', 'PA', { data: 'OK' })
    .send('o', 'FA').send('r', 'A').send('r', 'FA').send('o', 'A');
  const evs = await run(cap);
  assert.deepEqual(atFrame(evs, 1, ['tcp_option', 'tcp_options']), [
    'connection_flipped', 'new_connection_contents', 'new_connection', 'connection_SYN_packet',
    'conn_weird:unsolicited_SYN_response', 'connection_established', 'tcp_packet(F,SA)',
  ]);
  const flipped = one(evs, 'connection_flipped').c;
  assert.deepEqual([flipped.id.orig_h, flipped.id.orig_p, flipped.id.resp_p], ['10.0.0.1', 40000, 80]);
  assert.equal(flipped.history, '^h');
  // The originator became ESTABLISHED through its first pure ACK: its next ACK raises connection_first_ACK.
  assert.equal(one(evs, 'connection_first_ACK').frame, 3);
  const c = final(evs);
  assert.equal(summary(c), '^hADdFaf SF TCP_CLOSED/TCP_CLOSED');
  assert.deepEqual([c.orig.num_pkts, c.resp.num_pkts], [4, 4]);
});

test('F1 is suppressed without likely server ports (bare mode): the SYN-ACK sender stays originator', { skip }, async () => {
  const cap = new Capture();
  cap.flow('10.0.0.1:40000', '10.0.0.2:80').send('r', 'SA');
  const evs = await run(cap, { likely_server_ports_tcp: [] });
  assert.equal(only(evs, 'connection_flipped').length, 0);
  assert.equal(summary(final(evs)), 'H OTH TCP_SYN_ACK_SENT/TCP_INACTIVE');
});

test('F2: SYN-ACK between two likely ports, then the client\'s ACK: history H becomes ^hA → ^hADadFf, SF', { skip }, async () => {
  const cap = new Capture();
  cap.flow('10.0.0.1:6669', '10.0.0.2:80')
    .send('r', 'SA').send('o', 'A').send('o', 'PA', { data: 'GET' }).send('r', 'A').send('r', 'PA', { data: 'OK' })
    .send('o', 'FA').send('r', 'FA').send('o', 'A');
  const evs = await run(cap);
  assert.deepEqual(atFrame(evs, 1, QUIET), ['new_connection', 'connection_SYN_packet', 'conn_weird:connection_originator_SYN_ack', 'tcp_packet(T,SA)']);
  assert.equal(one(evs, 'new_connection').c.id.orig_p, 80);
  // The flip happens while recording history; tcp_packet keeps the packet's arrival direction (TA §4.4).
  assert.deepEqual(atFrame(evs, 2, QUIET), ['connection_flipped', 'tcp_packet(F,A)']);
  const flipped = one(evs, 'connection_flipped').c;
  assert.equal(flipped.id.orig_p, 6669);
  // The side that caused the flip ran the state machine as the old responder: PARTIAL, not ESTABLISHED.
  assert.equal(summary(flipped), '^hA OTH TCP_PARTIAL/TCP_SYN_ACK_SENT');
  assert.equal(only(evs, 'connection_established').length, 0);
  assert.equal(summary(final(evs)), '^hADadFf SF TCP_CLOSED/TCP_CLOSED');
});

test('F3: SYN-ACK captured before the SYN (bare mode): new_connection H, connection_flipped Hs^, then established', { skip }, async () => {
  const cap = new Capture();
  cap.flow('10.0.0.1:40000', '10.0.0.2:80')
    .send('r', 'SA', { ack: 1001 }).send('o', 'S').send('o', 'A').send('o', 'PA', { data: 'GET' })
    .send('r', 'A').send('r', 'PA', { data: 'OK' }).send('o', 'FA').send('r', 'FA').send('o', 'A');
  const evs = await run(cap, { likely_server_ports_tcp: [] });
  assert.deepEqual(trace(evs, [...QUIET, 'tcp_packet']).slice(0, 6), [
    '1 new_connection', '1 connection_SYN_packet', '1 conn_weird:connection_originator_SYN_ack',
    '2 connection_SYN_packet', '2 connection_flipped', '2 connection_established',
  ]);
  assert.equal(one(evs, 'new_connection').c.id.orig_p, 80);
  const flipped = one(evs, 'connection_flipped').c;
  assert.equal(flipped.id.orig_p, 40000);
  assert.equal(summary(flipped), 'Hs^ S1 TCP_ESTABLISHED/TCP_ESTABLISHED');
  // The SYN's own packet events keep its arrival direction (it came from the responder of that moment).
  assert.equal(only(evs, 'tcp_packet')[1].is_orig, false);
  assert.equal(only(evs, 'connection_SYN_packet')[1].pkt.is_orig, false);
  const c = final(evs);
  assert.equal(summary(c), 'Hs^ADadFf SF TCP_CLOSED/TCP_CLOSED');
  assert.equal(state(c.orig.state), 'TCP_CLOSED');
});
