/**
 * Analyzer options, set by the host before init() and read once into typed globals (TA §1 defaults come
 * from schema/options.ts). Port sets are 65536-bit maps; subnet lists hold up to MAX_NETS prefixes.
 */
import { Opt, OPTION_DEFAULTS } from './schema.generated';

const values = new StaticArray<f64>(OPTION_DEFAULTS.length);
for (let i = 0; i < OPTION_DEFAULTS.length; i++) unchecked(values[i] = OPTION_DEFAULTS[i]);

/** Sets a numeric option by id (ids beyond the table are ignored; the host validated them). */
export function setOptionValue(id: u32, value: f64): void {
  if (<i32>id < values.length) unchecked(values[id] = value);
}

// ---- port sets ----
const PORT_LISTS = 4;
const portBits = new StaticArray<u8>(PORT_LISTS * 8192);

@inline function portListIndex(id: u32): i32 {
  return id == Opt.likely_server_ports_tcp ? 0
    : id == Opt.tcp_content_delivery_ports_orig ? 1
    : id == Opt.tcp_content_delivery_ports_resp ? 2
    : id == Opt.port_inactivity_timeouts_3600 ? 3 : -1;
}

export function clearPortList(id: u32): void {
  const l = portListIndex(id);
  if (l < 0) return;
  memory.fill(changetype<usize>(portBits) + <usize>l * 8192, 0, 8192);
}

export function setPortFlag(id: u32, port: u32, on: bool): void {
  const l = portListIndex(id);
  if (l < 0 || port > 65535) return;
  const at = changetype<usize>(portBits) + <usize>l * 8192 + (port >> 3);
  const bit = <u8>(1 << <u8>(port & 7));
  store<u8>(at, on ? load<u8>(at) | bit : load<u8>(at) & ~bit);
}

@inline function portIn(l: i32, port: u32): bool {
  return ((load<u8>(changetype<usize>(portBits) + <usize>l * 8192 + (port >> 3)) >> <u8>(port & 7)) & 1) != 0;
}

/** TA §4.2 likely_server_ports. */
export function isLikelyServerPort(port: u32): bool { return portIn(0, port); }
export function isContentPortOrig(port: u32): bool { return portIn(1, port); }
export function isContentPortResp(port: u32): bool { return portIn(2, port); }
export function isLongInactivityPort(port: u32): bool { return portIn(3, port); }

// Zeek's default likely server ports (TA §4.2), loaded until the host replaces them.
const DEFAULT_PORTS: StaticArray<u16> = [
  21, 22, 25, 53, 79, 80, 81, 88, 135, 139, 143, 389, 443, 445, 465, 502, 514, 563, 585, 587, 614, 631, 636, 989, 990,
  992, 993, 995, 1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669,
  8000, 8080, 8888, 20000,
];
for (let i = 0; i < DEFAULT_PORTS.length; i++) setPortFlag(Opt.likely_server_ports_tcp, unchecked(DEFAULT_PORTS[i]), true);
const LONG_PORTS: StaticArray<u16> = [21, 22, 23, 513];
for (let i = 0; i < LONG_PORTS.length; i++) setPortFlag(Opt.port_inactivity_timeouts_3600, unchecked(LONG_PORTS[i]), true);

// ---- subnet list (ignore_checksums_nets) ----
const MAX_NETS = 256;
const nets = new StaticArray<u8>(MAX_NETS * 17);
let netCount = 0;

export function clearNets(): void { netCount = 0; }

/** Adds the 16-byte address at `addr` with `prefix` bits (IPv4 as ::ffff:0:0/96 + prefix). */
export function addNet(addr: usize, prefix: u32): void {
  if (netCount >= MAX_NETS) return;
  const at = changetype<usize>(nets) + <usize>netCount * 17;
  memory.copy(at, addr, 16);
  store<u8>(at + 16, <u8>min(prefix, 128));
  netCount++;
}

/** Whether the 16-byte address at `addr` lies in one of the listed subnets. */
// @ts-ignore: decorator
@inline export function inIgnoredNets(addr: usize): bool {
  // Asked at every packet; usually there are no such nets.
  return netCount != 0 && inNets(addr);
}

function inNets(addr: usize): bool {
  for (let i = 0; i < netCount; i++) {
    const at = changetype<usize>(nets) + <usize>i * 17;
    let bits = <i32>load<u8>(at + 16);
    let k = 0;
    let match = true;
    while (bits > 0) {
      const a = load<u8>(addr + k), b = load<u8>(at + k);
      const mask: u8 = bits >= 8 ? <u8>0xff : <u8>(0xff << <u8>(8 - bits));
      if ((a & mask) != (b & mask)) { match = false; break; }
      bits -= 8;
      k++;
    }
    if (match) return true;
  }
  return false;
}

// ---- typed values, read once by loadOptions() ----
export let ignoreChecksums = false;
export let partialConnectionOk = true;
export let synAckOk = true;
export let synTimeout: f64 = 5;
export let sessionTimer: f64 = 6;
export let connectionLinger: f64 = 5;
export let attemptDelay: f64 = 5;
export let closeDelay: f64 = 5;
export let resetDelay: f64 = 5;
export let partialCloseDelay: f64 = 3;
export let tcpInactivityTimeout: f64 = 300;
export let initialInactivityTimeout: f64 = 60;
export let stormThresh: u32 = 1000;
export let stormInterarrival: f64 = 1;
export let maxInitialWindow: u64 = 16384;
export let maxAboveHole: u64 = 16384;
export let excessiveData: u64 = 10485760;
export let maxOldSegments: u32 = 0;
export let deliverAllOrig = false;
export let deliverAllResp = false;
export let reassembleFirst = true;
export let reportGapsForPartial = false;
export let detectFilteredTrace = false;
export let maxTimerExpires: u32 = 300;
export let countSizes = true;
export let tcpStats = false;
export let weirdThreshold: u64 = 25;
export let weirdRate: u64 = 1000;
export let weirdDuration: f64 = 600;
export let seed: u64 = 0;
export let maxConnections: u32 = 1048576;
export let statusInterval: f64 = 0;
export let extractContents = false;

@inline function v(id: u32): f64 { return unchecked(values[id]); }

export function loadOptions(): void {
  ignoreChecksums = v(Opt.ignore_checksums) != 0;
  partialConnectionOk = v(Opt.partial_connection_ok) != 0;
  synAckOk = v(Opt.tcp_SYN_ack_ok) != 0;
  synTimeout = v(Opt.tcp_SYN_timeout_s);
  sessionTimer = v(Opt.tcp_session_timer_s);
  connectionLinger = v(Opt.tcp_connection_linger_s);
  attemptDelay = v(Opt.tcp_attempt_delay_s);
  closeDelay = v(Opt.tcp_close_delay_s);
  resetDelay = v(Opt.tcp_reset_delay_s);
  partialCloseDelay = v(Opt.tcp_partial_close_delay_s);
  tcpInactivityTimeout = v(Opt.tcp_inactivity_timeout_s);
  initialInactivityTimeout = v(Opt.udp_inactivity_timeout_s);
  stormThresh = <u32>v(Opt.tcp_storm_thresh);
  stormInterarrival = v(Opt.tcp_storm_interarrival_thresh_s);
  maxInitialWindow = <u64>v(Opt.tcp_max_initial_window);
  maxAboveHole = <u64>v(Opt.tcp_max_above_hole_without_any_acks);
  excessiveData = <u64>v(Opt.tcp_excessive_data_without_further_acks);
  maxOldSegments = <u32>v(Opt.tcp_max_old_segments);
  deliverAllOrig = v(Opt.tcp_content_deliver_all_orig) != 0;
  deliverAllResp = v(Opt.tcp_content_deliver_all_resp) != 0;
  reassembleFirst = v(Opt.dpd_reassemble_first_packets) != 0;
  reportGapsForPartial = v(Opt.report_gaps_for_partial) != 0;
  detectFilteredTrace = v(Opt.detect_filtered_trace) != 0;
  maxTimerExpires = <u32>v(Opt.max_timer_expires);
  countSizes = v(Opt.conn_size_analyzer) != 0;
  tcpStats = v(Opt.tcpstats_enabled) != 0;
  weirdThreshold = <u64>v(Opt.weird_sampling_threshold);
  weirdRate = <u64>v(Opt.weird_sampling_rate);
  weirdDuration = v(Opt.weird_sampling_duration_s);
  seed = <u64>v(Opt.seed);
  maxConnections = <u32>max<f64>(1, v(Opt.max_connections));
  statusInterval = v(Opt.connection_status_update_interval_s);
  extractContents = v(Opt.extract_contents) != 0;
}
