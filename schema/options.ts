/**
 * Analyzer options: names, types and defaults (Zeek's, TA §1). The neutral names are those of the
 * conformance case.json files; durations carry an `_s` suffix and are in seconds.
 * kind: 'bool' | 'count' | 'seconds' → numeric, sent to the core with setOption(id, value);
 *       'ports' → a set of TCP ports (core port list `list`); 'nets' → a list of CIDR subnets (core net list);
 *       'host' options are used by the bindings only (never sent to the core).
 */
export interface OptionDef {
  id: number;
  name: string;
  kind: 'bool' | 'count' | 'seconds' | 'ports' | 'nets';
  default: boolean | number | number[] | string[];
  doc: string;
  /** Used by the bindings only (conn.log formatting, output choices). */
  host?: boolean;
  /** Upper bound for counts (inclusive). */
  max?: number;
}

/** Zeek's default TCP likely_server_ports with its full default script set (TA §4.2). */
export const DEFAULT_LIKELY_SERVER_PORTS = [
  21, 22, 25, 53, 79, 80, 81, 88, 135, 139, 143, 389, 443, 445, 465, 502, 514, 563, 585, 587, 614, 631, 636, 989, 990,
  992, 993, 995, 1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669,
  8000, 8080, 8888, 20000,
];

export const OPTIONS: OptionDef[] = [
  { id: 1, name: 'ignore_checksums', kind: 'bool', default: false, doc: 'accept packets with wrong IP/TCP checksums (Zeek -C)' },
  { id: 2, name: 'partial_connection_ok', kind: 'bool', default: true, doc: 'accept connections whose first packet is not a pure SYN' },
  { id: 3, name: 'tcp_SYN_ack_ok', kind: 'bool', default: true, doc: 'accept connections whose first packet is a SYN-ACK' },
  { id: 4, name: 'tcp_SYN_timeout_s', kind: 'seconds', default: 5, doc: 'first expire check after creation' },
  { id: 5, name: 'tcp_session_timer_s', kind: 'seconds', default: 6, doc: 'expire re-check period' },
  { id: 6, name: 'tcp_connection_linger_s', kind: 'seconds', default: 5, doc: 'idle time before the expire check removes a closed connection; premature reuse window' },
  { id: 7, name: 'tcp_attempt_delay_s', kind: 'seconds', default: 5, doc: 'attempt timer after the originator SYN (0 disables)' },
  { id: 8, name: 'tcp_close_delay_s', kind: 'seconds', default: 5, doc: 'removal delay after a complete close' },
  { id: 9, name: 'tcp_reset_delay_s', kind: 'seconds', default: 5, doc: 'reset timer delay' },
  { id: 10, name: 'tcp_partial_close_delay_s', kind: 'seconds', default: 3, doc: 'partial-close timer delay' },
  { id: 11, name: 'tcp_inactivity_timeout_s', kind: 'seconds', default: 300, doc: 'idle time after which an established connection is removed (0 disables)' },
  { id: 12, name: 'udp_inactivity_timeout_s', kind: 'seconds', default: 60, doc: 'initial inactivity timeout of every TCP connection until it leaves the handshake (Zeek quirk)' },
  { id: 13, name: 'tcp_storm_thresh', kind: 'count', default: 1000, doc: 'FIN/RST count for the storm weirds' },
  { id: 14, name: 'tcp_storm_interarrival_thresh_s', kind: 'seconds', default: 1, doc: 'FIN/RST inter-arrival time for the storm weirds' },
  { id: 15, name: 'tcp_max_initial_window', kind: 'count', default: 16384, doc: 'trim delivered data when nothing was acknowledged past this size (0 disables)' },
  { id: 16, name: 'tcp_max_above_hole_without_any_acks', kind: 'count', default: 16384, doc: 'abandon a side holding this much above a hole with nothing acknowledged (0 disables)' },
  { id: 17, name: 'tcp_excessive_data_without_further_acks', kind: 'count', default: 10485760, doc: 'abandon a side buffering this much without ACKs (0 disables)' },
  { id: 18, name: 'tcp_max_old_segments', kind: 'count', default: 0, max: 10000, doc: 'acknowledged segments kept per side to detect inconsistent retransmissions' },
  { id: 19, name: 'tcp_content_deliver_all_orig', kind: 'bool', default: false, doc: 'raise tcp_contents for every originator stream' },
  { id: 20, name: 'tcp_content_deliver_all_resp', kind: 'bool', default: false, doc: 'raise tcp_contents for every responder stream' },
  { id: 21, name: 'dpd_reassemble_first_packets', kind: 'bool', default: true, doc: 'reassemble every connection from its first packet' },
  { id: 22, name: 'report_gaps_for_partial', kind: 'bool', default: false, doc: 'raise content_gap also on connections whose start was not seen' },
  { id: 23, name: 'detect_filtered_trace', kind: 'bool', default: false, doc: 'abandon reassembly instead of reporting gaps on traces that look filtered' },
  { id: 24, name: 'max_timer_expires', kind: 'count', default: 300, doc: 'timers expired per packet (0 = all that are due)' },
  { id: 25, name: 'conn_size_analyzer', kind: 'bool', default: true, doc: 'count packets and IP bytes per side (orig_pkts, orig_ip_bytes, …)' },
  { id: 26, name: 'tcpstats_enabled', kind: 'bool', default: false, doc: 'enable Zeek TCPSTATS (tcp_rexmit, conn_stats)' },
  { id: 27, name: 'weird_sampling_threshold', kind: 'count', default: 25, doc: 'weirds of one name per connection reported before sampling' },
  { id: 28, name: 'weird_sampling_rate', kind: 'count', default: 1000, doc: 'after the threshold, report every Nth weird' },
  { id: 29, name: 'weird_sampling_duration_s', kind: 'seconds', default: 600, doc: 'sampling counts restart after this much network time' },
  { id: 30, name: 'seed', kind: 'count', default: 0, max: 4294967295, doc: 'seed of the deterministic connection uids' },
  { id: 31, name: 'max_connections', kind: 'count', default: 1048576, max: 16777216, doc: 'connections tracked at once; packets of further connections are counted and skipped (weird connection_table_full)' },
  { id: 33, name: 'extract_contents', kind: 'bool', default: false, doc: 'write each direction\'s reassembled stream to a contents file once the connection is established (Zeek Conn::default_extract)' },
  { id: 32, name: 'connection_status_update_interval_s', kind: 'seconds', default: 0, doc: 'connection_status_update period (0 disables)' },
  { id: 40, name: 'likely_server_ports_tcp', kind: 'ports', default: DEFAULT_LIKELY_SERVER_PORTS, doc: 'ports that mark the server when a connection starts without a clean SYN' },
  { id: 41, name: 'tcp_content_delivery_ports_orig', kind: 'ports', default: [], doc: 'responder ports whose originator stream raises tcp_contents' },
  { id: 42, name: 'tcp_content_delivery_ports_resp', kind: 'ports', default: [], doc: 'responder ports whose responder stream raises tcp_contents' },
  { id: 43, name: 'port_inactivity_timeouts_3600', kind: 'ports', default: [21, 22, 23, 513], doc: 'responder ports whose established connections get a 1 h inactivity timeout (Zeek default scripts)' },
  { id: 50, name: 'ignore_checksums_nets', kind: 'nets', default: [], doc: 'skip checksum checks for packets whose IP source is in these subnets' },
  { id: 60, name: 'local_nets', kind: 'nets', default: [], host: true, doc: 'extra local networks for conn.log local_orig/local_resp (private address space is always local)' },
];
