/** conn.log writer: TSV header and rows (rounding, unset/empty, escaping), JSON lines, local_nets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { CONN_COLUMNS, ConnLogWriter, connRow } from '../../bindings/logs/conn-log.ts';
import { fixed6, jsonDouble } from '../../bindings/logs/numbers.ts';
import { analyze } from '../../bindings/node.ts';
import { sampleConnection } from '../support/samples.ts';
import type { Connection } from '../../bindings/core/events.generated.ts';
import { parseSubnet } from '../../bindings/core/addr.ts';
import { formatUid } from '../../bindings/core/format.ts';
import { newRawConnection, rawSnapshot, readRecord } from '../../bindings/core/records.generated.ts';
import { RawRows } from '../../bindings/logs/conn-raw.ts';
import { LocalNets } from '../../bindings/logs/local-nets.ts';
import { Reader } from '../../bindings/core/wire.ts';
import { encodeRecord } from '../support/encode.generated.ts';
import { MemoryViews } from '../../bindings/core/memory.ts';
import { RingReader } from '../../bindings/core/ring-reader.ts';
import type { SynackEvent } from '../../bindings/core/events.generated.ts';
import { TestRing } from '../support/ring.ts';
import { plain } from '../support/plain.ts';

const now = () => new Date(2026, 0, 2, 3, 4, 5);

/** Zeek's documentation example: a lone bad-checksum SYN (events.md §3.4). */
const loneSyn: Connection = sampleConnection({
  id: { orig_h: '141.142.228.5', orig_p: 59856, resp_h: '192.150.187.43', resp_p: 80, proto: 6 },
  orig: { size: 0, state: 0, num_pkts: 0, num_bytes_ip: 0, flow_label: 0 },
  resp: { size: 0, state: 0, num_pkts: 0, num_bytes_ip: 0, flow_label: 0 },
  uid: 'CHhAvVGS1DHFjwGM9', start_time: 1362692526.869344, duration: 0, history: 'C', conn_state: 'OTH', vlan: undefined,
});

test('JSON line matches Zeek\'s documented example', () => {
  const w = new ConnLogWriter({ format: 'json' });
  assert.equal(w.header(), '');
  assert.equal(w.line(loneSyn),
    '{"ts":1362692526.869344,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"141.142.228.5","id.orig_p":59856,"id.resp_h":"192.150.187.43",' +
    '"id.resp_p":80,"proto":"tcp","conn_state":"OTH","local_orig":false,"local_resp":false,"missed_bytes":0,' +
    '"history":"C","orig_pkts":0,"orig_ip_bytes":0,"resp_pkts":0,"resp_ip_bytes":0,"ip_proto":6}\n');
  assert.equal(w.footer(), '');
});

test('TSV header lines and close line', () => {
  const w = new ConnLogWriter({ now });
  const lines = w.header().split('\n');
  assert.deepEqual(lines.slice(0, 6), ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', '#open\t2026-01-02-03-04-05']);
  assert.equal(lines[6].split('\t').length, 23);
  assert.equal(lines[6], '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto');
  assert.equal(lines[7], '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tcount');
  assert.equal(w.footer(), '#close\t2026-01-02-03-04-05\n');
});

test('TSV rows: unset markers, bools, 6-decimal times', () => {
  const w = new ConnLogWriter();
  assert.equal(w.line(loneSyn), '1362692526.869344\tCHhAvVGS1DHFjwGM9\t141.142.228.5\t59856\t192.150.187.43\t80\ttcp\t-\t-\t-\t-\tOTH\tF\tF\t0\tC\t0\t0\t0\t0\t-\t6\n');
  const c = sampleConnection({ duration: 300.00001, start_time: 1258589770.049012 });
  const f = w.line(c).trimEnd().split('\t');
  assert.equal(f.length, 22);
  assert.deepEqual(f.slice(0, 2), ['1258589770.049012', 'CHhAvVGS1DHFjwGM9']);
  assert.deepEqual(f.slice(8, 16), ['300.000010', '104', '0', 'S1', 'T', 'T', '0', 'ShAD']);
});

test('duration ≤ 0 unsets duration and both byte counts; counting off unsets the packet columns', () => {
  const c = sampleConnection({ duration: -0.5 });
  c.orig.num_pkts = undefined;
  const row = connRow(c);
  assert.deepEqual(row.slice(8, 11), [undefined, undefined, undefined]);
  assert.deepEqual(row.slice(16, 20), [undefined, undefined, undefined, undefined]);
  const json = new ConnLogWriter({ format: 'json' }).line(c);
  assert.ok(!json.includes('"duration"') && !json.includes('"orig_bytes"') && !json.includes('"orig_pkts"'));
});

test('empty history is unset; strings are escaped', () => {
  assert.equal(connRow(sampleConnection({ history: '' }))[15], undefined);
  const f = new ConnLogWriter().line(sampleConnection({ history: 'a\tb\x01' })).split('\t');
  assert.equal(f[15], 'a\\x09b\\x01');
  assert.equal(new ConnLogWriter().line(sampleConnection({ history: '-' })).split('\t')[15], '\\x2d');
});

test('6-decimal times are correctly rounded, ties to even', () => {
  assert.equal(fixed6(1362692526.869344), '1362692526.869344');
  assert.equal(fixed6(0.141744), '0.141744');
  assert.equal(fixed6(300.00001), '300.000010');
  assert.equal(fixed6(0.0078125), '0.007812', 'exact tie → even');
  assert.equal(fixed6(0.0234375), '0.023438', 'exact tie → even (up)');
  assert.equal(fixed6(1.0000005), '1.000001', 'not a tie: the double is above');
  assert.equal(fixed6(1.5e-6), '0.000002');
  assert.equal(fixed6(5), '5.000000');
  assert.equal(fixed6(-0.0078125), '-0.007812');
});

/** printf("%.6f") by exact arithmetic: the double's value as a fraction of bigints, rounded half to even. */
function exactFixed6(x: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(x));
  const bits = dv.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const mant = (bits & ((1n << 52n) - 1n)) | (exp === 0 ? 0n : 1n << 52n);
  const e2 = (exp === 0 ? 1 : exp) - 1075; // value = mant * 2^e2
  const num = e2 >= 0 ? mant * 10n ** 6n << BigInt(e2) : mant * 10n ** 6n;
  const den = e2 >= 0 ? 1n : 1n << BigInt(-e2);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const t = q.toString().padStart(7, '0');
  return `${x < 0 && q !== 0n ? '-' : ''}${t.slice(0, -6)}.${t.slice(-6)}`;
}

test('6-decimal times match exact rounding on random doubles and on every kind of tie', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const xs: number[] = [];
  for (let i = 0; i < 3000; i++) {
    xs.push(1.7e9 + rand() * 1e6, rand() * 1000, rand() * 1e-3, -rand() * 10);
    // exact ties: odd multiples of 1/128 (and of 1/64, 1/32 …, which are not ties), at several magnitudes
    const k = Math.floor(rand() * 1e6);
    xs.push(k + (2 * Math.floor(rand() * 64) + 1) / 128, k + Math.floor(rand() * 64) / 64, -(k + 0.0078125));
    // near a half unit of the 6th decimal, around the fast path's 2^51/10^6 limit, and far above it
    const j = Math.floor(rand() * 2 ** 50);
    xs.push((j + 0.5) / 1e6, (j + 0.25) / 1e6, (j + 0.75) / 1e6, 2 ** 51 / 1e6 * (0.999 + rand() * 0.002), 1e12 + rand() * 1e9);
  }
  for (const x of xs) assert.equal(fixed6(x), exactFixed6(x), String(x));
});

test('JSON doubles: shortest round trip, integral with .0', () => {
  assert.equal(jsonDouble(5), '5.0');
  assert.equal(jsonDouble(0.19111895561218262), '0.19111895561218262');
  assert.equal(jsonDouble(1362692526.869344), '1362692526.869344');
  assert.equal(jsonDouble(1e-7), '1e-7');
});

test('local_orig/local_resp: private space by default, plus local_nets', () => {
  const c = sampleConnection({ id: { orig_h: '8.8.8.8', orig_p: 1, resp_h: 'fd00::1', resp_p: 2, proto: 6 } });
  assert.deepEqual(connRow(c).slice(12, 14), [false, true]);
  const w = new ConnLogWriter({ format: 'json', localNets: ['8.8.0.0/16'] });
  assert.match(w.line(c), /"local_orig":true,"local_resp":true/);
  const v6 = sampleConnection({ id: { orig_h: '2002:c0a8:101::1', orig_p: 1, resp_h: '2001:1::1', resp_p: 2, proto: 6 } });
  assert.deepEqual(connRow(v6).slice(12, 14), [true, true], '6to4 of 192.168/16 and 2001::/23 are local');
  const pub = sampleConnection({ id: { orig_h: '2001:4860::1', orig_p: 1, resp_h: '172.32.0.1', resp_p: 2, proto: 6 } });
  assert.deepEqual(connRow(pub).slice(12, 14), [false, false]);
});

test('IPv6 addresses and large counts in rows', () => {
  const c = sampleConnection({ missed_bytes: 2n ** 60n });
  const f = new ConnLogWriter().line(c).split('\t');
  assert.equal(f[4], '2001:db8::21');
  assert.equal(f[14], '1152921504606846976');
  assert.match(new ConnLogWriter({ format: 'json' }).line(c), /"missed_bytes":1152921504606846976,/);
});

/** Zeek's ASCII writer for one value of a column's log type (events.md §3.3): the reference the TSV rows are held to. */
function tsvValue(type: string, v: unknown): string {
  const text = (s: string): string => s === '' ? '(empty)' : s === '-' ? '\\x2d'
    // eslint-disable-next-line no-control-regex
    : s.replace(/[\x00-\x1f\x7f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (v === undefined) return '-';
  if (type === 'time' || type === 'interval') return fixed6(v as number);
  if (type === 'bool') return v ? 'T' : 'F';
  if (type === 'string' || type === 'enum' || type === 'addr') return text(v as string);
  if (type.startsWith('set[')) return (v as string[]).length === 0 ? '(empty)' : (v as string[]).map(text).join(',');
  return String(v);
}
const tsvRow = (row: unknown[]): string => row.map((v, i) => tsvValue(CONN_COLUMNS[i][1], v)).join('\t') + '\n';

test('TSV rows written directly equal connRow formatted by column type, on real traces and odd values', async () => {
  const cases = join(import.meta.dirname, '..', '..', '..', 'shared', 'conformance');
  const traces = [join(cases, 'real', 'small', 'small.pcap'), join(cases, 'cases', 'tcp-dups', 'ssh-dups.pcap'),
    join(cases, 'cases', 'quantum-insert', 'qi_internet_SYNACK_curl_jsonip.pcap')];
  const nets = ['10.99.0.0/25', '2001:db8::/32'];
  const w = new ConnLogWriter({ localNets: nets });
  const wj = new ConnLogWriter({ localNets: nets, format: 'json' });
  const generic = (c: Connection) => tsvRow(connRow(c, nets.map((n) => parseSubnet(n)!)));
  let rows = 0;
  for (const trace of traces) {
    for await (const e of analyze(trace, { deliver: ['connection_state_remove'] })) {
      if (e.name !== 'connection_state_remove') continue;
      // events() first: it writes from the undecoded snapshot only while nobody has read e.c.
      const raw = w.events([e]), rawJson = wj.events([e]);
      assert.equal(raw, generic(e.c), `${trace} ${e.c.uid} (from the snapshot bytes)`);
      assert.equal(w.line(e.c), raw, `${trace} ${e.c.uid}`);
      assert.equal(rawJson, wj.line(e.c), `${trace} ${e.c.uid} (JSON from the snapshot bytes)`);
      rows++;
    }
  }
  assert.ok(rows > 1500, `${rows} rows`);
  const odd: Connection[] = [
    loneSyn,
    sampleConnection({ history: 'a\tb\x01', missed_bytes: 2n ** 60n, tunnel_parents: ['Cx', 'C\ty'], duration: 0.0078125 }),
    sampleConnection({ history: '-', duration: -1, uid: '', conn_state: '-' as Connection['conn_state'] }),
    sampleConnection({ id: { orig_h: '10.99.0.200', orig_p: 0, resp_h: '2001:db8::1', resp_p: 65535, proto: 6 } }),
    sampleConnection(),
    sampleConnection({ id: { orig_h: '8.8.8.8', orig_p: 53, resp_h: '10.1.1.1', resp_p: 80, proto: 6 } }),
  ];
  odd[3].orig.num_bytes_ip = undefined;
  odd[4].orig.num_pkts = undefined;
  for (const c of odd) assert.equal(w.line(c), generic(c), JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? String(v) : v)));

  // The same from ring records, whose snapshots events() writes without decoding them (uids must be real ones
  // there). A history that is not ASCII is written from the decoded snapshot, in its place in the batch.
  const viaRecord = (c: Connection) => {
    const rec = encodeRecord({ name: 'connection_state_remove', ts: 1, frame: 1, c });
    return readRecord(new Reader(new DataView(rec.buffer, rec.byteOffset, rec.byteLength), rec), 0);
  };
  const uid = (n: number) => formatUid(n, n * 7, n * 13);
  const wireOdd = [
    ...odd.filter((c) => c.uid !== '' && c.tunnel_parents.length === 0),
    sampleConnection({ history: 'a\tb\x01\x7f', missed_bytes: 2n ** 60n, tunnel_parents: [uid(1), uid(2 ** 31), uid(0)], duration: 0.0078125 }),
    sampleConnection({ history: '-', duration: -1, conn_state: 'RSTOS0', start_time: 2 ** 52 + 0.5 }),
    sampleConnection({ history: 'ShAdDaFf', start_time: 1e-7, duration: 1.0000005, orig: { ...sampleConnection().orig, size: 2 ** 53 - 1 } }),
    sampleConnection({ history: 'Sh\u00e9', uid: uid(5) }),
    sampleConnection({ history: 'a"b\\c', uid: uid(6) }),
    sampleConnection({ id: { orig_h: '::ffff:10.0.0.1', orig_p: 1, resp_h: '::1.2.3.4', resp_p: 2, proto: 6 } }),
    sampleConnection({ id: { orig_h: 'fe80::1', orig_p: 1, resp_h: '2001:db8:ffff::2', resp_p: 2, proto: 6 } }),
  ];
  // Expected: the decoded snapshot's row (the wire form prints an IPv4-mapped address as IPv4).
  const decoded = wireOdd.map((c) => (viaRecord(c) as { c: Connection }).c);
  const expected = decoded.map(generic);
  assert.equal(w.events(wireOdd.map(viaRecord)), expected.join(''));
  assert.equal(wj.events(wireOdd.map(viaRecord)), decoded.map((c) => wj.line(c)).join(''));
  wireOdd.forEach((c, i) => {
    const show = JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? String(v) : v));
    // Only a history that TSV escapes differently from JSON (not ASCII; for JSON also a control character,
    // a quote or a backslash) may need the decoded snapshot.
    const e = viaRecord(c), ej = viaRecord(c);
    if (/^[\x00-\x7f]*$/.test(c.history)) Object.defineProperty(e, 'c', { get: () => assert.fail('the row decoded the snapshot') });
    if (/^[\x20-\x7f]*$/.test(c.history) && !/["\\]/.test(c.history)) {
      Object.defineProperty(ej, 'c', { get: () => assert.fail('the JSON row decoded the snapshot') });
    }
    assert.equal(w.events([e]), expected[i], show);
    assert.equal(wj.events([ej]), wj.line(decoded[i]), `JSON ${show}`);
  });
});

test('local_orig/local_resp of IPv4 addresses equal the general subnet test, whatever form the local nets take', () => {
  let seed = 99;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const addrs = ['10.1.2.3', '172.31.255.255', '172.32.0.1', '192.168.0.1', '8.8.8.8', '8.8.9.1', '0.0.0.0', '255.255.255.255',
    '100.64.1.1', '100.128.0.1', '010.001.2.3', '224.0.0.5', '239.1.1.1', '198.19.255.255'];
  for (let i = 0; i < 300; i++) addrs.push([0, 0, 0, 0].map(() => Math.floor(rand() * 256)).join('.'));
  // IPv6 subnets that hold every IPv4-mapped address (::/0, ::/80) or none (::/81, 2001:db8::/32).
  const netSets = [[], ['8.8.0.0/16'], ['::/0'], ['::/80'], ['::/81'], ['2001:db8::/32', '0.0.0.0/0'], ['9.0.0.0/7', '1.2.3.4/32'],
    ['128.0.0.0/1', '12.0.0.0/6', '64.0.0.0/3']];
  for (const nets of netSets) {
    const w = new ConnLogWriter({ localNets: nets });
    const parsed = nets.map((n) => parseSubnet(n)!);
    for (let i = 0; i + 1 < addrs.length; i += 2) {
      const c = sampleConnection({ id: { orig_h: addrs[i], orig_p: 1, resp_h: addrs[i + 1], resp_p: 2, proto: 6 } });
      const f = w.line(c).split('\t');
      const want = connRow(c, parsed).slice(12, 14).map((b) => (b ? 'T' : 'F'));
      assert.deepEqual(f.slice(12, 14), want, `${addrs[i]} ${addrs[i + 1]} with ${nets.join(',') || 'defaults'}`);
    }
  }
});

test('as a record taker, the writer takes connection_state_remove records from the ring in order, whatever their form', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
  const ptr = 1024, ring = new TestRing(memory, ptr, 4096), reader = new RingReader(new MemoryViews(memory), ptr);
  const a = sampleConnection({ history: 'ShADadFf' });
  const b = sampleConnection({ history: 'ShA', uid: formatUid(7, 8, 9), id: { orig_h: '2001:db8::1', orig_p: 1, resp_h: '10.1.2.3', resp_p: 80, proto: 6 } });
  const c = sampleConnection({ history: 'Sh\u00e9', uid: formatUid(10, 11, 12) }); // not ASCII: written from the decoded snapshot
  const d = sampleConnection({ history: 'Dr', uid: formatUid(13, 14, 15), duration: 0 });
  const remove = (conn: Connection, same = false) => encodeRecord({ name: 'connection_state_remove', ts: 1, frame: 1, c: conn }, same);
  const option = encodeRecord({ name: 'tcp_option', ts: 1, frame: 1, is_orig: true, opt: 8, optlen: 10, c: b });
  const decoded = (conn: Connection) => { const r = remove(conn); return (readRecord(new Reader(new DataView(r.buffer), r), 0) as { c: Connection }).c; };
  for (const format of ['tsv', 'json'] as const) {
    const w = new ConnLogWriter({ format, now }), expect = new ConnLogWriter({ format, now });
    ring.reset(0);
    for (const rec of [remove(a), option, remove(b, true), remove(c), remove(d)]) assert.ok(ring.put(rec));
    const out: SynackEvent[] = [];
    assert.equal(reader.drain(out, w), 5);
    assert.deepEqual(out.map((e) => e.name), ['tcp_option'], 'records it does not take become events');
    assert.equal(w.events(out), [a, b, c, d].map((conn) => expect.line(decoded(conn))).join(''), format);
    // The last snapshot it read in place outlives its ring bytes: a later record may repeat it.
    new Uint8Array(memory.buffer, ptr + 16, 4096).fill(0xee);
    ring.reset(0);
    assert.ok(ring.put(encodeRecord({ name: 'connection_EOF', ts: 2, frame: 2, is_orig: false, c: d }, true)));
    reader.drain(out, w);
    assert.deepEqual(plain((out[1] as { c: Connection }).c), plain(decoded(d)), format);
  }
});

test('raw TSV and JSON rows fit the room reserved for them, with every field at its longest', () => {
  const big = 2n ** 64n - 1n;
  const uid = (n: number) => formatUid(0xffffffff - n, 0xffffffff, 0xffffffff);
  const longest: Connection[] = [
    sampleConnection({
      id: { orig_h: '1111:2222:3333:4444:5555:6666:7777:8888', orig_p: 65535, resp_h: 'ffff:eeee:dddd:cccc:bbbb:aaaa:9999:8888', resp_p: 65535, proto: 6 },
      orig: { size: big, state: 6, num_pkts: big, num_bytes_ip: big, flow_label: 0, l2_addr: undefined },
      resp: { size: big, state: 6, num_pkts: big, num_bytes_ip: big, flow_label: 0, l2_addr: undefined },
      uid: uid(0), start_time: 2 ** 64, duration: 1.8e19, missed_bytes: big, conn_state: 'RSTOS0',
      history: '\x01\x7f'.repeat(100), tunnel_parents: [uid(1), uid(2), uid(3), uid(4), uid(5)],
    }),
    sampleConnection({ start_time: -2147483648.5, duration: 1e300, history: '', uid: uid(6) }),
  ];
  // The same with a history JSON need not escape (the JSON row of the first falls back to the decoded snapshot).
  longest.push({ ...longest[0], history: 'ShADadFfRr'.repeat(12), start_time: -1.2345678901234567e-300, duration: 1.7976931348623157e308 });
  for (const format of ['tsv', 'json'] as const) {
    const expect = new ConnLogWriter({ format });
    for (const c of longest) {
      const rec = encodeRecord({ name: 'connection_state_remove', ts: 1, frame: 1, c });
      const e = readRecord(new Reader(new DataView(rec.buffer, rec.byteOffset, rec.byteLength), rec), 0);
      const rows = new RawRows(new LocalNets([]));
      const raw = newRawConnection();
      const r = rawSnapshot(e, raw)!;
      // An empty buffer: reserve() then makes exactly the room asked for, and a write past it would be lost.
      rows.out.u8 = new Uint8Array(0);
      const written = format === 'tsv' ? rows.tsv(r.u8, r.dv, raw) : rows.json(r.u8, r.dv, raw);
      assert.equal(written, format === 'tsv' || /^[\x20-\x7e]*$/.test(c.history), `${format}: written raw`);
      if (written) assert.equal(rows.out.take(), expect.line((e as { c: Connection }).c), format);
    }
  }
});
