/** Sample typed values for tests: a connection and one event of every kind, built from the event table. */
import { EVENT_INFO, RECORD_FIELDS, type Connection, type FieldInfo, type SynackEvent } from '../../bindings/core/events.generated.ts';
import { WEIRD_NAMES } from '../../bindings/core/constants.generated.ts';

export function sampleConnection(over: Partial<Connection> = {}): Connection {
  return {
    id: { orig_h: '192.168.1.102', orig_p: 36861, resp_h: '2001:db8::21', resp_p: 80, proto: 6 },
    orig: { size: 104, state: 4, num_pkts: 3, num_bytes_ip: 268, flow_label: 0, l2_addr: '00:1b:21:aa:bb:cc' },
    resp: { size: 0, state: 1, num_pkts: 1, num_bytes_ip: 60, flow_label: 0xfffff, l2_addr: undefined },
    uid: 'CHhAvVGS1DHFjwGM9',
    start_time: 1258589770.049012,
    duration: 0.191119,
    history: 'ShAD',
    vlan: 42,
    inner_vlan: undefined,
    missed_bytes: 0,
    conn_state: 'S1',
    tunnel_parents: [],
    ...over,
  };
}

let counter = 0;

/** A deterministic sample value of a schema type. */
export function sampleValue(f: FieldInfo): unknown {
  counter++;
  switch (f.type) {
    case 'bool': return counter % 2 === 0;
    case 'count': return counter * 1000 + 7;
    case 'int': return -counter;
    case 'time': return 1e9 + counter / 8;
    case 'tcpflags': return 'SA';
    case 'bytes': return Uint8Array.from({ length: counter % 5 }, (_, i) => i * 31 + 1);
    case 'text': return `text ${counter} ✓`;
    case 'addr': return counter % 2 ? '10.1.2.3' : 'fe80::217:f2ff:fed7:cf65';
    case 'weird': return WEIRD_NAMES[23];
    case 'source': return counter % 2 ? 'TCP' : '';
    case 'options': return [{ kind: 2, length: 4, mss: 1460 }, { kind: 1, length: 1 }, { kind: 3, length: 3, window_scale: 7 }];
    case 'port': return 443;
    case 'state': return 2;
    case 'connstate': return 'SF';
    case 'uid': return 'C1';
    case 'uids': return counter % 2 ? [] : ['C1', 'C2'];
    case 'mac': return '00:11:22:33:44:55';
  }
  const rec: Record<string, unknown> = {};
  for (const g of RECORD_FIELDS[f.type.slice(7)]) rec[g.name] = g.optional && counter % 3 === 0 ? undefined : sampleValue(g);
  return rec;
}

/** One sample event of every name in the table. */
export function sampleEvents(): SynackEvent[] {
  return EVENT_INFO.map((e, i) => {
    const ev: Record<string, unknown> = { name: e.name, ts: 1258589770.049012 + i, frame: i + 1 };
    for (const a of e.args) ev[a.name] = sampleValue(a);
    if (e.conn) ev.c = sampleConnection();
    return ev as unknown as SynackEvent;
  });
}
