/**
 * The weird table: every anomaly name synack can report, with Zeek's exact spelling, scope and meaning.
 * Generated into both sides like the event table (ids are stable; append only).
 * scope: 'conn' → conn_weird, 'flow' → flow_weird (address pair), 'net' → net_weird (no usable addresses).
 * source: Zeek's `source` argument ('TCP' = the TCP analyzer, '' = Zeek's core TCP code or the IP layer).
 * synack: true marks names Zeek does not have (synack-only limits); they never appear in Zeek comparisons.
 */
export interface WeirdDef {
  id: number;
  name: string;
  scope: 'conn' | 'flow' | 'net';
  source: '' | 'TCP';
  doc: string;
  synack?: boolean;
}

export const WEIRDS: WeirdDef[] = [
  // Link and IP layers (TA §2)
  { id: 1, name: 'truncated_IP', scope: 'net', source: '', doc: 'fewer captured bytes than a minimal IPv4 (20) or IPv6 (40) header' },
  { id: 2, name: 'unknown_ip_version', scope: 'net', source: '', doc: 'IP version nibble is neither 4 nor 6' },
  { id: 3, name: 'ip_hdr_len_zero', scope: 'net', source: '', doc: 'IPv4 total-length field is 0 (TSO capture)' },
  { id: 4, name: 'truncated_IP_len', scope: 'net', source: '', doc: 'wire length shorter than the IP total length plus link header' },
  { id: 5, name: 'invalid_IP_header_size', scope: 'net', source: '', doc: 'IP header length larger than the IP total length' },
  { id: 6, name: 'internally_truncated_header', scope: 'net', source: '', doc: 'IP header longer than the captured IP bytes' },
  { id: 7, name: 'IPv4_min_header_size', scope: 'net', source: '', doc: 'IPv4 IHL below 5' },
  { id: 8, name: 'IPv6_min_header_size', scope: 'net', source: '', doc: 'IPv6 header shorter than 40 bytes' },
  { id: 9, name: 'bad_IP_checksum', scope: 'flow', source: '', doc: 'IPv4 header checksum is wrong; packet dropped' },
  { id: 10, name: 'truncated_ethernet_frame', scope: 'net', source: '', doc: 'frame shorter than an Ethernet header' },
  { id: 11, name: 'truncated_VLAN_header', scope: 'net', source: '', doc: '802.1Q/802.1ad tag cut short' },
  { id: 12, name: 'truncated_link_header', scope: 'net', source: '', doc: 'MPLS label stack cut short (other link headers have their own names, ids 110-116)' },
  { id: 13, name: 'ipv6_ext_hdr_truncated', scope: 'net', source: '', synack: true, doc: 'IPv6 extension header chain runs past the captured bytes' },
  { id: 14, name: 'ipv6_ext_hdr_limit', scope: 'net', source: '', synack: true, doc: 'more IPv6 extension headers than synack walks (bounded)' },
  { id: 15, name: 'unsupported_fragment', scope: 'flow', source: '', synack: true, doc: 'no longer raised: IP fragments are reassembled before TCP (ids 150-162)' },
  { id: 16, name: 'encapsulation_limit', scope: 'net', source: '', synack: true, doc: 'more stacked link-layer tags (VLAN/MPLS) than synack walks, or an 802.11 A-MSDU inside another (bounded)' },
  // TCP header acceptance (TA §3)
  { id: 20, name: 'truncated_header', scope: 'flow', source: 'TCP', doc: 'TCP header cut short before a connection exists (TA §3 step 1), or on a connection (step 3)' },
  { id: 21, name: 'internally_truncated_header', scope: 'flow', source: 'TCP', doc: 'fewer than 20 captured TCP bytes (TA §3 step 1)' },
  { id: 22, name: 'bad_TCP_header_len', scope: 'conn', source: 'TCP', doc: 'TCP data offset below 5' },
  { id: 23, name: 'bad_TCP_checksum', scope: 'conn', source: 'TCP', doc: 'TCP checksum is wrong; packet dropped after the C history letter' },
  { id: 24, name: 'truncated_tcp_payload', scope: 'conn', source: 'TCP', doc: 'payload not fully captured; not given to reassembly' },
  // Sequence space (TA §6)
  { id: 30, name: 'SYN_seq_jump', scope: 'conn', source: '', doc: 'a SYN with a different sequence number than the ISN' },
  { id: 31, name: 'SYN_inside_connection', scope: 'conn', source: '', doc: 'a SYN from a side that already sent data' },
  { id: 32, name: 'TCP_seq_underflow_or_misorder', scope: 'conn', source: 'TCP', doc: 'sequence number before the ISN' },
  { id: 33, name: 'TCP_ack_underflow_or_misorder', scope: 'conn', source: 'TCP', doc: 'acknowledgement before the peer ISN' },
  { id: 34, name: 'possible_split_routing', scope: 'conn', source: '', doc: 'ACKs for a side never seen (only before any other weird)' },
  { id: 35, name: 'window_recision', scope: 'conn', source: '', doc: 'the right window edge moved backwards' },
  { id: 36, name: 'TCP_scale_range', scope: 'conn', source: 'TCP', doc: 'window scale above 14 (clamped); addl = raw value' },
  // Flags (TA §7)
  { id: 40, name: 'TCP_christmas', scope: 'conn', source: 'TCP', doc: 'SYN and RST together' },
  { id: 41, name: 'baroque_SYN', scope: 'conn', source: 'TCP', doc: 'SYN and URG together' },
  { id: 42, name: 'SYN_with_data', scope: 'conn', source: 'TCP', doc: 'SYN carrying payload' },
  { id: 43, name: 'FIN_storm', scope: 'conn', source: 'TCP', doc: 'FINs arriving faster than the storm threshold' },
  { id: 44, name: 'RST_storm', scope: 'conn', source: 'TCP', doc: 'RSTs arriving faster than the storm threshold' },
  // State machine (TA §8)
  { id: 50, name: 'connection_originator_SYN_ack', scope: 'conn', source: 'TCP', doc: 'the originator opened with a SYN-ACK' },
  { id: 51, name: 'bad_SYN_ack', scope: 'conn', source: 'TCP', doc: 'SYN-ACK acknowledging outside the originator sequence range' },
  { id: 52, name: 'simultaneous_open', scope: 'conn', source: 'TCP', doc: 'both sides sent a pure SYN' },
  { id: 53, name: 'unsolicited_SYN_response', scope: 'conn', source: 'TCP', doc: 'a SYN reply when the originator was never seen' },
  { id: 54, name: 'spontaneous_FIN', scope: 'conn', source: 'TCP', doc: 'a FIN as the first packet of a side' },
  { id: 55, name: 'spontaneous_RST', scope: 'conn', source: 'TCP', doc: 'a RST as the first packet of a side whose peer is unseen' },
  { id: 56, name: 'repeated_SYN_with_ack', scope: 'conn', source: 'TCP', doc: 'the originator repeated a SYN with ACK' },
  { id: 57, name: 'repeated_SYN_reply_wo_ack', scope: 'conn', source: 'TCP', doc: 'the responder repeated a SYN without ACK' },
  { id: 58, name: 'inappropriate_FIN', scope: 'conn', source: 'TCP', doc: 'a FIN before the handshake completed' },
  { id: 59, name: 'data_before_established', scope: 'conn', source: 'TCP', doc: 'payload during the handshake' },
  { id: 60, name: 'SYN_after_partial', scope: 'conn', source: 'TCP', doc: 'a SYN from a side first seen mid-stream' },
  { id: 61, name: 'SYN_after_close', scope: 'conn', source: 'TCP', doc: 'a SYN from a closed side' },
  { id: 62, name: 'FIN_advanced_last_seq', scope: 'conn', source: 'TCP', doc: 'a FIN from a closed side moved its sequence forward' },
  { id: 63, name: 'SYN_after_reset', scope: 'conn', source: 'TCP', doc: 'a SYN from a reset side' },
  { id: 64, name: 'FIN_after_reset', scope: 'conn', source: 'TCP', doc: 'a FIN from a reset side' },
  { id: 65, name: 'data_after_reset', scope: 'conn', source: 'TCP', doc: 'payload from a reset side' },
  { id: 66, name: 'pending_data_when_closed', scope: 'conn', source: 'TCP', doc: 'a deferred close ran with data still pending' },
  // Reuse (TA §5)
  { id: 70, name: 'active_connection_reuse', scope: 'conn', source: 'TCP', doc: 'a new SYN while the connection was still active' },
  { id: 71, name: 'premature_connection_reuse', scope: 'conn', source: 'TCP', doc: 'a new SYN within the linger time after close' },
  // Reassembly limits (TA §13.6)
  { id: 80, name: 'above_hole_data_without_any_acks', scope: 'conn', source: 'TCP', doc: 'too much data above a hole with nothing acknowledged; side abandoned' },
  { id: 81, name: 'excessive_data_without_further_acks', scope: 'conn', source: 'TCP', doc: 'too much buffered data without ACKs; side abandoned' },
  // Option lengths (TA §19.1; only when tcp_options is subscribed); addl = length
  { id: 90, name: 'tcp_option_mss_invalid_len', scope: 'conn', source: 'TCP', doc: 'MSS option length is not 4' },
  { id: 91, name: 'tcp_option_window_scale_invalid_len', scope: 'conn', source: 'TCP', doc: 'window-scale option length is not 3' },
  { id: 92, name: 'tcp_option_sack_invalid_len', scope: 'conn', source: 'TCP', doc: 'SACK-permitted option length is not 2' },
  { id: 93, name: 'tcp_option_sack_blocks_invalid_len', scope: 'conn', source: 'TCP', doc: 'SACK option length is not 10, 18, 26 or 34' },
  { id: 94, name: 'tcp_option_timestamps_invalid_len', scope: 'conn', source: 'TCP', doc: 'timestamps option length is not 10' },
  { id: 95, name: 'tcp_option_qsresponse_invalid_len', scope: 'conn', source: 'TCP', doc: 'quick-start response option length is not 8' },
  { id: 96, name: 'tcp_option_uto_invalid_len', scope: 'conn', source: 'TCP', doc: 'user-timeout option length is not 4' },
  { id: 97, name: 'tcp_option_ao_invalid_len', scope: 'conn', source: 'TCP', doc: 'TCP-AO option length below 4' },
  { id: 98, name: 'tcp_option_tfo_invalid_len', scope: 'conn', source: 'TCP', doc: 'TFO option length is not 2 and not 6..18' },
  // synack limits
  { id: 100, name: 'connection_table_full', scope: 'flow', source: '', synack: true, doc: 'max_connections reached; the packet was not analysed' },
  // Link-layer names as Zeek's packet analyzers spell them (added with the decoder)
  { id: 110, name: 'truncated_PBB_header', scope: 'net', source: '', doc: '802.1ah PBB I-TAG plus inner Ethernet header cut short' },
  { id: 111, name: 'truncated_vntag_header', scope: 'net', source: '', doc: 'VN-Tag header cut short' },
  { id: 112, name: 'truncated_pppoe_header', scope: 'net', source: '', doc: 'PPPoE session header or PPP protocol field cut short' },
  { id: 113, name: 'truncated_Linux_SLL_header', scope: 'net', source: '', doc: 'Linux cooked capture (SLL) header cut short' },
  { id: 114, name: 'truncated_Linux_SLL2_header', scope: 'net', source: '', doc: 'Linux cooked capture v2 (SLL2) header cut short' },
  { id: 115, name: 'null_analyzer_failed', scope: 'net', source: '', doc: 'DLT_NULL/DLT_LOOP family word cut short' },
  { id: 116, name: 'truncated_link_header_cfp', scope: 'net', source: '', doc: 'Cisco FabricPath header plus inner Ethernet header cut short' },
  { id: 117, name: 'undefined_ether_type', scope: 'net', source: '', doc: 'Ethernet type/length field between 1501 and 1535' },
  { id: 118, name: 'undefined_vlan_protocol', scope: 'net', source: '', doc: 'type/length field after a VLAN tag between 1501 and 1535' },
  // Tunnels (decode/encap.ts, gre.ts, udp-tunnels.ts, wifi.ts), as Zeek's tunnel packet analyzers spell them.
  // Flow scope: the outer IP header's addresses (Zeek raises them on the packet that carries the tunnel).
  { id: 120, name: 'exceeded_tunnel_max_depth', scope: 'flow', source: '', doc: 'a tunnel inside Tunnel::max_depth (4) others; the packet is dropped' },
  { id: 121, name: 'tunnel_depth', scope: 'net', source: '', doc: 'GTPv1 inside Tunnel::max_depth (4) other tunnels (the GTPv1 analyzer\'s name for the same limit)' },
  { id: 122, name: 'invalid_inner_IP_version', scope: 'flow', source: '', doc: 'IP-in-IP or PPTP: the inner IP version does not match the outer protocol number' },
  { id: 123, name: 'truncated_inner_IP', scope: 'flow', source: '', doc: 'IP-in-IP or PPTP: fewer bytes than the inner IP total length' },
  { id: 124, name: 'inner_IP_payload_length_mismatch', scope: 'flow', source: '', doc: 'IP-in-IP or PPTP: more bytes than the inner IP total length' },
  { id: 125, name: 'truncated_GRE', scope: 'flow', source: '', doc: 'GRE header (or its bridged Ethernet, ERSPAN or PPTP part) cut short' },
  { id: 126, name: 'unknown_gre_version', scope: 'flow', source: '', doc: 'GRE version other than 0 and 1' },
  { id: 127, name: 'egre_protocol_type', scope: 'flow', source: '', doc: 'GRE version 1 (enhanced GRE) not carrying PPP (0x880b)' },
  { id: 128, name: 'gre_routing', scope: 'flow', source: '', doc: 'GRE routing-present bit set (RFC 1701 routing is not parsed)' },
  { id: 129, name: 'unknown_gre_flags', scope: 'flow', source: '', doc: 'reserved GRE flag bits set' },
  { id: 130, name: 'non_ip_packet_in_encap', scope: 'flow', source: '', doc: 'PPTP (GRE version 1) carrying a PPP protocol other than IPv4/IPv6' },
  { id: 131, name: 'truncated_802_11_header', scope: 'net', source: '', doc: 'Aruba GRE: 802.11 data header cut short' },
  { id: 132, name: 'truncated_802_11_amsdu_header', scope: 'net', source: '', doc: '802.11 A-MSDU subframe header cut short' },
  { id: 133, name: 'truncated_802_11_amsdu_packet', scope: 'net', source: '', doc: '802.11 A-MSDU subframe longer than the frame' },
  { id: 134, name: 'invalid_802_11_amsdu_inner_packet', scope: 'net', source: '', doc: 'an A-MSDU subframe could not be analysed; the remaining subframes are skipped' },
  { id: 135, name: 'truncated_802_11_llc_header', scope: 'net', source: '', doc: '802.11 LLC/SNAP header cut short' },
  { id: 136, name: 'vxlan_empty_packet', scope: 'flow', source: '', doc: 'VXLAN header with nothing after it' },
  { id: 137, name: 'geneve_empty_packet', scope: 'flow', source: '', doc: 'Geneve header (with options) with nothing after it' },
  { id: 138, name: 'geneve_invalid_version', scope: 'flow', source: '', doc: 'Geneve version other than 0' },
  { id: 139, name: 'ayiya_empty_packet', scope: 'flow', source: '', doc: 'AYIYA forward header with nothing after it' },
  { id: 140, name: 'Teredo_bubble_with_payload', scope: 'flow', source: '', doc: 'Teredo bubble (IPv6, no next header, payload length 0) followed by data (Zeek: a weird on the UDP connection)' },
  // IP fragment reassembly (ip/fragments.ts), as Zeek's FragReassembler spells them; the fragment's addresses.
  { id: 150, name: 'incompletely_captured_fragment', scope: 'flow', source: '', doc: 'fragment not fully captured: not reassembled; a first fragment is analysed as it is, others dropped' },
  { id: 151, name: 'fragment_protocol_inconsistency', scope: 'flow', source: '', doc: 'fragment whose protocol or header length differs from the first one seen' },
  { id: 152, name: 'fragment_with_DF', scope: 'flow', source: '', doc: 'IPv4 fragment with the don\'t-fragment bit set' },
  { id: 153, name: 'fragment_size_inconsistency', scope: 'flow', source: '', doc: 'fragments imply different datagram sizes; the larger (or the contiguous part) is used' },
  { id: 154, name: 'excessively_small_fragment', scope: 'flow', source: '', doc: 'non-last fragment shorter than 64 bytes (total length)' },
  { id: 155, name: 'excessively_large_fragment', scope: 'flow', source: '', doc: 'fragment ends beyond 64000 bytes of payload (beyond the 16-bit length field it is dropped)' },
  { id: 156, name: 'fragment_overlap', scope: 'flow', source: '', doc: 'fragment overlaps data already held, with the same bytes (the first bytes are kept)' },
  { id: 157, name: 'fragment_inconsistency', scope: 'flow', source: '', doc: 'fragment overlaps data already held, with different bytes (the first bytes are kept)' },
  { id: 160, name: 'fragment_table_full', scope: 'flow', source: '', synack: true, doc: 'more pending datagrams than allowed (in total or per address pair); the oldest is evicted' },
  { id: 161, name: 'fragment_memory_full', scope: 'flow', source: '', synack: true, doc: 'fragment byte budget exhausted; the oldest pending datagram is evicted (or this one dropped)' },
  { id: 162, name: 'fragment_datagram_limit', scope: 'flow', source: '', synack: true, doc: 'datagram exceeds a per-datagram bound (pieces held, or unfragmentable IPv6 headers over 512 bytes); dropped' },
];
