/** Generated reader ↔ generated encoder round trips, the lazy snapshot, and the ring reader (wrap, overflow, growth). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecord } from '../../bindings/core/records.generated.ts';
import { Reader } from '../../bindings/core/wire.ts';
import { MemoryViews } from '../../bindings/core/memory.ts';
import { RingReader } from '../../bindings/core/ring-reader.ts';
import { SynackInternalError } from '../../bindings/core/errors.ts';
import { WEIRD_NAMES } from '../../bindings/core/constants.generated.ts';
import type { SynackEvent } from '../../bindings/core/events.generated.ts';
import { encodeRecord } from '../support/encode.generated.ts';
import { TestRing } from '../support/ring.ts';
import { plain } from '../support/plain.ts';
import { sampleConnection, sampleEvents } from '../support/samples.ts';

function decode(rec: Uint8Array): SynackEvent {
  return readRecord(new Reader(new DataView(rec.buffer, rec.byteOffset, rec.byteLength), rec), 0);
}

test('every event round-trips through encoder and reader', () => {
  for (const e of sampleEvents()) {
    const rec = encodeRecord(e);
    assert.equal(rec.length % 4, 0, `${e.name}: record padded to 4`);
    assert.deepEqual(plain(decode(rec)), plain(e), e.name);
  }
});

test('connection optional fields, bigint counts and IPv6 survive', () => {
  const c = sampleConnection({
    orig: { size: 2 ** 53 + 2, state: 6, num_pkts: undefined, num_bytes_ip: undefined, flow_label: 0, l2_addr: undefined },
    vlan: undefined,
    inner_vlan: 7,
    history: '',
  });
  const ev = decode(encodeRecord({ name: 'connection_state_remove', ts: 1, frame: 9, c }));
  assert.equal(ev.name, 'connection_state_remove');
  if (ev.name !== 'connection_state_remove') return;
  assert.equal(ev.c.orig.size, 2n ** 53n + 2n);
  assert.equal(ev.c.orig.num_pkts, undefined);
  assert.equal(ev.c.vlan, undefined);
  assert.equal(ev.c.inner_vlan, 7);
  assert.equal(ev.c.id.resp_h, '2001:db8::21');
  assert.equal(ev.c.history, '');
  assert.equal(ev.frame, 9);
});

test('the snapshot is decoded lazily from a private copy', () => {
  const rec = encodeRecord({ name: 'new_connection', ts: 5, frame: 1, c: sampleConnection() });
  const ev = decode(rec);
  rec.fill(0xee); // the ring bytes are reused after the tail advances
  assert.equal(ev.name, 'new_connection');
  if (ev.name === 'new_connection') {
    assert.equal(ev.c.history, 'ShAD');
    assert.equal(ev.c, ev.c, 'decoded once');
  }
  assert.match(JSON.stringify(ev), /"c":\{"id":\{"orig_h":"192.168.1.102"/);
});

test('byte-string arguments are copies', () => {
  const payload = Uint8Array.from([1, 2, 3, 4]);
  const rec = encodeRecord({ name: 'tcp_contents', ts: 5, frame: 1, is_orig: true, seq: 1, contents: payload, c: sampleConnection() });
  const ev = decode(rec);
  rec.fill(0);
  assert.ok(ev.name === 'tcp_contents');
  assert.deepEqual([...ev.contents], [1, 2, 3, 4]);
});

test('records with an unknown id or a wrong connection flag are internal errors', () => {
  const rec = encodeRecord({ name: 'new_connection', ts: 5, frame: 1, c: sampleConnection() });
  const bad = rec.slice();
  new DataView(bad.buffer).setUint16(4, 999, true);
  assert.throws(() => decode(bad), SynackInternalError);
  const noFlag = rec.slice();
  new DataView(noFlag.buffer).setUint16(6, 0, true);
  assert.throws(() => decode(noFlag), /connection flag/);
});

function ringSetup(capacity: number) {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 100 });
  const ptr = 1024;
  const ring = new TestRing(memory, ptr, capacity);
  const views = new MemoryViews(memory);
  return { memory, ring, reader: new RingReader(views, ptr) };
}

test('ring reader drains in order across wrap-around and stores the tail', () => {
  const { ring, reader } = ringSetup(1024);
  const events = sampleEvents();
  const seen: SynackEvent[] = [];
  let wrote = 0;
  for (let round = 0; round < 6; round++) {
    for (const e of events) {
      if (!ring.put(encodeRecord(e))) {
        reader.drain(seen);
        assert.equal(ring.tail, ring.head);
        assert.ok(ring.put(encodeRecord(e)), 'fits after draining');
      }
      wrote++;
    }
  }
  reader.drain(seen);
  assert.equal(seen.length, wrote);
  seen.forEach((e, i) => assert.equal(e.name, events[i % events.length].name));
  assert.deepEqual(plain(seen[seen.length - 1]), plain(events[events.length - 1]));
});

test('ring counters wrap past 2^32', () => {
  const { ring, reader } = ringSetup(256);
  ring.reset(0xffffff00);
  const rec = encodeRecord({ name: 'connection_EOF', ts: 1, frame: 1, is_orig: true, c: sampleConnection() });
  const out: SynackEvent[] = [];
  for (let i = 0; i < 10; i++) {
    assert.ok(ring.put(rec));
    reader.drain(out);
  }
  assert.equal(out.length, 10);
  assert.ok(ring.head < 0x1000, 'head wrapped');
});

test('ring reader rebuilds its views after memory.grow', () => {
  const { memory, ring, reader } = ringSetup(512);
  const rec = encodeRecord({ name: 'connection_EOF', ts: 1, frame: 1, is_orig: false, c: sampleConnection() });
  const out: SynackEvent[] = [];
  ring.put(rec);
  reader.drain(out);
  memory.grow(2);
  ring.put(rec);
  reader.drain(out);
  assert.equal(out.length, 2);
});

test('a corrupt record length is an internal error', () => {
  const { memory, ring, reader } = ringSetup(256);
  ring.put(encodeRecord({ name: 'connection_EOF', ts: 1, frame: 1, is_orig: false, c: sampleConnection() }));
  new DataView(memory.buffer).setUint32(1024 + 16, 6, true);
  assert.throws(() => reader.drain([]), /bad ring record length 6/);
});

test('a same-snapshot record shows the latest snapshot carried before it, across drains and reused ring bytes', () => {
  const { memory, ring, reader } = ringSetup(256);
  const a = sampleConnection({ history: 'ShA' });
  const b = sampleConnection({ history: 'ShADadFf', uid: 'CHhAvVGS1DHFjwGM8' });
  const out: SynackEvent[] = [];
  const put = (e: SynackEvent, same: boolean): void => {
    if (!ring.put(encodeRecord(e, same))) {
      reader.drain(out);
      assert.ok(ring.put(encodeRecord(e, same)));
    }
  };
  put({ name: 'tcp_option', ts: 1, frame: 1, is_orig: true, opt: 8, optlen: 10, c: a }, false);
  put({ name: 'tcp_option', ts: 1, frame: 1, is_orig: true, opt: 1, optlen: 1, c: a }, true);
  reader.drain(out);
  new Uint8Array(memory.buffer, 1024 + 16, 256).fill(0xee); // the ring bytes are reused once the tail advances
  put({ name: 'tcp_options', ts: 1, frame: 1, is_orig: true, options: [], c: a }, true);
  put({ name: 'conn_weird', ts: 2, frame: 2, weird_name: WEIRD_NAMES[23], addl: '', source: 'TCP', c: b }, false);
  put({ name: 'net_weird', ts: 2, frame: 2, weird_name: WEIRD_NAMES[23], addl: '', source: '' }, false);
  put({ name: 'connection_EOF', ts: 2, frame: 2, is_orig: false, c: b }, true);
  reader.drain(out);
  assert.deepEqual(out.map((e) => e.name), ['tcp_option', 'tcp_option', 'tcp_options', 'conn_weird', 'net_weird', 'connection_EOF']);
  const conn = (e: SynackEvent) => ('c' in e ? plain(e.c) : undefined);
  assert.deepEqual(conn(out[1]), plain(a));
  assert.deepEqual(conn(out[2]), plain(a));
  assert.deepEqual(conn(out[5]), plain(b));
  assert.notEqual((out[1] as { c: object }).c, (out[0] as { c: object }).c, 'each event decodes its own object');
});

test('a same-snapshot record without an earlier snapshot, or with snapshot bytes, is an internal error', () => {
  const e: SynackEvent = { name: 'connection_EOF', ts: 1, frame: 1, is_orig: false, c: sampleConnection() };
  assert.throws(() => decode(encodeRecord(e, true)), /none came before it/);
  const full = encodeRecord(e);
  const r = new Reader(new DataView(full.buffer), full);
  readRecord(r, 0);
  new DataView(full.buffer).setUint16(6, 3, true);
  assert.throws(() => readRecord(r, 0), /bytes after its arguments/);
  const conn = encodeRecord({ name: 'net_weird', ts: 1, frame: 1, weird_name: WEIRD_NAMES[23], addl: '', source: '' });
  new DataView(conn.buffer).setUint16(6, 2, true);
  assert.throws(() => decode(conn), /same-snapshot flag without a connection/);
});
