/**
 * Connection lifecycle events on scripted exchanges, all events subscribed: the order of TA §18, the removal paths
 * of TA §16.4 (close-delete, attempt, reset timer, partial close, inactivity, reuse, end of input) and the events
 * that gate on a subscription (TA §17).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capture, NOISE, T0, atFrame, final, one, only, run, skip, state, summary, trace, usec } from './support.ts';

/** The normal exchange of TA §18: handshake, data both ways, FIN/ACK both ways, final ACK. */
function normal(cap = new Capture()): Capture {
  cap.flow().handshake()
    .send('o', 'PA', { data: 'hello' })
    .send('r', 'PA', { data: 'world!' })
    .send('o', 'FA')
    .send('r', 'FA')
    .send('o', 'A');
  return cap;
}

test('normal exchange: events in the order of TA §18', { skip }, async () => {
  const evs = await run(normal());
  assert.deepEqual(trace(evs), [
    '1 new_connection_contents', '1 new_connection', '1 connection_SYN_packet', '1 tcp_packet(T,S)',
    '2 connection_SYN_packet', '2 connection_established', '2 tcp_packet(F,SA)',
    '3 connection_first_ACK', '3 tcp_packet(T,A)',
    '4 tcp_packet(T,AP)',
    '5 tcp_packet(F,AP)',
    '6 tcp_packet(T,FA)', '6 connection_EOF(T)',
    '7 tcp_packet(F,FA)', '7 connection_EOF(F)', '7 connection_finished',
    '8 tcp_packet(T,A)',
    // Input ends before the close-delete timer: only connection_state_remove (TA §16.5).
    '8 connection_state_remove',
  ]);
  const est = one(evs, 'connection_established').c;
  assert.equal(est.history, 'Sh');
  assert.deepEqual([state(est.orig.state), state(est.resp.state)], ['TCP_ESTABLISHED', 'TCP_ESTABLISHED']);
  const fin = one(evs, 'connection_finished').c;
  assert.equal(summary(fin), 'ShADdFf SF TCP_CLOSED/TCP_CLOSED');
  const c = final(evs);
  assert.equal(summary(c), 'ShADdFf SF TCP_CLOSED/TCP_CLOSED');
  assert.equal(c.orig.size, 5);
  assert.equal(c.resp.size, 6);
  assert.equal(c.orig.num_pkts, 5);
  assert.equal(c.resp.num_pkts, 3);
  assert.equal(c.start_time, T0);
  // last_time stops at the packet that completed the close (both did_close).
  assert.ok(Math.abs(c.duration - 0.06) < 1e-6, `duration ${c.duration}`);
  // EOF is reported with the side's role.
  assert.deepEqual(only(evs, 'connection_EOF').map((e) => e.is_orig), [true, false]);
});

test('connection_timeout: close-delete timer 5 s after the close, at the next packet that passes it', { skip }, async () => {
  const cap = normal();
  const last = cap.now;
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { at: last + 5.5 });
  const evs = await run(cap);
  assert.deepEqual(atFrame(evs, 9, NOISE), [
    // Timer events precede the events of the packet that made them due.
    'connection_timeout', 'connection_state_remove', 'new_connection', 'connection_SYN_packet',
    // End of input (stamped with the last packet): the new SYN's attempt timer.
    'connection_attempt', 'connection_state_remove',
  ]);
  const timeout = one(evs, 'connection_timeout');
  assert.equal(timeout.c.id.orig_p, 40000);
  assert.equal(usec(timeout.ts), usec(last + 5.5));
  assert.equal(final(evs, 40000).history, 'ShADdFf');
});

test('connection_timeout: not before the close-delete time', { skip }, async () => {
  const cap = normal();
  // The close completed at packet 7 (the final ACK does not move last_time): due at packet 7's time + 5 s.
  const closed = cap.recs[6].ts;
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { at: closed + 4.9 });
  const evs = await run(cap);
  assert.equal(only(evs, 'connection_timeout').length, 0);
});

test('connection_attempt: unanswered SYN, at the packet 5 s later and at end of input', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S');
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { dt: 5.5 });
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE), [
    '1 new_connection', '1 connection_SYN_packet',
    '2 connection_attempt', '2 connection_state_remove', '2 new_connection', '2 connection_SYN_packet',
    // End of input: the second SYN's attempt timer acts (TA §16.5 step 1).
    '2 connection_attempt', '2 connection_state_remove',
  ]);
  for (const e of only(evs, 'connection_state_remove')) assert.equal(summary(e.c), 'S S0 TCP_SYN_SENT/TCP_INACTIVE');
});

test('connection_attempt: a retransmitted SYN (same ISN) does not restart the timer', { skip }, async () => {
  const cap = new Capture();
  const f = cap.flow();
  f.send('o', 'S').send('o', 'S', { seq: 1000, dt: 3 });
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { dt: 2.5 });
  const evs = await run(cap);
  const attempt = only(evs, 'connection_attempt').find((e) => e.c.id.orig_p === 40000);
  assert.ok(attempt);
  assert.equal(attempt.frame, 3);
  const c = final(evs, 40000);
  assert.equal(summary(c), 'S S0 TCP_SYN_SENT/TCP_INACTIVE');
  assert.equal(c.orig.num_pkts, 2);
});

test('connection_rejected: RST answering a SYN; REJ, removed by connection_timeout 5 s later', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S').send('r', 'RA', { seq: 0 });
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { dt: 6 });
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE).slice(0, 8), [
    // A RESET side with nothing pending reaches EOF at once (TA §11.3).
    '1 new_connection', '1 connection_SYN_packet', '2 connection_rejected', '2 connection_EOF(F)',
    '3 connection_timeout', '3 connection_state_remove', '3 new_connection', '3 connection_SYN_packet',
  ]);
  assert.equal(only(evs, 'connection_reset').length, 0);
  assert.equal(summary(final(evs, 40000)), 'Sr REJ TCP_SYN_SENT/TCP_RESET');
});

test('connection_reset (a): the originator resets its own SYN → SR, RSTOS0', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S').send('o', 'R');
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE), [
    '1 new_connection', '1 connection_SYN_packet', '2 connection_reset', '2 connection_EOF(T)',
    // connection_reset made it inactive: no connection_pending at end of input.
    '2 connection_state_remove',
  ]);
  assert.equal(summary(final(evs)), 'SR RSTOS0 TCP_RESET/TCP_INACTIVE');
});

test('connection_reset (b): an established side resets; once, for the first RST; both reset → RSTR', { skip }, async () => {
  const cap = new Capture();
  const f = cap.flow().handshake().send('o', 'PA', { data: 'x' });
  f.send('o', 'RA').send('r', 'RA');
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE).slice(5), ['5 connection_reset', '5 connection_EOF(T)', '6 connection_EOF(F)', '6 connection_state_remove']);
  assert.equal(only(evs, 'connection_reset').length, 1);
  const reset = one(evs, 'connection_reset').c;
  assert.deepEqual([state(reset.orig.state), state(reset.resp.state)], ['TCP_RESET', 'TCP_ESTABLISHED']);
  // conn_state checks the responder's RESET first (TA §15 row 4).
  assert.equal(summary(final(evs)), 'ShADRr RSTR TCP_RESET/TCP_RESET');
});

/**
 * Established, the originator closes, then resets from CLOSED (the reset-timer path, TA §8.4). The close comes
 * 10 s in, so that the creation-time expire check (due at 5 s, re-armed every 6 s) is not due before the reset timer.
 */
function finThenRst(): Capture {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'abc' }).send('r', 'A').send('o', 'FA', { dt: 10 }).send('o', 'RA');
  return cap;
}

test('connection_reset (c): reset timer after a RST from a CLOSED side (subscribed), 5 s later', { skip }, async () => {
  const cap = finThenRst();
  const rst = cap.now;
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { at: rst + 5.5 });
  const evs = await run(cap);
  // Nothing at the RST itself: the timer reports it.
  assert.deepEqual(atFrame(evs, 7, NOISE), []);
  assert.deepEqual(atFrame(evs, 8, NOISE).slice(0, 2), ['connection_reset', 'connection_state_remove']);
  const reset = one(evs, 'connection_reset');
  assert.equal(usec(reset.ts), usec(rst + 5.5));
  assert.equal(summary(reset.c), 'ShADaFR RSTO TCP_RESET/TCP_ESTABLISHED');
});

test('connection_reset (c): the reset timer also acts at end of input', { skip }, async () => {
  const evs = await run(finThenRst());
  assert.deepEqual(trace(evs, NOISE).slice(-3), ['6 connection_EOF(T)', '7 connection_reset', '7 connection_state_remove']);
});

test('without a connection_reset subscriber there is no reset timer (TA §17): pending at end', { skip }, async () => {
  const evs = await run(finThenRst(), { subscribe: ['connection_pending', 'connection_state_remove'] });
  assert.deepEqual(evs.map((e) => e.name), ['connection_pending', 'connection_state_remove']);
  assert.equal(summary(final(evs)), 'ShADaFR RSTO TCP_RESET/TCP_ESTABLISHED');
});

test('connection_half_finished: SYN, ACK, data, FIN with the responder never seen → SADF, SH', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S').send('o', 'A').send('o', 'PA', { data: 'abc' }).send('o', 'FA');
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE), [
    '1 new_connection', '1 connection_SYN_packet',
    '2 connection_first_ACK', '2 conn_weird:possible_split_routing',
    '3 conn_weird:data_before_established',
    '4 conn_weird:inappropriate_FIN', '4 connection_EOF(T)', '4 connection_half_finished',
    '4 connection_state_remove',
  ]);
  const c = final(evs);
  assert.equal(summary(c), 'SADF SH TCP_CLOSED/TCP_INACTIVE');
  assert.equal(c.resp.size, 0);
});

test('connection_pending: open at end of input; connection_state_remove follows it', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'GET' });
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE).slice(-2), ['4 connection_pending', '4 connection_state_remove']);
  assert.equal(summary(one(evs, 'connection_pending').c), 'ShAD S1 TCP_ESTABLISHED/TCP_ESTABLISHED');
});

test('partial_connection: both sides seen without a SYN; data-only close → DaFfA, SF', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'PA', { data: 'abc' }).send('r', 'A').send('o', 'FA').send('r', 'FA').send('o', 'A');
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE), [
    '1 new_connection', '2 partial_connection', '3 connection_EOF(T)',
    '4 connection_EOF(F)', '4 connection_finished', '5 connection_state_remove',
  ]);
  const p = one(evs, 'partial_connection').c;
  assert.deepEqual([state(p.orig.state), state(p.resp.state)], ['TCP_PARTIAL', 'TCP_PARTIAL']);
  assert.equal(summary(final(evs)), 'DaFfA SF TCP_CLOSED/TCP_CLOSED');
});

/** A partial originator's data, then the responder's first packet is a FIN (TA §11.1 step 5). */
function firstPacketFin(): Capture {
  const cap = new Capture();
  cap.flow().send('o', 'PA', { data: 'abc' }).send('r', 'FA');
  return cap;
}

test('connection_partial_close: 3 s after a close that was the first packet of its side (subscribed)', { skip }, async () => {
  const cap = firstPacketFin();
  const fin = cap.now;
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { at: fin + 3.5 });
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE).slice(0, 5), [
    '1 new_connection', '2 connection_EOF(F)', '3 connection_partial_close', '3 connection_state_remove', '3 new_connection',
  ]);
  assert.equal(summary(one(evs, 'connection_partial_close').c), 'Df SHR TCP_PARTIAL/TCP_CLOSED');
});

test('connection_partial_close needs a subscriber (TA §17): otherwise pending at end of input', { skip }, async () => {
  const cap = firstPacketFin();
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { dt: 3.5 });
  const evs = await run(cap, { subscribe: ['connection_pending', 'connection_state_remove'] });
  assert.deepEqual(evs.map((e) => `${e.name} ${'c' in e ? e.c.id.orig_p : ''}`), [
    // End of input: the SYN's attempt timer first (TA §16.5 step 1), then the open connection.
    'connection_state_remove 41000', 'connection_pending 40000', 'connection_state_remove 40000',
  ]);
});

test('connection_timeout: inactivity (tcp_inactivity_timeout_s) of an established connection', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'x' });
  const idle = cap.now;
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { at: idle + 300.5 });
  const evs = await run(cap);
  const t = only(evs, 'connection_timeout');
  assert.equal(t.length, 1);
  assert.equal(t[0].frame, 5);
  assert.equal(summary(t[0].c), 'ShAD S1 TCP_ESTABLISHED/TCP_ESTABLISHED');
  assert.deepEqual(atFrame(evs, 5, NOISE).slice(0, 2), ['connection_timeout', 'connection_state_remove']);
});

test('connection_timeout: not before the inactivity timeout (tcp_inactivity_timeout_s = 20)', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'x' });
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { dt: 19.5 }).send('o', 'S', { dt: 1, seq: 1000 });
  const evs = await run(cap, { tcp_inactivity_timeout_s: 20 });
  const t = one(evs, 'connection_timeout');
  assert.equal(t.frame, 6);
  assert.equal(t.c.id.orig_p, 40000);
});

test('connection_timeout: a connection still in its handshake gets the 60 s initial inactivity timeout (TA §21)', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S');
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'S', { dt: 59.5 }).send('o', 'S', { dt: 1, seq: 1000 });
  const evs = await run(cap, { tcp_attempt_delay_s: 0 });
  const t = one(evs, 'connection_timeout');
  assert.equal(t.frame, 3);
  assert.equal(summary(t.c), 'S S0 TCP_SYN_SENT/TCP_INACTIVE');
  assert.equal(only(evs, 'connection_attempt').length, 0);
});

test('connection_reused: a new SYN within the linger time after a complete close (premature_connection_reuse)', { skip }, async () => {
  const cap = normal();
  cap.flow('10.0.0.1:40000', '10.0.0.2:80', 9000).send('o', 'S', { dt: 1 });
  const evs = await run(cap);
  assert.deepEqual(atFrame(evs, 9, ['tcp_packet']), [
    'conn_weird:premature_connection_reuse', 'connection_reused', 'connection_state_remove',
    'new_connection_contents', 'new_connection', 'connection_SYN_packet',
    'connection_attempt', 'connection_state_remove',
  ]);
  const [reused, removed] = [one(evs, 'connection_reused'), only(evs, 'connection_state_remove')];
  assert.equal(reused.c.history, 'ShADdFf');
  assert.equal(removed.length, 2);
  assert.notEqual(removed[0].c.uid, removed[1].c.uid);
  assert.equal(summary(removed[1].c), 'S S0 TCP_SYN_SENT/TCP_INACTIVE');
  // The old connection ends by reuse: no connection_timeout, no connection_pending.
  assert.equal(only(evs, 'connection_timeout').length, 0);
  assert.equal(only(evs, 'connection_pending').length, 0);
});

test('connection_reused: a client retrying with a new ISN while SYN_SENT (SYN_seq_jump)', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S');
  cap.flow('10.0.0.1:40000', '10.0.0.2:80', 2000).send('o', 'S', { dt: 1 });
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE), [
    '1 new_connection', '1 connection_SYN_packet',
    '2 conn_weird:SYN_seq_jump', '2 connection_reused', '2 connection_state_remove', '2 new_connection', '2 connection_SYN_packet',
    '2 connection_attempt', '2 connection_state_remove',
  ]);
  assert.equal(one(evs, 'conn_weird').source, 'TCP');
});

test('connection_status_update: every interval of network time (connection_status_update_interval_s)', { skip }, async () => {
  const cap = new Capture();
  const f = cap.flow();
  f.send('o', 'S').send('r', 'SA', { dt: 0 }).send('o', 'A', { dt: 0.5 });
  f.send('o', 'PA', { data: 'a', dt: 1 }).send('o', 'PA', { data: 'b', dt: 0.5 }).send('o', 'PA', { data: 'c', dt: 1 });
  const evs = await run(cap, { connection_status_update_interval_s: 1 });
  const ups = only(evs, 'connection_status_update');
  // Due at T0 + 1 (fires at the packet of T0 + 1.5), re-armed at network time + 1 = T0 + 2.5 (fires at T0 + 3).
  assert.deepEqual(ups.map((e) => [e.frame, usec(e.ts)]), [[4, usec(T0 + 1.5)], [6, usec(T0 + 3)]]);
  assert.deepEqual(atFrame(evs, 4, NOISE), ['connection_status_update']);
});

test('connection_status_update is off by default', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'a', dt: 10 });
  assert.equal(only(await run(cap), 'connection_status_update').length, 0);
});

test('new_connection_contents comes before new_connection, and not without reassembly (dpd_reassemble_first_packets off)', { skip }, async () => {
  const on = await run(normal());
  assert.deepEqual(on.slice(0, 2).map((e) => e.name), ['new_connection_contents', 'new_connection']);
  const off = await run(normal(), { dpd_reassemble_first_packets: false });
  assert.equal(only(off, 'new_connection_contents').length, 0);
  assert.equal(only(off, 'new_connection').length, 1);
});
