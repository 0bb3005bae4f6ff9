/**
 * Packet-level events on scripted packets: connection_SYN_packet with the whole SYN_packet record (events.md §2.4),
 * tcp_packet's arguments, tcp_option / tcp_options for every option form (§2.5) and the option-length weirds,
 * tcp_contents, and the TCPSTATS events tcp_rexmit and conn_stats (TA §12.2).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capture, atFrame, final, one, only, run, skip, trace } from './support.ts';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** MSS 1460, SACK permitted, timestamps (TSval 12345, TSecr 0), NOP, window scale 7. */
const SYN_OPTIONS = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0, 1, 3, 3, 7];

test('connection_SYN_packet: the full SYN_packet record, TSval/TSecr included', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S', { options: SYN_OPTIONS, win: 29200 }).send('r', 'SA', { options: [2, 4, 0x05, 0x78], ttl: 50 });
  const evs = await run(cap);
  const [syn, synAck] = only(evs, 'connection_SYN_packet');
  assert.deepEqual({ ...syn.pkt }, {
    is_orig: true, DF: true, ttl: 64, size: 60, win_size: 29200, win_scale: 7, MSS: 1460, SACK_OK: true, TSval: 12345, TSecr: 0,
  });
  // No window scale option → -1; no timestamps → TSval/TSecr unset.
  assert.deepEqual(JSON.parse(JSON.stringify(synAck.pkt)), {
    is_orig: false, DF: true, ttl: 50, size: 44, win_size: 65535, win_scale: -1, MSS: 1400, SACK_OK: false,
  });
  // After the history letter and before the state machine: the SYN-ACK's order is SYN_packet, established, tcp_packet.
  assert.deepEqual(atFrame(evs, 2, ['tcp_option', 'tcp_options']), [
    'connection_SYN_packet', 'connection_established', 'tcp_packet(F,SA)',
    // End of input, stamped with the last packet.
    'connection_pending', 'connection_state_remove',
  ]);
});

test('connection_SYN_packet over IPv6: DF false, hop limit as ttl, size = payload length + 40', { skip }, async () => {
  const cap = new Capture();
  cap.flow('[2001:db8::1]:40000', '[2001:db8::2]:80').send('o', 'S', { ttl: 33 });
  const evs = await run(cap);
  const syn = one(evs, 'connection_SYN_packet');
  assert.deepEqual({ ...syn.pkt }, { is_orig: true, DF: false, ttl: 33, size: 60, win_size: 65535, win_scale: -1, MSS: 0, SACK_OK: false, TSval: undefined, TSecr: undefined });
  assert.equal(syn.c.id.orig_h, '2001:db8::1');
  assert.equal(syn.c.id.resp_h, '2001:db8::2');
});

test('connection_SYN_packet also for a retransmitted SYN and a SYN+FIN', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S').send('o', 'S', { seq: 1000 });
  cap.flow('10.0.0.3:41000', '10.0.0.4:80').send('o', 'SF');
  const evs = await run(cap);
  assert.deepEqual(only(evs, 'connection_SYN_packet').map((e) => e.frame), [1, 2, 3]);
  assert.equal(final(evs, 41000).history, 'Q');
});

test('tcp_packet: arrival direction, flags in S F R A P U order, relative seq/ack, declared length, payload', { skip }, async () => {
  const cap = new Capture();
  cap.flow('10.0.0.1:40000', '10.0.0.2:80', 4294967293).handshake()
    .send('o', 'PAU', { data: 'hello' })
    .send('r', 'PA', { data: 'hi' })
    .send('o', 'FA');
  const evs = await run(cap);
  const pkts = only(evs, 'tcp_packet').map((e) => [e.is_orig, e.flags, e.seq, e.ack, e.len, text(e.payload)]);
  assert.deepEqual(pkts, [
    [true, 'S', 0, 0, 0, ''],
    [false, 'SA', 0, 1, 0, ''],
    [true, 'A', 1, 1, 0, ''],
    // The originator's sequence numbers wrap past 2^32 here; relative numbers do not.
    [true, 'APU', 1, 1, 5, 'hello'],
    [false, 'AP', 1, 6, 2, 'hi'],
    [true, 'FA', 6, 3, 0, ''],
  ]);
});

test('tcp_packet: payload is what was captured, len what was declared (snap length)', { skip }, async () => {
  const cap = new Capture();
  const f = cap.flow().handshake();
  f.send('o', 'PA', { data: 'abcdefghij', capLen: 14 + 20 + 20 + 4 });
  const evs = await run(cap);
  const p = only(evs, 'tcp_packet')[3];
  assert.equal(p.len, 10);
  assert.equal(text(p.payload), 'abcd');
  assert.deepEqual(atFrame(evs, 4, ['tcp_packet']), ['conn_weird:truncated_tcp_payload', 'connection_pending', 'connection_state_remove']);
});

test('tcp_option and tcp_options: MSS, SACK permitted, timestamps, NOP, window scale, in header order', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S', { options: SYN_OPTIONS });
  const evs = await run(cap);
  assert.deepEqual(only(evs, 'tcp_option').map((e) => [e.is_orig, e.opt, e.optlen]), [
    [true, 2, 4], [true, 4, 2], [true, 8, 10], [true, 1, 1], [true, 3, 3],
  ]);
  assert.deepEqual(one(evs, 'tcp_options').options, [
    { kind: 2, length: 4, mss: 1460 },
    { kind: 4, length: 2 },
    { kind: 8, length: 10, send_timestamp: 12345, echo_timestamp: 0 },
    { kind: 1, length: 1 },
    { kind: 3, length: 3, window_scale: 7 },
  ]);
  // After tcp_packet, the tcp_option events first, then tcp_options.
  assert.deepEqual(atFrame(evs, 1, ['new_connection_contents', 'new_connection', 'connection_SYN_packet']), [
    'tcp_packet(T,S)', 'tcp_option(2)', 'tcp_option(4)', 'tcp_option(8)', 'tcp_option(1)', 'tcp_option(3)', 'tcp_options',
    'connection_attempt', 'connection_state_remove',
  ]);
});

test('tcp_options: SACK blocks, an unknown kind as data, Quick-Start, EOL; an invalid length gives data and a weird', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'A', {
    options: [
      1, 1, 5, 18, 0, 0, 0x13, 0x89, 0, 0, 0x13, 0x8d, 0, 0, 0x13, 0x91, 0, 0, 0x13, 0x95, // NOP NOP SACK ×2
      30, 4, 0xab, 0xcd, // unknown kind 30
      2, 3, 1, // MSS with length 3
      27, 8, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, // Quick-Start response
      0, // EOL: parsing stops after it
      3, 3, 9,
    ],
  });
  const evs = await run(cap);
  const opts = one(evs, 'tcp_options').options;
  assert.deepEqual(opts, [
    { kind: 1, length: 1 },
    { kind: 1, length: 1 },
    { kind: 5, length: 18, sack: [5001, 5005, 5009, 5013] },
    { kind: 30, length: 4, data: new Uint8Array([0xab, 0xcd]) },
    { kind: 2, length: 3, data: new Uint8Array([1]) },
    { kind: 27, length: 8, rate: 1, ttl_diff: 2, qs_nonce: 0x03040506 },
    { kind: 0, length: 1 },
  ]);
  assert.deepEqual(only(evs, 'tcp_option').filter((e) => e.frame === 4).map((e) => [e.opt, e.optlen]), [
    [1, 1], [1, 1], [5, 18], [30, 4], [2, 3], [27, 8], [0, 1],
  ]);
  const w = one(evs, 'conn_weird');
  assert.deepEqual([w.weird_name, w.addl, w.source, w.frame], ['tcp_option_mss_invalid_len', '3', 'TCP', 4]);
});

test('tcp_options: the option-length weirds exist only with a tcp_options subscriber (TA §17)', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'A', { options: [8, 6, 0, 0, 0, 1, 4, 3, 0, 0] });
  const all = await run(cap);
  assert.deepEqual(only(all, 'conn_weird').map((e) => [e.weird_name, e.addl]), [
    ['tcp_option_timestamps_invalid_len', '6'], ['tcp_option_sack_invalid_len', '3'],
  ]);
  const without = await run(cap, { subscribe: ['conn_weird', 'tcp_option'] });
  assert.equal(only(without, 'conn_weird').length, 0);
  assert.equal(only(without, 'tcp_option').length, 3);
});

test('no options: no tcp_option, no tcp_options', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake();
  const evs = await run(cap);
  assert.equal(only(evs, 'tcp_option').length + only(evs, 'tcp_options').length, 0);
});

test('tcp_contents: in-order stream bytes per side with relative positions (tcp_content_deliver_all_*)', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake()
    .send('o', 'PA', { data: 'GET / ' })
    .send('o', 'PA', { data: 'HTTP/1.0\r\n' })
    .send('r', 'PA', { data: 'HTTP/1.0 200 OK\r\n' });
  const deliver = { tcp_content_deliver_all_orig: true, tcp_content_deliver_all_resp: true };
  const evs = await run(cap, deliver);
  assert.deepEqual(only(evs, 'tcp_contents').map((e) => [e.frame, e.is_orig, e.seq, text(e.contents)]), [
    [4, true, 1, 'GET / '],
    [5, true, 7, 'HTTP/1.0\r\n'],
    [6, false, 1, 'HTTP/1.0 200 OK\r\n'],
  ]);
  assert.deepEqual(atFrame(evs, 4), ['tcp_packet(T,AP)', 'tcp_contents(T,1,6)']);
  // Off by default, and per side.
  assert.equal(only(await run(cap), 'tcp_contents').length, 0);
  assert.deepEqual(only(await run(cap, { tcp_content_deliver_all_resp: true }), 'tcp_contents').map((e) => e.is_orig), [false]);
});

test('tcp_contents: data held above a hole is delivered once the hole is filled', { skip }, async () => {
  const cap = new Capture();
  const f = cap.flow().handshake();
  f.send('o', 'PA', { data: 'world', seq: 1006 }).send('o', 'PA', { data: 'hello', seq: 1001 });
  const evs = await run(cap, { tcp_content_deliver_all_orig: true });
  assert.deepEqual(only(evs, 'tcp_contents').map((e) => [e.frame, e.seq, text(e.contents)]), [[5, 1, 'hello'], [5, 6, 'world']]);
});

test('tcp_rexmit and conn_stats (tcpstats_enabled): seq, len, data in flight, the peer\'s window; counters at removal', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake()
    .send('r', 'A', { win: 4321 })
    .send('o', 'PA', { data: 'hello' })
    .send('o', 'PA', { data: 'hello', seq: 1001 })
    .send('r', 'PA', { data: 'world' })
    .send('o', 'FA')
    .send('r', 'FA');
  const evs = await run(cap, { tcpstats_enabled: true });
  const rx = only(evs, 'tcp_rexmit').map((e) => [e.frame, e.is_orig, e.seq, e.len, e.data_in_flight, e.window]);
  assert.deepEqual(rx, [
    [6, true, 1, 5, 5, 4321],
    // Segments that do not advance count too, pure FINs included (len 0).
    [8, true, 6, 0, 1, 65535],
    [9, false, 6, 0, 1, 65535],
  ]);
  // At the end of the packet's events (TA §7 step 21).
  assert.deepEqual(atFrame(evs, 6), ['tcp_packet(T,AP)', 'tcp_rexmit']);
  const stats = one(evs, 'conn_stats');
  assert.deepEqual({ ...stats.os }, { num_pkts: 5, num_rxmit: 2, num_rxmit_bytes: 5, num_in_order: 4, num_OO: 0, num_repl: 0, endian_type: 2 });
  assert.deepEqual({ ...stats.rs }, { num_pkts: 4, num_rxmit: 1, num_rxmit_bytes: 0, num_in_order: 3, num_OO: 0, num_repl: 0, endian_type: 2 });
  assert.deepEqual(trace(evs).slice(-2), ['9 conn_stats', '9 connection_state_remove']);
  // Off by default.
  const plain = await run(cap);
  assert.equal(only(plain, 'tcp_rexmit').length + only(plain, 'conn_stats').length, 0);
});
