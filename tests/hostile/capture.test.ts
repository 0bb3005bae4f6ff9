/**
 * Hostile capture files: each must end in a capture error naming the right byte offset (or a clean Done), never
 * a trap, within time and memory bounds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ERR, PCAP_HEADER, PCAP_RECORD, analyze, block, concat, describe, epb, idb, pcap, pcapRecord, shb, tcpFrame,
  type CaptureErrorName, type RunResult,
} from './fixtures.ts';

const frame = tcpFrame({ flags: 'S' });
const good = pcap([frame]);
const afterOne = PCAP_HEADER + PCAP_RECORD + frame.length;

function expectError(r: RunResult, name: CaptureErrorName, offset: number, value?: number): void {
  assert.equal(r.status, 'Error', describe(r));
  assert.equal(r.errorCode, ERR[name], `expected ${name}, got ${describe(r)}`);
  assert.equal(r.errorOffset, offset, `offset of ${name}: ${describe(r)}`);
  if (value !== undefined) assert.equal(r.errorValue, value, `value of ${name}: ${describe(r)}`);
}

test('zero-length file: truncated file header at 0', async () => {
  expectError(await analyze(new Uint8Array(0)), 'TruncatedFileHeader', 0);
});

test('truncated pcap file header', async () => {
  expectError(await analyze(good.subarray(0, 10)), 'TruncatedFileHeader', 0);
  expectError(await analyze(good.subarray(0, 3)), 'TruncatedFileHeader', 0);
});

test('not a capture', async () => {
  expectError(await analyze(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n')), 'NotACapture', 0);
});

test('unsupported pcap version', async () => {
  expectError(await analyze(pcap([frame], { major: 3 })), 'UnsupportedVersion', 0);
});

test('truncated record header after a good record', async () => {
  expectError(await analyze(concat(good, new Uint8Array(8))), 'TruncatedRecordHeader', afterOne);
});

test('truncated record', async () => {
  const r = await analyze(concat(good, pcapRecord({ ts: 1e9, data: frame }).subarray(0, PCAP_RECORD + 20)));
  expectError(r, 'TruncatedRecord', afterOne);
  assert.equal(r.stats.packets, 1, 'the good record before it was read');
});

test('absurd caplen 0xffffffff: RecordTooLarge at that record', async () => {
  const bad = pcapRecord({ ts: 1e9, data: frame, capLen: 0xffffffff });
  expectError(await analyze(concat(good, bad, good.subarray(PCAP_HEADER))), 'RecordTooLarge', afterOne, 0xffffffff);
});

test('caplen above snaplen', async () => {
  // Up to 262144 is tolerated, as libpcap does for tcpdump's files.
  const tolerated = await analyze(pcap([frame], { snaplen: 40 }));
  assert.equal(tolerated.status, 'Done', describe(tolerated));
  const big = new Uint8Array(300_000);
  big.set(frame);
  const rec = pcapRecord({ ts: 1e9, data: big });
  const file = concat(pcap([frame], { snaplen: 1000 }), rec);
  expectError(await analyze(file), 'CapLenAboveSnapLen', afterOne, 300_000);
});

test('caplen above snaplen (but sane) is cut to snaplen, as libpcap does', async () => {
  // libpcap sf-pcap.c: "read up to the snapshot length, discard the rest of the packet, and report the
  // snapshot length as the captured length". A 40-byte SYN has only 6 TCP bytes left: no connection.
  const r = await analyze(pcap([frame], { snaplen: 40 }));
  assert.equal(r.status, 'Done', describe(r));
  assert.equal(r.stats.connections, 0, `the packet must be seen cut to 40 bytes: ${describe(r)}`);
  assert.ok(r.stats.weirds > 0, describe(r));
});

test('a record larger than the input buffer is refused, not buffered', async () => {
  const r = await analyze(concat(good, pcapRecord({ ts: 1e9, data: new Uint8Array(4 << 20) })), { options: {} });
  expectError(r, 'RecordTooLarge', afterOne, 4 << 20);
});

// ---- pcapng ----

const head = concat(shb(), idb());

test('pcapng: good file', async () => {
  const r = await analyze(concat(head, epb(0, frame)));
  assert.equal(r.status, 'Done', describe(r));
  assert.equal(r.stats.packets, 1);
});

test('pcapng: block length below 12', async () => {
  expectError(await analyze(concat(head, block(6, new Uint8Array(24), { length: 8 }))), 'BadBlockLength', head.length, 8);
});

test('pcapng: block length not a multiple of 4', async () => {
  const b = epb(0, frame);
  new DataView(b.buffer).setUint32(4, b.length - 2, true);
  expectError(await analyze(concat(head, b)), 'BadBlockLength', head.length, b.length - 2);
});

test('pcapng: trailer mismatch', async () => {
  expectError(await analyze(concat(head, epb(0, frame, { trailer: 12 }))), 'BadBlockLength', head.length);
});

test('pcapng: huge block length', async () => {
  const r = await analyze(concat(head, epb(0, frame, { length: 0x7ffffffc })));
  expectError(r, 'BlockTooLarge', head.length, 0x7ffffffc);
  assert.ok(r.memoryBytes < 64 << 20, `memory ${r.memoryBytes}`);
});

test('pcapng: block length beyond the end of the file', async () => {
  expectError(await analyze(concat(head, epb(0, frame, { length: 4096 }))), 'TruncatedBlock', head.length);
});

test('pcapng: EPB with an unknown interface', async () => {
  expectError(await analyze(concat(head, epb(0, frame), epb(5, frame))), 'UnknownInterface', head.length + epb(0, frame).length, 5);
});

test('pcapng: EPB captured length larger than its block', async () => {
  expectError(await analyze(concat(head, epb(0, frame, { capLen: frame.length + 64 }))), 'BadPacketLength', head.length, frame.length + 64);
});

test('pcapng: EPB captured length 0xffffffff', async () => {
  expectError(await analyze(concat(head, epb(0, frame, { capLen: 0xffffffff }))), 'BadPacketLength', head.length);
});

test('pcapng: section header with a bad byte-order magic', async () => {
  const s = shb();
  new DataView(s.buffer).setUint32(8, 0xdeadbeef, true);
  expectError(await analyze(concat(s, idb(), epb(0, frame))), 'NotACapture', 0);
});

test('pcapng: truncated inside the first block', async () => {
  expectError(await analyze(head.subarray(0, 10)), 'TruncatedBlock', 0);
});
