/**
 * Resource limits under hostile traffic: a SYN flood, a huge reassembly backlog above a hole, and input fed one
 * byte at a time. Time and memory stay bounded, and results do not depend on how the input is chunked.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CASES, MiB, analyze, describe, pcap, pcapRecord, tcpFrame, type Rec, type RunResult } from './fixtures.ts';

const T0 = 1_000_000_000;

function assertBounded(r: RunResult, memory: number): void {
  assert.ok(r.status === 'Done' || r.status === 'Error', describe(r));
  assert.ok(r.memoryBytes <= memory, `memory ${(r.memoryBytes / MiB).toFixed(1)} MiB > ${memory / MiB} MiB: ${describe(r)}`);
}

test('SYN flood of 200k distinct connections', { timeout: 120_000 }, async () => {
  const N = 200_000;
  const recs: Rec[] = [];
  for (let i = 0; i < N; i++) {
    const src = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    recs.push({ ts: T0 + i * 1e-4, data: tcpFrame({ src, dst: '192.0.2.1', sport: 1024 + (i % 50_000), dport: 80, seq: i * 7919, flags: 'S' }) });
  }
  // Later traffic on one connection moves network time on, so the flood's timers come due.
  const keep = (seq: number, flags: string): Uint8Array =>
    tcpFrame({ src: '192.0.2.9', dst: '192.0.2.1', sport: 5555, dport: 22, seq, ack: flags === 'A' ? 1 : 0, flags });
  recs.push({ ts: T0 + 100, data: keep(1, 'S') });
  for (let i = 0; i < 2000; i++) recs.push({ ts: T0 + 100.5 + i * 0.25, data: keep(2, 'A') });
  const r = await analyze(pcap(recs), { timeLimitMs: 60_000, memoryLimit: 256 * MiB });
  assertBounded(r, 256 * MiB);
  assert.equal(r.status, 'Done', describe(r));
  // (the long-lived connection may be expired and recreated by Zeek's timers: ≥ N + 1)
  assert.ok(r.stats.connections >= N + 1, describe(r));
  console.log(`SYN flood: ${describe(r)}; peak ${r.stats.peak_connections} open, ${r.openBeforeFinish} before finish`);
  assert.ok(r.stats.peak_connections >= 50_000, `open connections rose to ${r.stats.peak_connections}`);
  assert.ok(r.stats.peak_connections <= 150_000, `SYN-only connections expire after ~5-11 s: peak ${r.stats.peak_connections}`);
  assert.ok(r.openBeforeFinish <= 10, `timers removed the flood: ${r.openBeforeFinish} still open before finish (max ${r.maxOpen})`);
  assert.equal(r.stats.open_connections, 0);
  assert.equal(r.events.connection_state_remove, r.stats.connections, describe(r));
});

test('200k SYNs in one burst: all open at once, memory bounded', { timeout: 120_000 }, async () => {
  const N = 200_000;
  const recs: Rec[] = [];
  for (let i = 0; i < N; i++) {
    const src = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    recs.push({ ts: T0 + i * 1e-6, data: tcpFrame({ src, dst: '192.0.2.1', sport: 1024 + (i % 50_000), dport: 443, seq: i, flags: 'S' }) });
  }
  const r = await analyze(pcap(recs), { timeLimitMs: 60_000, memoryLimit: 1024 * MiB });
  assert.equal(r.status, 'Done', describe(r));
  assert.equal(r.maxOpen, N, describe(r));
  const perConn = r.memoryBytes / N;
  console.log(`SYN burst: ${describe(r)}; ${(perConn / 1024).toFixed(2)} KiB of wasm memory per open connection`);
  assert.ok(perConn <= 2048, `${perConn.toFixed(0)} bytes per SYN-only connection`);
});

/** A handshake (client ISN 1000, server ISN 5000), then `segments` client segments of `size` bytes above a hole. */
function holeCapture(segments: number, size: number, o: { order: 'ascending' | 'descending'; ackFirst: boolean }): Uint8Array {
  // (object spread in this hot loop makes building ~5× slower, hence the two small helpers)
  const cli = (seq: number, flags: string, payload = 0): Uint8Array =>
    tcpFrame({ src: '10.1.0.1', dst: '10.2.0.1', sport: 40000, dport: 80, seq, ack: 5001, flags, payload });
  const srv = (seq: number, ack: number, flags: string): Uint8Array =>
    tcpFrame({ src: '10.2.0.1', dst: '10.1.0.1', sport: 80, dport: 40000, seq, ack, flags });
  const recs: Rec[] = [];
  let ts = T0;
  const add = (data: Uint8Array): void => { recs.push({ ts, data }); ts += 1e-5; };
  add(tcpFrame({ src: '10.1.0.1', dst: '10.2.0.1', sport: 40000, dport: 80, seq: 1000, flags: 'S' }));
  add(srv(5000, 1001, 'SA'));
  add(cli(1001, 'A'));
  let base = 1001;
  if (o.ackFirst) {
    add(cli(base, 'PA', 100));
    add(srv(5001, base + 100, 'A'));
    base += 100;
  }
  const hole = 1000;
  for (let k = 0; k < segments; k++) {
    const i = o.order === 'ascending' ? k : segments - 1 - k;
    add(cli(base + hole + i * size, 'A', size));
    // The server keeps acknowledging only what it saw in order.
    if (o.ackFirst && k % 64 === 0) add(srv(5001, base, 'A'));
  }
  return pcap(recs);
}

test('100k out-of-order segments above a hole, nothing acknowledged', { timeout: 120_000 }, async () => {
  const r = await analyze(holeCapture(100_000, 100, { order: 'descending', ackFirst: false }), { timeLimitMs: 20_000 });
  assertBounded(r, 128 * MiB);
  assert.equal(r.status, 'Done', describe(r));
  assert.ok(r.weirds.above_hole_data_without_any_acks > 0, describe(r));
  assert.ok(r.maxBuffered <= 64 * 1024, `buffered up to ${r.maxBuffered} bytes`);
});

test('100k out-of-order segments above a hole, 12 MB without further ACKs', { timeout: 120_000 }, async () => {
  const r = await analyze(holeCapture(100_000, 120, { order: 'descending', ackFirst: true }), { timeLimitMs: 20_000 });
  assertBounded(r, 128 * MiB);
  assert.equal(r.status, 'Done', describe(r));
  assert.ok(r.weirds.excessive_data_without_further_acks > 0, describe(r));
  assert.ok(r.maxBuffered <= 10_485_760 + 64 * 1024, `buffered up to ${r.maxBuffered} bytes`);
});

test('100k in-order segments above a hole, 12 MB without further ACKs', { timeout: 120_000 }, async () => {
  const r = await analyze(holeCapture(100_000, 120, { order: 'ascending', ackFirst: true }), { timeLimitMs: 20_000 });
  assertBounded(r, 128 * MiB);
  assert.ok(r.weirds.excessive_data_without_further_acks > 0, describe(r));
});

// ---- chunking ----

const REAL = [
  `${CASES}/tcp-options/options.pcap`,
  `${CASES}/http-concurrent-ranges/concurrent-range-requests.pcap`,
  `${CASES}/inactivity-timeout-split/retransmit-timeout.pcapng`,
  `${CASES}/ssh-basic/ssh.pcap`,
];

for (const file of REAL) {
  const name = file.replace(/.*\//, '');
  test(`1-byte chunks give the same events as whole-file feeding: ${name}`, { timeout: 120_000 }, async () => {
    const bytes = readFileSync(file).subarray(0, 200_000);
    const whole = await analyze(bytes, { events: 'all', hash: true });
    const bytewise = await analyze(bytes, { events: 'all', hash: true, chunk: 1, timeLimitMs: 60_000 });
    assert.ok(whole.records > 0, describe(whole));
    for (const r of [whole, bytewise]) assert.ok(r.status === 'Done' || r.status === 'Error', describe(r));
    assert.equal(bytewise.status, whole.status);
    assert.equal(bytewise.errorCode, whole.errorCode);
    assert.equal(bytewise.errorOffset, whole.errorOffset);
    assert.deepEqual(bytewise.events, whole.events);
    assert.deepEqual(bytewise.stats, whole.stats);
    assert.equal(bytewise.hash, whole.hash, 'ring records differ byte for byte');
  });
}

test('odd chunk sizes and a truncated tail give the same error offset', async () => {
  const frames = Array.from({ length: 50 }, (_, i) => tcpFrame({ seq: i * 100, flags: 'A', payload: i * 13 }));
  const file = pcap(frames);
  const cut = file.subarray(0, file.length - 7);
  const want = await analyze(cut);
  assert.equal(want.errorName, 'TruncatedRecord', describe(want));
  for (const chunk of [1, 2, 3, 15, 16, 17, 4095]) {
    const r = await analyze(cut, { chunk });
    assert.equal(r.errorOffset, want.errorOffset, `chunk ${chunk}: ${describe(r)}`);
    assert.equal(r.stats.packets, 49);
  }
  const tail = pcapRecord({ ts: T0, data: frames[0] });
  assert.equal(want.errorOffset, file.length - tail.length - (frames[49].length - frames[0].length));
});
