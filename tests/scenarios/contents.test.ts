/**
 * Contents files through the API (extract_contents, TA §13.9): both sides attached at connection_established, the
 * bytes written are the reassembled stream with "\n<<gap N>>\n" markers where a hole has data after it, held data
 * flushed at removal; a failing sink gives contents_file_write_failure and leaves every other event as it was.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Connection, SynackEvent } from '../../bindings/core/api.ts';
import type { ContentsSink } from '../../bindings/core/contents.ts';
import { contentsFileName } from '../../bindings/core/contents.ts';
import { Analyzer } from '../../bindings/core/analyzer.ts';
import { analyze, loadCore } from '../../bindings/node.ts';
import { ALL_EVENTS, Capture, label, only, run, skip } from './support.ts';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A sink that records what it got; `fail` decides which writes throw (or reject, with `async`). */
class Recorder implements ContentsSink {
  chunks: Uint8Array[] = [];
  closed = 0;
  constructor(readonly key: string, private fail?: (b: Uint8Array) => boolean, private async = false) {}
  write(b: Uint8Array): void | Promise<void> {
    if (this.fail?.(b)) {
      if (this.async) return Promise.reject(new Error('disk full'));
      throw new Error('disk full');
    }
    this.chunks.push(b);
    return this.async ? Promise.resolve() : undefined;
  }
  close(): void {
    this.closed++;
  }
  get text(): string {
    return this.chunks.map(text).join('');
  }
}

/** Runs with extract_contents and Recorder sinks; returns the events and the sinks by "orig"/"resp". */
async function withSinks(cap: Capture, fail?: (isOrig: boolean, b: Uint8Array) => boolean, async = false) {
  const sinks = new Map<string, Recorder>();
  const opened: [Connection, boolean][] = [];
  const events: SynackEvent[] = [];
  const contents = (c: Connection, isOrig: boolean) => {
    opened.push([c, isOrig]);
    const r = new Recorder(isOrig ? 'orig' : 'resp', fail && ((b) => fail(isOrig, b)), async);
    sinks.set(r.key, r);
    return r;
  };
  for await (const e of analyze(cap.bytes(), { subscribe: ALL_EVENTS, extract_contents: true, contents })) events.push(e);
  return { events, sinks, opened };
}

/**
 * Handshake, data both ways, a hole in the originator's stream acknowledged in two steps, a hole at the end of the
 * acknowledged data, more data, FINs. Zeek's marker rule (TA §13.9, kept as a quirk, TA §21): a hole gets a marker
 * only while held data lies beyond the acknowledgement that skips it, and the marker counts only the skipped part.
 */
function exchange(): Capture {
  const cap = new Capture();
  cap.flow().handshake()
    .send('o', 'PA', { data: 'hello ' }) // bytes 1..6
    .send('o', 'PA', { data: 'world', seq: 1017 }) // bytes 17..21: 7..16 never seen
    .send('r', 'PA', { data: 'ok\r\n', ack: 1012 }) // skips 7..11 with 'world' beyond: marker <<gap 5>>
    .send('r', 'A', { ack: 1022 }) // skips 12..16 and delivers 'world': no marker
    .send('r', 'A', { ack: 1032 }) // skips 22..31 with nothing beyond: no marker
    .send('o', 'PA', { data: 'more', seq: 1032 })
    .send('o', 'FA', { seq: 1036 })
    .send('r', 'FA', { ack: 1037 });
  return cap;
}

const ORIG = 'hello \n<<gap 5>>\nworldmore';

test('contents files hold the reassembled streams with Zeek\'s gap markers', { skip }, async () => {
  const { events, sinks, opened } = await withSinks(exchange());
  assert.equal(sinks.get('orig')!.text, ORIG);
  assert.equal(sinks.get('resp')!.text, 'ok\r\n');
  assert.deepEqual([...sinks.values()].map((s) => s.closed), [1, 1]);
  // Opened at the first record of each side, for the connection as it was then.
  assert.deepEqual(opened.map(([c, o]) => [c.id.orig_p, o]), [[40000, true], [40000, false]]);
  // The same gaps as content_gap reports, the same bytes as tcp_contents would deliver.
  assert.deepEqual(only(events, 'content_gap').map((e) => [e.seq, e.length]), [[7, 5], [12, 5], [22, 10]]);
  // The internal records are not in the stream (not subscribed by name).
  assert.equal(events.filter((e) => e.name.startsWith('contents_file_') && e.name !== 'contents_file_write_failure').length, 0);
  assert.equal(only(events, 'contents_file_write_failure').length, 0);
});

test('contents equal the tcp_contents deliveries when there are no holes', { skip }, async () => {
  const cap = new Capture();
  const f = cap.flow().handshake();
  for (let i = 0; i < 20; i++) f.send(i % 3 ? 'o' : 'r', 'PA', { data: `chunk ${i};` });
  f.send('o', 'FA').send('r', 'FA');
  const { sinks } = await withSinks(cap);
  const evs = await run(cap, { tcp_content_deliver_all_orig: true, tcp_content_deliver_all_resp: true });
  const delivered = (o: boolean) => only(evs, 'tcp_contents').filter((e) => e.is_orig === o).map((e) => text(e.contents)).join('');
  assert.equal(sinks.get('orig')!.text, delivered(true));
  assert.equal(sinks.get('resp')!.text, delivered(false));
});

test('data delivered before connection_established is caught up when the sides are attached', { skip }, async () => {
  const cap = new Capture();
  // The SYN-ACK acknowledges only the SYN: 'early' is still held when the sides are attached (after the packet).
  cap.flow().send('o', 'S', { data: 'early' }).send('r', 'SA', { ack: 1001 }).send('o', 'PA', { data: ' later' });
  const { sinks } = await withSinks(cap);
  assert.equal(sinks.get('orig')!.text, 'early later');
  // A side without data still gets its (empty) file, at close.
  assert.equal(sinks.get('resp')!.text, '');
  assert.equal(sinks.get('resp')!.closed, 1);
});

test('at removal, held data above a hole is flushed with a marker before it', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'abc' }).send('o', 'PA', { data: 'xyz', seq: 1011 });
  const { sinks } = await withSinks(cap);
  assert.equal(sinks.get('orig')!.text, 'abc\n<<gap 7>>\nxyz');
});

test('no contents without connection_established (a partial connection), and none without extract_contents', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'PA', { data: 'abc' }).send('r', 'PA', { data: 'def' });
  assert.equal((await withSinks(cap)).sinks.size, 0);
  const est = new Capture();
  est.flow().handshake().send('o', 'PA', { data: 'abc' });
  let called = 0;
  for await (const _ of analyze(est.bytes(), { contents: () => { called++; return null; } })) void _;
  assert.equal(called, 0);
});

/** Event labels without the failure events (what "the rest of the events" means). */
const rest = (evs: SynackEvent[]) => evs.filter((e) => e.name !== 'contents_file_write_failure').map((e) => `${e.frame} ${label(e)}`);

test('a failing sink: contents_file_write_failure with the content message, that side detached, the rest unchanged', { skip }, async () => {
  const good = await withSinks(exchange());
  const bad = await withSinks(exchange(), (isOrig, b) => isOrig && text(b) === 'world');
  const f = only(bad.events, 'contents_file_write_failure');
  assert.equal(f.length, 1);
  assert.deepEqual([f[0].is_orig, f[0].msg, f[0].c.id.orig_p], [true, 'TCP reassembler content write failure', 40000]);
  assert.deepEqual(rest(bad.events), rest(good.events));
  // Nothing more reaches the failed side (the core detached it); the host closed it; the other side is intact.
  assert.equal(bad.sinks.get('orig')!.text, 'hello \n<<gap 5>>\n');
  assert.equal(bad.sinks.get('orig')!.closed, 1);
  assert.equal(bad.sinks.get('resp')!.text, 'ok\r\n');
});

test('a sink failing on a gap marker: "TCP reassembler gap write failure"', { skip }, async () => {
  const bad = await withSinks(exchange(), (_, b) => text(b).startsWith('\n<<gap'));
  const f = only(bad.events, 'contents_file_write_failure');
  assert.deepEqual(f.map((e) => [e.is_orig, e.msg]), [[true, 'TCP reassembler gap write failure']]);
  assert.equal(bad.sinks.get('orig')!.text, 'hello ');
});

test('an asynchronous sink whose write rejects: the failure is reported before the analyzer\'s next unit of work', { skip }, async () => {
  const bad = await withSinks(exchange(), (isOrig) => isOrig, true);
  const f = only(bad.events, 'contents_file_write_failure');
  assert.deepEqual(f.map((e) => [e.is_orig, e.msg]), [[true, 'TCP reassembler content write failure']]);
  // The capture is one chunk: the failure comes after the packets' events, before the end-of-input removal.
  assert.equal(bad.events[bad.events.indexOf(f[0]) + 1].name, 'connection_state_remove');
  assert.equal(bad.events.indexOf(f[0]), bad.events.length - 2);
  assert.deepEqual(rest(bad.events), rest((await withSinks(exchange())).events));
});

test('Analyzer.settle(): waits for asynchronous sinks and returns the failures they caused', { skip }, async () => {
  const a = Analyzer.createSync(await loadCore(), {
    subscribe: ['contents_file_write_failure', 'connection_state_remove'], extract_contents: true,
    contents: (_, isOrig) => new Recorder(isOrig ? 'orig' : 'resp', () => isOrig, true),
  });
  const evs = a.push(exchange().bytes());
  assert.deepEqual(evs, []);
  const late = await a.settle();
  assert.deepEqual(late.map((e) => [e.name, e.name === 'contents_file_write_failure' && e.is_orig]), [['contents_file_write_failure', true]]);
  assert.deepEqual(a.finish().map((e) => e.name), ['connection_state_remove']);
  assert.deepEqual(await a.settle(), []);
});

test('a run that ends early closes the sinks still open', { skip }, async () => {
  const sinks: Recorder[] = [];
  const contents = (_: Connection, isOrig: boolean) => { const r = new Recorder(isOrig ? 'orig' : 'resp'); sinks.push(r); return r; };
  for await (const e of analyze(exchange().bytes(), { subscribe: ALL_EVENTS, extract_contents: true, contents })) {
    if (e.name === 'connection_finished') break;
  }
  assert.deepEqual(sinks.map((r) => [r.key, r.closed]), [['orig', 1], ['resp', 1]]);
});

test('the internal records reach the user when subscribed by name', { skip }, async () => {
  const evs: SynackEvent[] = [];
  const sinks: Recorder[] = [];
  const opts = {
    subscribe: ['contents_file_write', 'contents_file_close'] as const, extract_contents: true,
    contents: () => { const r = new Recorder('x'); sinks.push(r); return r; },
  };
  for await (const e of analyze(exchange().bytes(), { ...opts, subscribe: [...opts.subscribe] })) evs.push(e);
  const writes = only(evs, 'contents_file_write');
  assert.equal(writes.filter((e) => e.is_orig).map((e) => text(e.data)).join(''), ORIG);
  assert.deepEqual(writes.filter((e) => e.gap).map((e) => text(e.data)), ['\n<<gap 5>>\n']);
  assert.equal(only(evs, 'contents_file_close').length, 2);
  // …and the sinks still get the bytes.
  assert.equal(sinks.map((s) => s.text).join('|'), `${ORIG}|ok\r\n`);
});

test('Node default: Zeek-named files in contents_dir', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-contents-'));
  for await (const _ of analyze(exchange().bytes(), { extract_contents: true, contents_dir: dir })) void _;
  const v6 = new Capture();
  v6.flow('[2001:db8::1]:40000', '[2001:db8::2]:80').handshake().send('o', 'PA', { data: 'six' });
  for await (const _ of analyze(v6.bytes(), { extract_contents: true, contents_dir: dir })) void _;
  assert.deepEqual(readdirSync(dir).sort(), [
    'contents_10.0.0.1:40000-10.0.0.2:80_orig.dat', 'contents_10.0.0.1:40000-10.0.0.2:80_resp.dat',
    'contents_[2001:db8::1]:40000-[2001:db8::2]:80_orig.dat', 'contents_[2001:db8::1]:40000-[2001:db8::2]:80_resp.dat',
  ]);
  assert.equal(readFileSync(join(dir, 'contents_10.0.0.1:40000-10.0.0.2:80_orig.dat'), 'latin1'), ORIG);
  assert.equal(readFileSync(join(dir, 'contents_10.0.0.1:40000-10.0.0.2:80_resp.dat'), 'latin1'), 'ok\r\n');
  assert.equal(readFileSync(join(dir, 'contents_[2001:db8::1]:40000-[2001:db8::2]:80_orig.dat'), 'latin1'), 'six');
});

test('Node default: a file that cannot be opened is a write failure; analysis goes on', { skip }, async () => {
  const missing = join(tmpdir(), 'synack-no-such-dir', 'sub');
  const evs: SynackEvent[] = [];
  for await (const e of analyze(exchange().bytes(), { subscribe: ALL_EVENTS, extract_contents: true, contents_dir: missing })) evs.push(e);
  assert.deepEqual(only(evs, 'contents_file_write_failure').map((e) => [e.is_orig, e.msg]), [
    [true, 'TCP reassembler content write failure'], [false, 'TCP reassembler content write failure'],
  ]);
  assert.equal(only(evs, 'connection_state_remove').length, 1);
});

test('contentsFileName follows base/protocols/conn/contents.zeek', () => {
  const c = { id: { orig_h: '2001:db8::1', orig_p: 1, resp_h: '10.0.0.2', resp_p: 80, proto: 6 } } as Connection;
  assert.equal(contentsFileName(c, true), 'contents_[2001:db8::1]:1-10.0.0.2:80_orig.dat');
  assert.equal(contentsFileName(c, false), 'contents_[2001:db8::1]:1-10.0.0.2:80_resp.dat');
});
