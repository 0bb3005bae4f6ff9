/**
 * events.jsonl writer, byte for byte against real lines of the conformance corpus: each golden line is turned into a
 * typed event, encoded as a ring record, decoded, and written again. Byte strings are stand-ins whose SHA-1 is
 * supplied through the injectable hash (the corpus only has their length and digest).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENDPOINT_STATES, EVENT_INFO, RECORD_FIELDS, type FieldInfo, type SynackEvent } from '../../bindings/core/events.generated.ts';
import { readRecord } from '../../bindings/core/records.generated.ts';
import { Reader } from '../../bindings/core/wire.ts';
import { eventJson } from '../../bindings/logs/events-json.ts';
import { eventText } from '../../bindings/logs/events-text.ts';
import { encodeRecord } from '../support/encode.generated.ts';
import { sampleConnection } from '../support/samples.ts';

const ARGS = new Map(EVENT_INFO.map((e) => [e.name, e.args]));

/** Stand-in bytes → the digest the corpus gives for them. */
class FakeHashes {
  #map = new Map<string, string>();
  #n = 0;
  bytes(spec: { len: number; sha1: string }): Uint8Array {
    const b = new Uint8Array(spec.len);
    const tag = ++this.#n;
    for (let i = 0; i < b.length; i++) b[i] = (tag * 131 + i * 7) & 255;
    this.#map.set(Buffer.from(b).toString('base64'), spec.sha1);
    return b;
  }
  sha1 = (b: Uint8Array): string => this.#map.get(Buffer.from(b).toString('base64')) ?? 'unknown-bytes';
}

function fromJson(f: FieldInfo, v: unknown, h: FakeHashes): unknown {
  if (f.type === 'bytes') return h.bytes(v as { len: number; sha1: string });
  if (f.type === 'options') {
    return (v as Record<string, unknown>[]).map((o) => (o.data ? { ...o, data: h.bytes(o.data as { len: number; sha1: string }) } : o));
  }
  if (f.type.startsWith('record:')) {
    const r = v as Record<string, unknown>;
    return Object.fromEntries(RECORD_FIELDS[f.type.slice(7)].map((g) => [g.name, r[g.name]]));
  }
  return v;
}

/** A golden line as a typed event (fields the line does not state get sample values). */
function eventFromLine(line: string, h: FakeHashes): SynackEvent {
  const o = JSON.parse(line);
  const ev: Record<string, unknown> = { name: o.name, ts: o.ts, frame: 1 };
  for (const a of ARGS.get(o.name)!) ev[a.name] = fromJson(a, o[a.name], h);
  const ep = (e: { state: string; size: number; num_pkts: number | null; num_bytes_ip: number | null }) => ({
    size: e.size, state: ENDPOINT_STATES.indexOf(e.state as never), num_pkts: e.num_pkts ?? undefined,
    num_bytes_ip: e.num_bytes_ip ?? undefined, flow_label: 0,
  });
  ev.c = sampleConnection({
    id: { orig_h: o['id.orig_h'], orig_p: o['id.orig_p'], resp_h: o['id.resp_h'], resp_p: o['id.resp_p'], proto: 6 },
    history: o.c.history, orig: ep(o.c.orig), resp: ep(o.c.resp),
  });
  return ev as unknown as SynackEvent;
}

function roundTrip(line: string): string {
  const h = new FakeHashes();
  const rec = encodeRecord(eventFromLine(line, h));
  const ev = readRecord(new Reader(new DataView(rec.buffer), rec), 0);
  return eventJson(ev, h.sha1);
}

test('golden corpus lines are reproduced byte for byte', () => {
  const lines = readFileSync(join(import.meta.dirname, 'fixtures', 'golden.events.jsonl'), 'utf8').trimEnd().split('\n');
  assert.ok(lines.length >= 10);
  for (const line of lines) assert.equal(roundTrip(line), line + '\n');
});

test('whole corpus streams of a few cases are reproduced byte for byte', (t) => {
  const base = join(import.meta.dirname, '..', '..', '..', 'shared', 'conformance', 'cases');
  if (!existsSync(base)) return t.skip('../shared/conformance not present');
  for (const name of ['tcp-options', 'tcp-option-sack', 'window-scale-range', 'quantum-insert', 'chksum-bad-tcp-localhost', 'rst-after-data']) {
    const file = join(base, name, 'expected.events.jsonl');
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').trimEnd().split('\n')) assert.equal(roundTrip(line), line + '\n', name);
  }
});

test('null counts when counting is off; SYN_packet optional fields only when set', () => {
  const c = sampleConnection();
  c.orig.num_pkts = c.orig.num_bytes_ip = c.resp.num_pkts = c.resp.num_bytes_ip = undefined;
  const pkt = { is_orig: true, DF: false, ttl: 64, size: 60, win_size: 5840, win_scale: -1, MSS: 0, SACK_OK: false, TSval: undefined, TSecr: undefined };
  const line = eventJson({ name: 'connection_SYN_packet', ts: 1.5, frame: 1, pkt, c }, () => '');
  assert.equal(line,
    '{"name":"connection_SYN_packet","ts":1.500000,"id.orig_h":"192.168.1.102","id.orig_p":36861,"id.resp_h":"2001:db8::21","id.resp_p":80,' +
    '"pkt":{"is_orig":true,"DF":false,"ttl":64,"size":60,"win_size":5840,"win_scale":-1,"MSS":0,"SACK_OK":false},' +
    '"c":{"history":"ShAD","orig":{"state":"TCP_ESTABLISHED","size":104,"num_pkts":null,"num_bytes_ip":null},' +
    '"resp":{"state":"TCP_SYN_SENT","size":0,"num_pkts":null,"num_bytes_ip":null}}}\n');
});

test('real SHA-1 through node:crypto, empty string digest, option data', () => {
  const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
  const c = sampleConnection();
  const line = eventJson({ name: 'tcp_options', ts: 2, frame: 1, is_orig: false, c,
    options: [{ kind: 99, length: 4, data: Uint8Array.from([0x61, 0x62]) }, { kind: 0, length: 1 }] }, sha1);
  assert.match(line, /"options":\[\{"kind":99,"length":4,"data":\{"len":2,"sha1":"da23614e02469a0d7c7bd1bdab5c9c474b1904dc"\}\},\{"kind":0,"length":1\}\]/);
  const pl = eventJson({ name: 'tcp_packet', ts: 2, frame: 1, is_orig: true, flags: 'S', seq: 0, ack: 0, len: 0, payload: new Uint8Array(0), c }, sha1);
  assert.match(pl, /"payload":\{"len":0,"sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709"\}/);
});

test('events without a connection have no 4-tuple and no c', () => {
  const line = eventJson({ name: 'net_weird', ts: 3, frame: 2, weird_name: 'truncated_IP', addl: '', source: '' }, () => '');
  assert.equal(line, '{"name":"net_weird","ts":3.000000,"weird_name":"truncated_IP","addl":"","source":""}\n');
});

test('text rendering: one readable line per event', () => {
  const c = sampleConnection();
  const t = eventText({ name: 'tcp_packet', ts: 2, frame: 1, is_orig: true, flags: 'AP', seq: 1, ack: 1, len: 3, payload: Uint8Array.from([0x47, 0x0d, 0x0a]), c });
  assert.equal(t, '2.000000 tcp_packet CHhAvVGS1DHFjwGM9 192.168.1.102:36861 > [2001:db8::21]:80 is_orig=T flags="AP" seq=1 ack=1 len=3 payload=3:"G\\x0d\\x0a" history=ShAD\n');
  const o = eventText({ name: 'tcp_options', ts: 2, frame: 1, is_orig: false, c, options: [{ kind: 2, length: 4, mss: 1460 }, { kind: 1, length: 1 }, { kind: 4, length: 2 }] });
  assert.match(o, / options=\[mss=1460 nop sackOK\] /);
});
