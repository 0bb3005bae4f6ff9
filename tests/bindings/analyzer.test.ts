/** Analyzer and Node entry against the built core (skipped until build/synack.wasm exists). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Analyzer } from '../../bindings/core/analyzer.ts';
import { SynackCaptureError, SynackOptionError } from '../../bindings/core/errors.ts';
import { EVENT_INFO, type SynackEvent } from '../../bindings/core/events.generated.ts';
import { analyze, connLog, loadCore } from '../../bindings/node.ts';
import { readAhead, sourceChunks } from '../../bindings/core/host-common.ts';
import { eventJson } from '../../bindings/logs/events-json.ts';
import { ConnLogWriter } from '../../bindings/logs/conn-log.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CASES = join(ROOT, '..', 'shared', 'conformance', 'cases');
const TRACE = join(CASES, 'tcp-dups', 'ssh-dups.pcap');
const ready = existsSync(join(ROOT, 'build', 'synack.wasm')) && existsSync(TRACE);
const ALL = EVENT_INFO.map((e) => e.name);
const lines = (evs: SynackEvent[]) => evs.map((e) => eventJson(e, () => 'x')).join('');

test('chunk size does not change the events', { skip: !ready && 'core or corpus missing' }, async () => {
  const bytes = readFileSync(TRACE);
  const mod = await loadCore();
  const whole = Analyzer.createSync(mod, { subscribe: ALL, ignore_checksums: true });
  const a = [...whole.push(bytes), ...whole.finish()];
  const bits = Analyzer.createSync(mod, { subscribe: ALL, ignore_checksums: true });
  const b: SynackEvent[] = [];
  for (let off = 0; off < bytes.length; off += 777) b.push(...bits.push(bytes.subarray(off, off + 777)));
  b.push(...bits.finish());
  assert.ok(a.length > 100);
  assert.equal(lines(b), lines(a));
  assert.ok(whole.stats().packets > 0);
  assert.equal(whole.bytesConsumed, bytes.length);
});

test('analyze() takes paths, bytes and streams alike', { skip: !ready && 'core or corpus missing' }, async () => {
  const opts = { subscribe: ALL, ignore_checksums: true };
  const collect = async (src: Parameters<typeof analyze>[0]) => { const o: SynackEvent[] = []; for await (const e of analyze(src, opts)) o.push(e); return lines(o); };
  const fromPath = await collect(TRACE);
  assert.equal(await collect(readFileSync(TRACE)), fromPath);
  const web = new Blob([readFileSync(TRACE)]).stream() as ReadableStream<Uint8Array>;
  assert.equal(await collect(web), fromPath);
  // Streams that hand out small pieces: a byte stream (read into whole buffers) and a plain one, in-thread and
  // in a worker (whose buffers are not reused).
  const bytes = new Uint8Array(readFileSync(TRACE)); // not a Buffer: its slice() would share (and a byte stream detach) the memory
  for (const type of ['bytes', undefined] as const) {
    for (const worker of [false, true]) {
      const o: SynackEvent[] = [];
      for await (const e of analyze(pieces(bytes, 777, type), { ...opts, worker })) o.push(e);
      assert.equal(lines(o), fromPath, `${type ?? 'default'} stream, worker ${worker}`);
    }
  }
});

test('a path is read while the event loop runs, and fails like its bytes; a FIFO reads like a file', { skip: !ready && 'core or corpus missing', timeout: 60_000 }, async () => {
  // real/small is 22 MB: several reads (4 MiB each) after the first batch.
  let ran = false;
  let batchesAfter = 0;
  let first = true;
  for await (const _ of analyze(REAL, { worker: false }).batches()) {
    if (first) setImmediate(() => { ran = true; });
    else if (ran) batchesAfter++;
    first = false;
  }
  assert.ok(ran && batchesAfter > 0, 'a macrotask ran while the file was being read');

  // A damaged file: the same events and the same error (offset included) as the same bytes given in memory.
  const damaged = new Uint8Array(readFileSync(TRACE));
  const dv = new DataView(damaged.buffer);
  let at = 24; // the record header past the middle of the (little-endian classic pcap) file gets an absurd length
  while (at < damaged.length >> 1) at += 16 + dv.getUint32(at + 8, true);
  dv.setUint32(at + 8, 0x7fffffff, true);
  const dir = mkdtempSync(join(tmpdir(), 'synack-'));
  const path = join(dir, 'damaged.pcap');
  writeFileSync(path, damaged);
  const outcome = async (src: string | Uint8Array): Promise<[string, string]> => {
    const o: SynackEvent[] = [];
    try {
      for await (const e of analyze(src, { subscribe: ALL })) o.push(e);
      return [lines(o), 'no error'];
    } catch (e) {
      return [lines(o), e instanceof SynackCaptureError ? `${e.code} ${e.offset} ${e.message}` : String(e)];
    }
  };
  const fromPath = await outcome(path);
  assert.match(fromPath[1], /^\d+ \d+ byte \d+: /);
  assert.deepEqual(fromPath, await outcome(damaged));

  // A FIFO: its writer here is this thread's, so the reads must leave this thread free while they wait.
  const fifo = join(dir, 'capture.fifo');
  execFileSync('mkfifo', [fifo]);
  const writing = new Promise<void>((resolve, reject) => {
    const w = createWriteStream(fifo);
    w.on('error', reject);
    w.end(readFileSync(TRACE), resolve);
  });
  const [fromFifo] = await Promise.all([outcome(fifo), writing]);
  rmSync(dir, { recursive: true });
  assert.deepEqual(fromFifo, await outcome(TRACE));
});

/**
 * A stream of `bytes` in pieces of `n`: a byte stream (`type: 'bytes'`, which like every standard byte source
 * answers a pending BYOB read at its end) or a default one.
 */
function pieces(bytes: Uint8Array, n: number, type?: 'bytes'): ReadableStream<Uint8Array> {
  let off = 0;
  const next = (c: ReadableByteStreamController | ReadableStreamDefaultController<Uint8Array>): void => {
    if (off >= bytes.length) {
      c.close();
      if ('byobRequest' in c) c.byobRequest?.respond(0);
      return;
    }
    c.enqueue(bytes.slice(off, off + n));
    off += n;
  };
  return type === 'bytes' ? new ReadableStream({ type, pull: next }) : new ReadableStream<Uint8Array>({ pull: next });
}

test('a path read straight into the core gives what its bytes give, across slab turns and up to a damage late in the file', { skip: !ready && 'core or corpus missing', timeout: 60_000 }, async () => {
  // In-thread, a path is read into the core's two 4 MiB input slabs in turn (ReadInto): real/small (22 MB) turns
  // five times, with a partial record moved across at every turn. Damaged three quarters in, past several turns.
  const bytes = new Uint8Array(readFileSync(REAL));
  const dv = new DataView(bytes.buffer);
  let at = 24;
  while (at < (bytes.length >> 2) * 3) at += 16 + dv.getUint32(at + 8, true);
  const dir = mkdtempSync(join(tmpdir(), 'synack-'));
  const whole = join(dir, 'whole.pcap'), cut = join(dir, 'cut.pcap');
  writeFileSync(whole, bytes);
  writeFileSync(cut, bytes.subarray(0, at + 30));
  const outcome = async (src: string | Uint8Array): Promise<[string, string]> => {
    const o: SynackEvent[] = [];
    try {
      for await (const e of analyze(src, { subscribe: ALL, worker: false })) o.push(e);
      return [lines(o), 'no error'];
    } catch (e) {
      return [lines(o), e instanceof SynackCaptureError ? `${e.code} ${e.offset} ${e.message}` : String(e)];
    }
  };
  try {
    const fromPath = await outcome(whole);
    assert.equal(fromPath[1], 'no error');
    assert.ok(fromPath[0].length > 1e6);
    assert.deepEqual(fromPath, await outcome(bytes));
    const damaged = await outcome(cut);
    assert.equal(damaged[1].replace(/ byte \d+: .*/, ''), `${damaged[1].split(' ')[0]} ${at}`);
    assert.deepEqual(damaged, await outcome(bytes.subarray(0, at + 30)));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a byte stream is read into whole buffers, reused only when asked', async () => {
  const bytes = new Uint8Array(5 * 1024 * 1024 + 123).map((_, i) => (i * 7) & 255);
  for (const reuse of [true, false]) {
    const sizes: number[] = [];
    const kept: Uint8Array[] = [];
    const copy = new Uint8Array(bytes.length);
    let at = 0;
    for await (const chunk of sourceChunks(pieces(bytes, 1000, 'bytes'), 1 << 20, reuse)) {
      sizes.push(chunk.length);
      copy.set(chunk, at);
      at += chunk.length;
      kept.push(chunk);
    }
    assert.deepEqual(sizes, [1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 123], `reuse ${reuse}`);
    assert.deepEqual(copy, bytes);
    // Without reuse every chunk keeps its bytes; with reuse the buffers were handed to later reads.
    assert.equal(kept.every((k, i) => k.length === sizes[i]), !reuse);
  }
  const plain: number[] = [];
  for await (const chunk of sourceChunks(pieces(bytes.subarray(0, 5000), 1000), 1 << 20, true)) plain.push(chunk.length);
  assert.deepEqual(plain, [1000, 1000, 1000, 1000, 1000], 'a default stream is read chunk by chunk');
});

test('readAhead keeps one read under way, reuses two buffers only when asked, and closes after the last read settles', async () => {
  const bytes = new Uint8Array(10_000).map((_, i) => (i * 13) & 255);
  const run = async (reuse: boolean, stopAfter = Infinity, failAt = Infinity) => {
    const log: string[] = [];
    let at = 0, inFlight = 0, maxInFlight = 0;
    const read = async (into: Uint8Array): Promise<number> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      if (at >= failAt) throw new Error('EIO');
      // Short reads, as a pipe gives them: never more than 3000 bytes.
      const n = Math.min(into.length, 3000, bytes.length - at);
      into.set(bytes.subarray(at, at + n));
      at += n;
      log.push(`read ${n}`);
      return n;
    };
    const chunks: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    let error = '';
    try {
      for await (const c of readAhead(read, () => { log.push(`close, ${inFlight} in flight`); }, 4096, reuse)) {
        chunks.push(c);
        copies.push(c.slice());
        if (chunks.length >= stopAfter) break;
      }
    } catch (e) {
      error = (e as Error).message;
    }
    return { log, chunks, copies, maxInFlight, error };
  };
  for (const reuse of [true, false]) {
    const r = await run(reuse);
    assert.deepEqual(r.copies.map((c) => c.length), [3000, 3000, 3000, 1000]);
    assert.deepEqual(Buffer.concat(r.copies), Buffer.from(bytes));
    assert.equal(r.maxInFlight, 1);
    assert.equal(r.log.at(-1), 'close, 0 in flight');
    // With reuse, two buffers take turns: the chunk two back shares its buffer with this one.
    const buffers = new Set(r.chunks.map((c) => c.buffer));
    assert.equal(buffers.size, reuse ? 2 : 4, `reuse ${reuse}`);
  }
  // A consumer that stops early: the read already under way settles before the file closes.
  const early = await run(true, 1);
  assert.deepEqual(early.log, ['read 3000', 'read 3000', 'close, 0 in flight']);
  // A failing read reaches the consumer, and the file still closes.
  const failed = await run(false, Infinity, 6000);
  assert.equal(failed.error, 'EIO');
  assert.deepEqual(failed.copies.map((c) => c.length), [3000, 3000]);
  assert.equal(failed.log.at(-1), 'close, 0 in flight');
});

test('connLog() writes TSV with header and close', { skip: !ready && 'core or corpus missing' }, async () => {
  let text = '';
  for await (const s of connLog(TRACE, { ignore_checksums: true })) text += s;
  assert.match(text, /^#separator \\x09\n/);
  assert.match(text, /\n#close\t\d{4}-/);
  assert.equal(text.split('\n').filter((l) => l && !l.startsWith('#')).length, 1);
});

test('connLog() rows, in-thread and in worker mode, equal ConnLogWriter over the events, also up to a damaged record', { skip: !ready && 'core or corpus missing' }, async () => {
  const small = join(ROOT, '..', 'shared', 'conformance', 'real', 'small', 'small.pcap');
  const bytes = readFileSync(small);
  // A record halfway gets an absurd captured length: the rows of the connections seen so far still come, then the error.
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  let at = 24;
  while (at < bytes.length >> 1) at += 16 + dv.getUint32(at + 8, true);
  const damaged = new Uint8Array(bytes);
  new DataView(damaged.buffer).setUint32(at + 8, 0x7fffffff, true);
  for (const source of [small, damaged]) {
    for (const format of ['tsv', 'json'] as const) {
      const opts = { format, now: () => new Date(2026, 0, 1) };
      const viaEvents = async (): Promise<[string, unknown]> => {
        const w = new ConnLogWriter(opts);
        let text = w.header();
        try {
          for await (const e of analyze(source, { deliver: ['connection_state_remove'] })) text += w.event(e);
        } catch (e) { return [text, (e as Error).message]; }
        return [text + w.footer(), null];
      };
      const viaConnLog = async (worker: boolean): Promise<[string, unknown]> => {
        let text = '';
        try {
          for await (const s of connLog(source, { ...opts, worker })) text += s;
        } catch (e) { return [text, (e as Error).message]; }
        return [text, null];
      };
      const want = await viaEvents();
      assert.ok(want[0].split('\n').length > (source === small ? 1500 : 100), 'rows');
      assert.equal(want[1] === null, source === small);
      assert.deepEqual(await viaConnLog(false), want, `in-thread ${format}`);
      assert.deepEqual(await viaConnLog(true), want, `worker ${format}`);
    }
  }
});

test('bad options fail before any input is read', { skip: !ready && 'core missing' }, async () => {
  await assert.rejects(async () => { for await (const _ of analyze(TRACE, { seed: -1 })) void _; }, SynackOptionError);
});

test('an unreadable capture is a SynackCaptureError with offset and code', { skip: !ready && 'core missing' }, async () => {
  const a = Analyzer.createSync(await loadCore());
  assert.throws(() => { a.push(new TextEncoder().encode('garbage!')); a.finish(); }, (e: unknown) => {
    assert.ok(e instanceof SynackCaptureError);
    assert.equal(e.code, 1);
    assert.equal(e.offset, 0);
    assert.match(e.message, /^byte 0: not a pcap or pcapng file/);
    return true;
  });
  assert.throws(() => a.push(new Uint8Array(4)), SynackCaptureError, 'stays failed');
});

const REAL = join(ROOT, '..', 'shared', 'conformance', 'real', 'small', 'small.pcap');

test('undelivered events leave the delivered ones, snapshots included, exactly as with every event delivered', { skip: !ready && 'core or corpus missing' }, async () => {
  // Subscribed but undelivered events are raised in the same units as delivered ones (every packet raises
  // tcp_packet): the delivered records must show the snapshot as of the unit's last raise all the same.
  const deliver = ['connection_established', 'connection_state_remove', 'conn_weird', 'connection_SYN_packet', 'content_gap'] as const;
  const wanted = new Set<string>(deliver);
  for (const trace of [TRACE, join(CASES, 'quantum-insert', 'qi_internet_SYNACK_curl_jsonip.pcap'), join(CASES, 'rst-after-data', 'syn-then-stuff-then-rst.pcap'), REAL]) {
    const full: SynackEvent[] = [];
    for await (const batch of analyze(trace, { subscribe: ALL }).batches()) for (const e of batch) if (wanted.has(e.name)) full.push(e);
    const some: SynackEvent[] = [];
    for await (const e of analyze(trace, { subscribe: ALL, deliver })) some.push(e);
    assert.ok(some.length > 0, trace);
    assert.ok(some.every((e) => wanted.has(e.name)), 'only delivered events');
    assert.equal(lines(some), lines(full), trace);
  }
});

test('deliver names subscribed events only', { skip: !ready && 'core missing' }, async () => {
  const run = async (o: Parameters<typeof analyze>[1]) => { for await (const _ of analyze(TRACE, o)) void _; };
  await assert.rejects(run({ subscribe: ['new_connection'], deliver: ['connection_state_remove'] }), /option deliver: "connection_state_remove" is not subscribed/);
  await assert.rejects(run({ deliver: ['no_such_event' as never] }), /option deliver: unknown event "no_such_event"/);
});

test('a run reads as events or as bounded batches, once', { skip: !ready && 'core or corpus missing' }, async () => {
  const opts = { subscribe: ALL, ignore_checksums: true };
  const events: SynackEvent[] = [];
  for await (const e of analyze(TRACE, opts)) events.push(e);
  const run = analyze(TRACE, opts);
  const batches: (readonly SynackEvent[])[] = [];
  for await (const b of run.batches()) batches.push(b);
  assert.ok(batches.length > 1 && batches.every((b) => b.length > 0 && b.length <= 512), 'batches of 1..512 events');
  assert.equal(lines(batches.flat()), lines(events));
  assert.throws(() => run.batches(), /read once/);
  assert.throws(() => run[Symbol.asyncIterator](), /read once/);
});
