/**
 * One renderer per conformance case with an expected.events.txt: it subscribes to exactly the events the case's
 * Zeek test script handled (subscriptions change behaviour, TA §17) and prints what that script printed
 * (case.json `events_description`), formatted as Zeek prints values.
 */
import type { EventName, EventOf, SynackEvent, TcpOption } from '../../bindings/core/api.ts';
import { bool, bytes, connId, count, print, time, vector } from './zeek-print.ts';

/** A renderer for one run: its subscription and a function from events to printed lines. */
export interface Renderer {
  subscribe: EventName[];
  /** Lines printed before any event (e.g. a log header). */
  header?: string[];
  /** Lines printed by the script's handlers for this event. */
  event(e: SynackEvent): string[];
}

/** Narrows an event to one name (the renderer only subscribed to its own events). */
function is<N extends EventName>(e: SynackEvent, name: N): e is EventOf<N> {
  return e.name === name;
}

/** core.tcp.options: one line per tcp_option, and per tcp_options the id, is_orig and each option's fields. */
function tcpOptions(): Renderer {
  return {
    subscribe: ['tcp_option', 'tcp_options'],
    event(e) {
      if (is(e, 'tcp_option')) return [print(connId(e.c), bool(e.is_orig), count(e.opt), count(e.optlen))];
      if (!is(e, 'tcp_options')) return [];
      return [print(connId(e.c), bool(e.is_orig)), ...e.options.flatMap(optionLines)];
    },
  };
}

/** Lines the options test prints for one TCP::Option. */
function optionLines(o: TcpOption): string[] {
  const out = [`  kind: ${o.kind}, length: ${o.length}`];
  if (o.data !== undefined) return [...out, `    data (${o.data.length}): ${bytes(o.data)}`];
  switch (o.kind) {
    case 2: out.push(`    mss: ${o.mss}`); break;
    case 3: out.push(`    window scale: ${o.window_scale}`); break;
    case 4: out.push('    sack permitted'); break;
    case 5: out.push(`    sack: ${vector(o.sack ?? [])}`); break;
    case 8: out.push(`    send ts: ${o.send_timestamp}`, `    echo ts: ${o.echo_timestamp}`); break;
    case 27: out.push(`     TTL Diff: ${o.ttl_diff}`); break;
  }
  return out;
}

/** conn_state-RST-behavior: connection_state_remove prints history and conn_state. */
function historyAndState(): Renderer {
  return {
    subscribe: ['connection_state_remove'],
    event: (e) => (is(e, 'connection_state_remove') ? [print(e.c.history, e.c.conn_state)] : []),
  };
}

/**
 * weird.log through `zeek-cut -m id.orig_h id.orig_p id.resp_h id.resp_p name addl`. Only the part of Zeek's
 * weird-logging policy the spec states (TA §19.2 note) is applied: a few names are never logged,
 * bad_TCP_checksum once per originator address, every other name once per (name, connection or address pair).
 */
function weirdLog(): Renderer {
  const ignored = new Set(['unsolicited_SYN_response', 'spontaneous_FIN', 'spontaneous_RST', 'FIN_after_reset']);
  const seen = new Set<string>();
  const row = (key: string, name: string, cols: (string | number | undefined)[], addl: string): string[] => {
    if (ignored.has(name) || seen.has(key)) return [];
    seen.add(key);
    return [[...cols, name, addl === '' ? undefined : addl].map((v) => (v === undefined ? '-' : String(v))).join('\t')];
  };
  return {
    subscribe: ['conn_weird', 'flow_weird', 'net_weird'],
    header: ['id.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tname\taddl'],
    event(e) {
      if (is(e, 'conn_weird')) {
        const id = e.c.id;
        const key = e.weird_name === 'bad_TCP_checksum' ? `${e.weird_name}|${id.orig_h}` : `${e.weird_name}|${e.c.uid}`;
        return row(key, e.weird_name, [id.orig_h, id.orig_p, id.resp_h, id.resp_p], e.addl);
      }
      if (is(e, 'flow_weird')) return row(`${e.weird_name}|${e.src}|${e.dst}`, e.weird_name, [e.src, undefined, e.dst, undefined], e.addl);
      if (is(e, 'net_weird')) return row(`${e.weird_name}|`, e.weird_name, [undefined, undefined, undefined, undefined], e.addl);
      return [];
    },
  };
}

/** Renderers by case name. */
export const RENDERERS: Record<string, () => Renderer> = {
  'connection-pending': () => ({
    // The script prints current_time() (wall clock; masked by the canonifier): network time stands in for it.
    subscribe: ['connection_pending'],
    event: (e) => (is(e, 'connection_pending') ? [print(time(e.ts), 'Connection pending', connId(e.c), e.c.history)] : []),
  }),

  'handshake-reorder-flip': () => {
    // The script adds `extra_id: count &default=42` to conn_id and remembers network_time() at new_connection.
    const started = new Map<string, number>();
    return {
      subscribe: ['new_connection', 'connection_flipped', 'connection_state_remove'],
      event(e) {
        if (!is(e, 'new_connection') && !is(e, 'connection_flipped') && !is(e, 'connection_state_remove')) return [];
        if (e.name === 'new_connection') started.set(e.c.uid, e.ts);
        const t0 = started.get(e.c.uid);
        return [print(time(e.ts), e.name, connId(e.c, { extra_id: 42 }), e.c.history, t0 === undefined ? '<uninitialized>' : time(t0))];
      },
    };
  },

  'miss-end-data': () => ({
    subscribe: ['content_gap'],
    event: (e) => (is(e, 'content_gap') ? [print('content_gap', connId(e.c), bool(e.is_orig), count(e.seq), count(e.length))] : []),
  }),

  'new-connection-contents': () => ({
    subscribe: ['new_connection_contents'],
    event: (e) => (is(e, 'new_connection_contents') ? [`new_connection_contents for ${connId(e.c)}`] : []),
  }),

  'quantum-insert': () => ({
    subscribe: ['rexmit_inconsistency'],
    event(e) {
      if (!is(e, 'rexmit_inconsistency')) return [];
      const t = time(e.ts);
      return [
        '----- rexmit_inconsistency -----',
        `${t} c: ${connId(e.c)}`,
        `${t} t1: ${bytes(e.t1)}`,
        `${t} t2: ${bytes(e.t2)}`,
        `${t} tcp_flags: ${e.tcp_flags}`,
      ];
    },
  }),

  'rst-after-data': historyAndState,
  'rst-after-syn-ack': historyAndState,
  'rst-after-syn-only': historyAndState,

  'tcp-dups': () => ({
    subscribe: ['tcp_multiple_retransmissions', 'connection_state_remove'],
    event(e) {
      if (is(e, 'tcp_multiple_retransmissions')) return [print('RETRANSMITS:', connId(e.c), bool(e.is_orig), count(e.threshold), e.c.history)];
      if (is(e, 'connection_state_remove')) return [print('REMOVE:', connId(e.c), e.c.history)];
      return [];
    },
  }),

  'tcp-option-sack': tcpOptions,
  'tcp-options': tcpOptions,

  'truncated-header': () => ({
    subscribe: ['tcp_packet'],
    event: (e) => (is(e, 'tcp_packet') ? [print(time(e.ts), connId(e.c))] : []),
  }),

  'window-scale-range': weirdLog,
};
