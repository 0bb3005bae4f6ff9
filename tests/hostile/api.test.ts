/**
 * Hostile input through the public Node API (bindings/node.ts): capture errors surface as SynackCaptureError with
 * the byte offset, weirds as events, and nothing as SynackInternalError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SynackCaptureError, SynackInternalError, analyze } from '../../bindings/node.ts';
import { ERR, PCAP_HEADER, PCAP_RECORD, concat, pcap, pcapRecord, tcpFrame } from './fixtures.ts';

async function drain(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<{ names: string[]; error: unknown }> {
  const names: string[] = [];
  try {
    for await (const e of analyze(source)) names.push(e.name);
    return { names, error: null };
  } catch (error) {
    return { names, error };
  }
}

test('public API: absurd caplen is a SynackCaptureError at the record offset, after the earlier events', async () => {
  const syn = tcpFrame({ flags: 'S' });
  const file = concat(pcap([syn]), pcapRecord({ ts: 1e9, data: syn, capLen: 0xffffffff }));
  const { names, error } = await drain(file);
  assert.ok(error instanceof SynackCaptureError, `got ${String(error)}`);
  assert.ok(!(error instanceof SynackInternalError));
  assert.equal(error.code, ERR.RecordTooLarge);
  assert.equal(error.offset, PCAP_HEADER + PCAP_RECORD + syn.length);
  assert.match(error.message, new RegExp(`^byte ${error.offset}: `));
  assert.ok(names.includes('new_connection'), `events before the error: ${names.join(',')}`);
});

test('public API: weird-only packets give weird events, no error', async () => {
  const frames = [tcpFrame({ flags: 'S', dataOffset: 4 }), tcpFrame({ flags: 'S', ihl: 4 }), tcpFrame({ flags: 'S', badIpChecksum: true })];
  const { names, error } = await drain(pcap(frames));
  assert.equal(error, null, String(error));
  for (const n of ['conn_weird', 'net_weird', 'flow_weird']) assert.ok(names.includes(n), `${n} in ${names.join(',')}`);
});

test('public API: a stream of 1-byte chunks ending inside a record', async () => {
  const file = pcap([tcpFrame({ flags: 'S' }), tcpFrame({ flags: 'SA', src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 })]);
  const cut = file.subarray(0, file.length - 3);
  async function* bytes(): AsyncIterable<Uint8Array> {
    for (let i = 0; i < cut.length; i++) yield cut.subarray(i, i + 1);
  }
  const { error } = await drain(bytes());
  assert.ok(error instanceof SynackCaptureError, `got ${String(error)}`);
  assert.equal(error.code, ERR.TruncatedRecord);
  assert.equal(error.offset, PCAP_HEADER + PCAP_RECORD + tcpFrame({ flags: 'S' }).length);
});
