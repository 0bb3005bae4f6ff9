/** content_gap and rexmit_inconsistency (TA §13.4, §13.5) on scripted streams. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capture, NOISE, final, one, only, run, skip, summary, trace } from './support.ts';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

test('content_gap: an ACK covering bytes never seen reports the hole, then delivers what was held above it', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake()
    .send('o', 'PA', { data: 'hello' })
    .send('o', 'PA', { data: 'world', seq: 1016 }) // bytes 6..15 never sent
    .send('r', 'A', { ack: 1021 });
  const evs = await run(cap, { tcp_content_deliver_all_orig: true });
  assert.deepEqual(trace(evs, NOISE).slice(5), [
    '4 tcp_contents(T,1,5)',
    // The responder's ACK (packet 6): the gap, then the held block, interleaved as delivered.
    '6 content_gap(T,6,10)', '6 tcp_contents(T,16,5)',
    '6 connection_pending', '6 connection_state_remove',
  ]);
  const gap = one(evs, 'content_gap');
  assert.equal(gap.c.history, 'ShADaG');
  assert.equal(gap.c.missed_bytes, 10);
  const c = final(evs);
  assert.equal(summary(c), 'ShADaG S1 TCP_ESTABLISHED/TCP_ESTABLISHED');
  assert.equal(c.orig.size, 20);
});

test('content_gap on a partial connection only with report_gaps_for_partial, and no G letter', { skip }, async () => {
  const cap = new Capture();
  cap.flow()
    .send('o', 'PA', { data: 'hello' }).send('r', 'A', { ack: 1005 })
    .send('o', 'PA', { data: 'world', seq: 1015 }).send('r', 'A', { ack: 1020 });
  const off = await run(cap);
  assert.equal(only(off, 'content_gap').length, 0);
  assert.equal(final(off).missed_bytes, 0);
  const on = await run(cap, { report_gaps_for_partial: true });
  assert.deepEqual(only(on, 'content_gap').map((e) => [e.frame, e.is_orig, e.seq, e.length]), [[4, true, 6, 10]]);
  assert.equal(summary(final(on)), 'Da OTH TCP_PARTIAL/TCP_PARTIAL');
  assert.equal(final(on).missed_bytes, 10);
});

test('content_gap: a gap revealed by the ACK of a RST is not reported (TA §13.5)', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'hello' }).send('r', 'RA', { ack: 1021 });
  const evs = await run(cap);
  assert.equal(only(evs, 'content_gap').length, 0);
  assert.equal(final(evs).history, 'ShADr');
});

test('rexmit_inconsistency: a retransmission with different bytes than the held copy', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'hello' }).send('o', 'PA', { data: 'HELLO', seq: 1001 });
  const evs = await run(cap, { tcp_content_deliver_all_orig: true });
  const r = one(evs, 'rexmit_inconsistency');
  assert.deepEqual([r.frame, text(r.t1), text(r.t2), r.tcp_flags], [5, 'hello', 'HELLO', 'AP']);
  // The first copy wins: only it is delivered.
  assert.deepEqual(only(evs, 'tcp_contents').map((e) => text(e.contents)), ['hello']);
  assert.equal(final(evs).history, 'ShADT');
});

test('rexmit_inconsistency: acknowledged data is compared only with tcp_max_old_segments', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake()
    .send('o', 'PA', { data: 'hello' })
    .send('r', 'A')
    .send('o', 'PA', { data: 'jello', seq: 1001 });
  assert.equal(only(await run(cap), 'rexmit_inconsistency').length, 0);
  const kept = await run(cap, { tcp_max_old_segments: 10 });
  const r = one(kept, 'rexmit_inconsistency');
  assert.deepEqual([r.frame, text(r.t1), text(r.t2)], [6, 'hello', 'jello']);
});

test('an identical retransmission is a T, not an inconsistency', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'hello' }).send('o', 'PA', { data: 'hello', seq: 1001 });
  const evs = await run(cap);
  assert.equal(only(evs, 'rexmit_inconsistency').length, 0);
  assert.equal(final(evs).history, 'ShADT');
});
