/**
 * The event table: the single source of the core's record writers and the hosts' readers and types
 * (`npm run generate` writes the *.generated.ts files; a test fails when they are stale).
 * Names, argument names and argument order are Zeek's (../shared/spec/events.md).
 */
import type { EventDef, RecordType } from './types.ts';

/** conn_state codes in the order of their wire index. */
export const CONN_STATES = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'] as const;

/** Zeek's endpoint state names, by numeric value. */
export const ENDPOINT_STATES = [
  'TCP_INACTIVE', 'TCP_SYN_SENT', 'TCP_SYN_ACK_SENT', 'TCP_PARTIAL', 'TCP_ESTABLISHED', 'TCP_CLOSED', 'TCP_RESET',
] as const;

export const RECORDS: RecordType[] = [
  {
    name: 'connection',
    doc: 'Snapshot of the connection record as handlers see it (events.md §1.2, §2.3).',
    fields: [
      { name: 'uid', type: 'uid' },
      { name: 'orig_h', type: 'addr' },
      { name: 'orig_p', type: 'port' },
      { name: 'resp_h', type: 'addr' },
      { name: 'resp_p', type: 'port' },
      { name: 'orig_size', type: 'count' },
      { name: 'orig_state', type: 'state' },
      { name: 'orig_num_pkts', type: 'count', optional: true },
      { name: 'orig_num_bytes_ip', type: 'count', optional: true },
      { name: 'orig_flow_label', type: 'count' },
      { name: 'orig_l2_addr', type: 'mac', optional: true },
      { name: 'resp_size', type: 'count' },
      { name: 'resp_state', type: 'state' },
      { name: 'resp_num_pkts', type: 'count', optional: true },
      { name: 'resp_num_bytes_ip', type: 'count', optional: true },
      { name: 'resp_flow_label', type: 'count' },
      { name: 'resp_l2_addr', type: 'mac', optional: true },
      { name: 'start_time', type: 'time' },
      { name: 'duration', type: 'time' },
      { name: 'history', type: 'text' },
      { name: 'vlan', type: 'int', optional: true },
      { name: 'inner_vlan', type: 'int', optional: true },
      { name: 'missed_bytes', type: 'count', doc: 'sum of content_gap lengths so far (conn.log missed_bytes)' },
      { name: 'conn_state', type: 'connstate', doc: 'conn_state as it would be logged now (TA §15)' },
      { name: 'tunnel_parents', type: 'uids', doc: 'ids of the encapsulating tunnels, outermost first (conn.log tunnel_parents)' },
    ],
  },
  {
    name: 'SYN_packet',
    doc: 'Zeek SYN_packet (events.md §2.4).',
    fields: [
      { name: 'is_orig', type: 'bool' },
      { name: 'DF', type: 'bool' },
      { name: 'ttl', type: 'count' },
      { name: 'size', type: 'count' },
      { name: 'win_size', type: 'count' },
      { name: 'win_scale', type: 'int' },
      { name: 'MSS', type: 'count' },
      { name: 'SACK_OK', type: 'bool' },
      { name: 'TSval', type: 'count', optional: true },
      { name: 'TSecr', type: 'count', optional: true },
    ],
  },
  {
    name: 'endpoint_stats',
    doc: 'Zeek endpoint_stats (events.md §2.6), TCPSTATS only.',
    fields: [
      { name: 'num_pkts', type: 'count' },
      { name: 'num_rxmit', type: 'count' },
      { name: 'num_rxmit_bytes', type: 'count' },
      { name: 'num_in_order', type: 'count' },
      { name: 'num_OO', type: 'count' },
      { name: 'num_repl', type: 'count' },
      { name: 'endian_type', type: 'count' },
    ],
  },
];

const isOrig = { name: 'is_orig', type: 'bool' } as const;
const threshold = [isOrig, { name: 'threshold', type: 'count' }] as const;

export const EVENTS: EventDef[] = [
  { id: 1, name: 'new_connection', conn: true, args: [], defaultOn: true, doc: 'A connection was created for a TCP packet.' },
  { id: 2, name: 'connection_state_remove', conn: true, args: [], defaultOn: true, doc: 'The connection is removed; conn.log is written from this snapshot.' },
  { id: 3, name: 'connection_timeout', conn: true, args: [], doc: 'Removal by close-delete, expire or inactivity timer.' },
  { id: 4, name: 'connection_reused', conn: true, args: [], defaultOn: true, doc: 'A SYN reused the 4-tuple; c is the old connection.' },
  { id: 5, name: 'connection_flipped', conn: true, args: [], defaultOn: true, doc: 'Originator and responder roles were swapped.' },
  {
    id: 6, name: 'content_gap', conn: true, defaultOn: true, doc: 'Acknowledged bytes were never seen.',
    args: [isOrig, { name: 'seq', type: 'count' }, { name: 'length', type: 'count' }],
  },
  {
    id: 7, name: 'rexmit_inconsistency', conn: true, doc: 'A retransmission carried different bytes than the held copy.',
    args: [{ name: 't1', type: 'bytes' }, { name: 't2', type: 'bytes' }, { name: 'tcp_flags', type: 'tcpflags' }],
  },
  {
    id: 8, name: 'conn_weird', conn: true, defaultOn: true, doc: 'A connection-scoped weird (TA §19).',
    args: [{ name: 'weird_name', type: 'weird' }, { name: 'addl', type: 'text' }, { name: 'source', type: 'source' }],
  },
  { id: 9, name: 'new_connection_contents', conn: true, args: [], doc: 'Stream reassembly was enabled for the connection.' },
  { id: 10, name: 'connection_attempt', conn: true, args: [], doc: 'The attempt timer found the SYN unanswered.' },
  { id: 11, name: 'connection_established', conn: true, args: [], defaultOn: true, doc: 'The responder answered with a SYN.' },
  { id: 12, name: 'partial_connection', conn: true, args: [], doc: 'Both sides were seen without a SYN.' },
  { id: 13, name: 'connection_partial_close', conn: true, args: [], doc: 'The partial-close timer ended a half-seen close.' },
  { id: 14, name: 'connection_finished', conn: true, args: [], doc: 'Both sides closed.' },
  { id: 15, name: 'connection_half_finished', conn: true, args: [], doc: 'One side closed; the other was never seen.' },
  { id: 16, name: 'connection_rejected', conn: true, args: [], doc: 'The first packet of a side was a RST answering a SYN.' },
  { id: 17, name: 'connection_reset', conn: true, args: [], doc: 'An established or half-open side sent a RST.' },
  { id: 18, name: 'connection_pending', conn: true, args: [], doc: 'End of input reached with the connection still active.' },
  {
    id: 19, name: 'connection_SYN_packet', conn: true, doc: 'A packet with the SYN bit was processed.',
    args: [{ name: 'pkt', type: 'record:SYN_packet' }],
  },
  { id: 20, name: 'connection_first_ACK', conn: true, args: [], doc: 'The originator sent its first ACK.' },
  { id: 21, name: 'connection_EOF', conn: true, args: [isOrig], doc: 'A side closed and all of its data was delivered.' },
  {
    id: 22, name: 'tcp_packet', conn: true, doc: 'Every processed TCP packet.',
    args: [
      isOrig, { name: 'flags', type: 'tcpflags' }, { name: 'seq', type: 'count' }, { name: 'ack', type: 'count' },
      { name: 'len', type: 'count' }, { name: 'payload', type: 'bytes' },
    ],
  },
  {
    id: 23, name: 'tcp_option', conn: true, doc: 'One TCP option of a packet.',
    args: [isOrig, { name: 'opt', type: 'count' }, { name: 'optlen', type: 'count' }],
  },
  {
    id: 24, name: 'tcp_options', conn: true, doc: 'All TCP options of a packet.',
    args: [isOrig, { name: 'options', type: 'options' }],
  },
  {
    id: 25, name: 'tcp_contents', conn: true, doc: 'In-order reassembled stream bytes.',
    args: [isOrig, { name: 'seq', type: 'count' }, { name: 'contents', type: 'bytes' }],
  },
  {
    id: 26, name: 'tcp_rexmit', conn: true, doc: 'TCPSTATS: a segment that did not advance (tcpstats_enabled).',
    args: [
      isOrig, { name: 'seq', type: 'count' }, { name: 'len', type: 'count' },
      { name: 'data_in_flight', type: 'count' }, { name: 'window', type: 'count' },
    ],
  },
  { id: 27, name: 'tcp_multiple_checksum_errors', conn: true, args: [...threshold], doc: 'Bad checksums reached 10, 100, … on a side.' },
  { id: 28, name: 'tcp_multiple_zero_windows', conn: true, args: [...threshold], doc: 'Zero windows reached 10, 100, … on a side.' },
  { id: 29, name: 'tcp_multiple_retransmissions', conn: true, args: [...threshold], doc: 'Retransmissions reached 10, 100, … on a side.' },
  { id: 30, name: 'tcp_multiple_gap', conn: true, args: [...threshold], doc: 'Content gaps reached 10, 100, … on a side.' },
  {
    id: 31, name: 'contents_file_write_failure', conn: true, doc: 'Writing a side to its contents sink failed.',
    args: [isOrig, { name: 'msg', type: 'text' }],
  },
  {
    id: 32, name: 'flow_weird', conn: false, defaultOn: true, doc: 'A weird scoped to an address pair.',
    args: [
      { name: 'weird_name', type: 'weird' }, { name: 'src', type: 'addr' }, { name: 'dst', type: 'addr' },
      { name: 'addl', type: 'text' }, { name: 'source', type: 'source' },
    ],
  },
  {
    id: 33, name: 'net_weird', conn: false, defaultOn: true, doc: 'A weird without usable addresses.',
    args: [{ name: 'weird_name', type: 'weird' }, { name: 'addl', type: 'text' }, { name: 'source', type: 'source' }],
  },
  {
    id: 34, name: 'conn_stats', conn: true, doc: 'TCPSTATS counters at removal (tcpstats_enabled).',
    args: [{ name: 'os', type: 'record:endpoint_stats' }, { name: 'rs', type: 'record:endpoint_stats' }],
  },
  { id: 35, name: 'connection_status_update', conn: true, args: [], doc: 'Periodic update (connection_status_update_interval_s > 0).' },
  {
    id: 36, name: 'contents_file_write', conn: true, internal: true,
    doc: 'synack: bytes to append to a side\'s contents file (Zeek set_contents_file semantics, TA §13.9; extract_contents).',
    args: [isOrig, { name: 'handle', type: 'count' }, { name: 'data', type: 'bytes' }, { name: 'gap', type: 'bool' }],
  },
  {
    id: 37, name: 'contents_file_close', conn: true, internal: true,
    doc: 'synack: a side\'s contents file is complete (the connection was removed).',
    args: [isOrig, { name: 'handle', type: 'count' }],
  },
];
