/**
 * Named-state scenarios: the rows of TA §20 (histories and states Zeek produced on traces of its test suite),
 * rebuilt as scripted exchanges, checking history, conn_state, both endpoint states and the row's extras.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalyzerOptions, Connection } from '../../bindings/core/api.ts';
import { Capture, NOISE, final, only, run, skip, summary, trace, type Flow } from './support.ts';

interface Row {
  /** The TA §20 situation. */
  name: string;
  /** Client 10.0.0.1:<port>, server 10.0.0.2:<port>. */
  ports?: [number, number];
  script(f: Flow): void;
  options?: AnalyzerOptions;
  /** "history conn_state ORIG_STATE/RESP_STATE" of the final record. */
  expect: string;
  check?(c: Connection): void;
}

const BARE: AnalyzerOptions = { likely_server_ports_tcp: [] };

const ROWS: Row[] = [
  {
    name: 'normal HTTP GET (port 80)',
    script: (f) => f.handshake().send('o', 'PA', { data: 'GET / HTTP/1.0\r\n\r\n' }).send('r', 'A')
      .send('r', 'PA', { data: 'HTTP/1.0 200 OK\r\n\r\n' }).send('o', 'FA').send('r', 'FA').send('o', 'A'),
    expect: 'ShADadFf SF TCP_CLOSED/TCP_CLOSED',
  },
  {
    name: 'SYN-ACK first, then SYN (bare mode, no likely ports)',
    options: BARE,
    script: (f) => f.send('r', 'SA', { ack: 1001 }).send('o', 'S').send('o', 'A').send('o', 'PA', { data: 'GET' })
      .send('r', 'A').send('r', 'PA', { data: 'OK' }).send('o', 'FA').send('r', 'FA').send('o', 'A'),
    expect: 'Hs^ADadFf SF TCP_CLOSED/TCP_CLOSED',
  },
  {
    name: 'SYN missing, SYN-ACK from port 80 (F1 flip)',
    script: (f) => f.send('r', 'SA').send('o', 'A').send('o', 'PA', { data: 'GET' }).send('r', 'PA', { data: 'OK' })
      .send('o', 'FA').send('r', 'A').send('r', 'FA').send('o', 'A'),
    expect: '^hADdFaf SF TCP_CLOSED/TCP_CLOSED',
  },
  {
    name: 'SYN missing, SYN-ACK from 80 to 6669, both likely ports (F2 flip)',
    ports: [6669, 80],
    script: (f) => f.send('r', 'SA').send('o', 'A').send('o', 'PA', { data: 'GET' }).send('r', 'A')
      .send('r', 'PA', { data: 'OK' }).send('o', 'FA').send('r', 'FA').send('o', 'A'),
    expect: '^hADadFf SF TCP_CLOSED/TCP_CLOSED',
  },
  {
    name: 'only server packets SYN-ACK, ACK, FIN (bare mode)',
    options: BARE,
    script: (f) => f.send('r', 'SA').send('r', 'A').send('r', 'FA'),
    expect: '^haf SHR TCP_INACTIVE/TCP_CLOSED',
    check: (c) => assert.deepEqual([c.orig.num_pkts, c.resp.num_pkts], [0, 3]),
  },
  {
    name: 'only the server side of an SSH session',
    ports: [40000, 22],
    script: (f) => f.send('r', 'SA').send('r', 'PA', { data: 'SSH-2.0-x\r\n' }).send('r', 'A').send('r', 'FA'),
    expect: '^hdaf SHR TCP_INACTIVE/TCP_CLOSED',
    check: (c) => assert.equal(c.orig.size, 0),
  },
  {
    name: 'lone bad-checksum SYN',
    script: (f) => f.send('o', 'S', { badChecksum: true }),
    expect: 'C OTH TCP_INACTIVE/TCP_INACTIVE',
    check: (c) => {
      assert.deepEqual([c.orig.num_pkts, c.resp.num_pkts], [0, 0]);
      assert.equal(c.duration, 0);
    },
  },
  {
    name: 'lone RST',
    ports: [40000, 5555],
    script: (f) => f.send('o', 'RA'),
    expect: 'R OTH TCP_RESET/TCP_INACTIVE',
  },
  {
    name: 'lone RST from port 80',
    script: (f) => f.send('r', 'RA'),
    expect: '^r RSTRH TCP_INACTIVE/TCP_RESET',
  },
  {
    name: 'SYN, RST',
    script: (f) => f.send('o', 'S').send('o', 'R'),
    expect: 'SR RSTOS0 TCP_RESET/TCP_INACTIVE',
  },
  {
    name: 'SYN, responder ACK, RST',
    script: (f) => f.send('o', 'S').send('r', 'A').send('o', 'R'),
    expect: 'SaR RSTOS0 TCP_RESET/TCP_INACTIVE',
  },
  {
    name: 'SYN, responder ACK, FIN, RST',
    script: (f) => f.send('o', 'S').send('r', 'A').send('o', 'FA').send('o', 'R'),
    expect: 'SaFR OTH TCP_RESET/TCP_INACTIVE',
  },
  {
    name: 'SYN, ACK, data, FIN, responder never seen',
    script: (f) => f.send('o', 'S').send('o', 'A').send('o', 'PA', { data: 'abc' }).send('o', 'FA'),
    expect: 'SADF SH TCP_CLOSED/TCP_INACTIVE',
    check: (c) => assert.equal(c.resp.size, 0),
  },
  {
    name: 'FIN from the server port first, client ACK',
    script: (f) => f.send('r', 'FA').send('o', 'A'),
    expect: '^fA SHR TCP_PARTIAL/TCP_CLOSED',
  },
  {
    name: 'client FIN first, then server ACK',
    script: (f) => f.send('o', 'FA').send('r', 'A'),
    expect: 'Fa SH TCP_CLOSED/TCP_PARTIAL',
  },
  {
    name: 'the same SYN seen twice, no answer',
    script: (f) => f.send('o', 'S').send('o', 'S', { seq: 1000 }),
    expect: 'S S0 TCP_SYN_SENT/TCP_INACTIVE',
    check: (c) => assert.equal(c.orig.num_pkts, 2),
  },
  {
    name: 'orig FIN, orig RST, then resp FIN (FIN after RST reverts the RST side to CLOSED)',
    script: (f) => f.handshake().send('o', 'PA', { data: 'a' }).send('r', 'A').send('r', 'PA', { data: 'b' })
      .send('o', 'FA').send('o', 'RA').send('r', 'FA'),
    expect: 'ShADadFRf SF TCP_CLOSED/TCP_CLOSED',
  },
  {
    name: 'both FIN, then resp RST',
    script: (f) => f.handshake().send('r', 'PA', { data: 'b' }).send('o', 'PA', { data: 'a' }).send('r', 'A')
      .send('r', 'FA').send('o', 'FA').send('r', 'RA'),
    expect: 'ShAdDafFr SF TCP_CLOSED/TCP_CLOSED',
  },
  {
    name: 'resp FIN then resp RST',
    script: (f) => f.handshake().send('r', 'PA', { data: 'b' }).send('o', 'PA', { data: 'a' }).send('r', 'A')
      .send('r', 'FA').send('r', 'RA'),
    expect: 'ShAdDafr RSTR TCP_ESTABLISHED/TCP_RESET',
  },
  {
    name: 'retransmissions and gaps, ends with an originator RST',
    script: (f) => f.handshake().send('o', 'PA', { data: 'a' })
      .send('r', 'A', { ack: 1012 }) // acknowledges 10 bytes never seen: G
      .send('r', 'PA', { data: 'b' })
      .send('o', 'A', { ack: 5012 }) // the same the other way: g
      .send('r', 'PA', { data: 'b', seq: 5001 }) // t
      .send('o', 'RA', { seq: 1012 }),
    expect: 'ShADaGdgtR RSTO TCP_RESET/TCP_ESTABLISHED',
    check: (c) => assert.equal(c.missed_bytes, 20),
  },
  {
    name: 'injected RST before the SYN-ACK',
    script: (f) => f.send('o', 'S').send('r', 'RA', { seq: 0 }).send('r', 'SA').send('o', 'A')
      .send('o', 'PA', { data: 175 }),
    expect: 'SrhAD REJ TCP_SYN_SENT/TCP_RESET',
    check: (c) => assert.deepEqual([c.orig.size, c.resp.size], [175, 0]),
  },
];

for (const row of ROWS) {
  test(`TA §20: ${row.name} → ${row.expect}`, { skip }, async () => {
    const cap = new Capture();
    const [cp, sp] = row.ports ?? [40000, 80];
    row.script(cap.flow(`10.0.0.1:${cp}`, `10.0.0.2:${sp}`));
    const evs = await run(cap, row.options);
    const c = final(evs);
    assert.equal(summary(c), row.expect, trace(evs, NOISE).join('\n'));
    row.check?.(c);
  });
}

test('TA §20: bad-checksum SYN, then a valid SYN-ACK and server data (bare): rows C and HcADF, SH', { skip }, async () => {
  const cap = new Capture();
  cap.flow().send('o', 'S', { badChecksum: true }).send('r', 'SA', { ack: 1001 }).send('o', 'A', { badChecksum: true })
    .send('r', 'A').send('r', 'PA', { data: 'banner' }).send('r', 'FA');
  const evs = await run(cap, BARE);
  // The SYN-ACK meets a connection whose originator is still INACTIVE: reuse (TA §5), the server becomes originator.
  assert.deepEqual(only(evs, 'conn_weird').slice(0, 1).map((e) => e.weird_name), ['bad_TCP_checksum']);
  assert.ok(only(evs, 'conn_weird').some((e) => e.weird_name === 'active_connection_reuse'));
  const [first, second] = only(evs, 'connection_state_remove').map((e) => e.c);
  assert.equal(summary(first), 'C OTH TCP_INACTIVE/TCP_INACTIVE');
  assert.equal(second.id.orig_p, 80);
  assert.equal(summary(second), 'HcADF SH TCP_CLOSED/TCP_INACTIVE');
});

test('from ESTABLISHED, a FIN from orig then a RST from resp → CLOSED/RESET, RSTR; connection_reset, no finished', { skip }, async () => {
  const cap = new Capture();
  cap.flow().handshake().send('o', 'PA', { data: 'a' }).send('o', 'FA').send('r', 'RA');
  const evs = await run(cap);
  assert.deepEqual(trace(evs, NOISE).slice(5), [
    '5 connection_EOF(T)', '6 connection_reset', '6 connection_EOF(F)', '6 connection_state_remove',
  ]);
  assert.equal(summary(final(evs)), 'ShADFr RSTR TCP_CLOSED/TCP_RESET');
  assert.equal(only(evs, 'connection_finished').length, 0);
});
