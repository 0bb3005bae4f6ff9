/**
 * synack as a WASI command (build/synack-wasi.wasm): reads a capture on stdin and writes conn.log (TSV, or JSON
 * lines with --json) or events (`events --json`, the conformance events.jsonl format) on stdout, byte for byte
 * what `node bin/synack.mjs` writes for the same options (the TSV #open/#close wall-clock lines aside: UTC
 * here, local time there). Built with @assemblyscript/wasi-shim; the core is linked in unchanged.
 *
 *   wasmtime build/synack-wasi.wasm conn --json --set tcp_inactivity_timeout_s=60 < trace.pcap
 *
 * Exit status as the Node CLI: 0 success, 1 unreadable input, 2 usage error, 3 internal error.
 */
import { fd_read } from '../../node_modules/@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1';
import {
  setOption, clearList, setPort, addNet, subscribe, scratchPtr, init, ringPtr, errorCode, errorOffset, errorValue,
  inputSpace, inputWritePtr, inputCommit, run, finish,
} from '../index';
import { putByte, putRaw, putU64, flush, setMuted, outFailed, ERRNO_AGAIN } from './out';
import { putFixed6, putJsonDouble } from './num';
import { putAddr, putUid, putJsonText, putTsvText, putJsonAscii, putAsciiStr } from './text';
import { seek, cur } from './cursor';
import * as snap from './snapshot';
import {
  EVENT_MAX, EVENT_NAMES, EVENT_FLAGS, OPT_COUNT, OPT_NAMES, OPT_IDS, OPT_KINDS, OPT_MAX, OPT_HOST,
  DEFAULT_NET_COUNT, DEFAULT_NET_BYTES, DEFAULT_NET_PREFIX, CONN_STATES, ENDPOINT_STATES, CAPTURE_MESSAGES, writeArgs,
} from './tables.generated';
import { exitWith, usageError, internalError } from './fail';

const HELP = `usage: synack-wasi <command> [-] [options] < CAPTURE

Zeek-compatible TCP connection analysis of a pcap or pcapng capture read from stdin (WASI build of synack).

commands:
  conn     write Zeek's conn.log (TSV, or JSON lines with --json)
  events   write the TCP events Zeek would raise as JSON lines (--json; the text form needs the Node CLI)

options:
  --json, --format tsv|json   output format (conn: tsv default; events: json only)
  --only NAME,NAME            subscribe to these events only (events default: all; conn default: Zeek's
                              default scripts' events; conn always adds connection_state_remove)
  --set NAME=VALUE            set an analyzer option (repeatable; names as in "synack conn --help")
  -C                          ignore checksums (= --set ignore_checksums=true)
  -h, --help                  show help

exit status: 0 success, 1 unreadable input, 2 usage error, 3 internal error
`;

// ---- options -------------------------------------------------------------------------------------------

const KIND_BOOL: u8 = 0, KIND_COUNT: u8 = 1, KIND_SECONDS: u8 = 2, KIND_PORTS: u8 = 3;

/** Per option index: set by the user, its numeric value, its list (ports, or nets as 17-byte entries). */
const optSet = new StaticArray<bool>(OPT_COUNT);
const optNum = new StaticArray<f64>(OPT_COUNT);
const optList = new Array<Array<u32>>(OPT_COUNT);
const optNets = new Array<Array<u8>>(OPT_COUNT);

function isDigits(s: string, min: i32, max: i32): bool {
  if (s.length < min || s.length > max) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

function digitsFrom(s: string, j: i32): i32 {
  while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
  return j;
}

/** /^\d+(\.\d*)?([eE][+-]?\d+)?$|^\.\d+$/ */
function isNumber(s: string): bool {
  const n = s.length;
  let i = 0;
  if (n > 1 && s.charCodeAt(0) == 46) return digitsFrom(s, 1) == n;
  let j = digitsFrom(s, 0);
  if (j == 0) return false;
  i = j;
  if (i < n && s.charCodeAt(i) == 46) i = digitsFrom(s, i + 1);
  if (i < n && (s.charCodeAt(i) == 101 || s.charCodeAt(i) == 69)) {
    i++;
    if (i < n && (s.charCodeAt(i) == 43 || s.charCodeAt(i) == 45)) i++;
    const k = digitsFrom(s, i);
    if (k == i) return false;
    i = k;
  }
  return i == n;
}

function parseV4(s: string, out: usize): bool {
  const parts = s.split('.');
  if (parts.length != 4) return false;
  for (let i = 0; i < 4; i++) {
    if (!isDigits(parts[i], 1, 3)) return false;
    const v = I32.parseInt(parts[i]);
    if (v > 255) return false;
    store<u8>(out + i, <u8>v);
  }
  return true;
}

function isHex(s: string): bool {
  if (s.length < 1 || s.length > 4) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Groups of one side of `::`; null when invalid. */
function groups(h: string): Array<u32> | null {
  const out = new Array<u32>();
  if (h.length == 0) return out;
  const parts = h.split(':');
  const v4 = memory.data(4);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i == parts.length - 1 && p.includes('.')) {
      if (!parseV4(p, v4)) return null;
      out.push((<u32>load<u8>(v4) << 8) | load<u8>(v4 + 1));
      out.push((<u32>load<u8>(v4 + 2) << 8) | load<u8>(v4 + 3));
    } else {
      if (!isHex(p)) return null;
      out.push(<u32>I32.parseInt(p, 16));
    }
  }
  return out;
}

/** bindings/core/addr.ts parseAddr: 16 bytes at `out`; returns 4, 6, or 0 when invalid. */
function parseAddr(s: string, out: usize): i32 {
  memory.fill(out, 0, 16);
  if (!s.includes(':')) {
    if (!parseV4(s, out + 12)) return 0;
    store<u8>(out + 10, 0xff);
    store<u8>(out + 11, 0xff);
    return 4;
  }
  let text = s.toLowerCase();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, text.length - 1);
  const halves = text.split('::');
  if (halves.length > 2) return 0;
  const head = groups(halves[0]);
  const tail = halves.length == 2 ? groups(halves[1]) : new Array<u32>();
  if (head === null || tail === null) return 0;
  if (halves.length == 1 ? head.length != 8 : head.length + tail.length > 7) return 0;
  const words = new Array<u32>(8);
  for (let i = 0; i < head.length; i++) words[i] = head[i];
  for (let i = 0; i < tail.length; i++) words[8 - tail.length + i] = tail[i];
  for (let i = 0; i < 8; i++) {
    store<u8>(out + 2 * i, <u8>(words[i] >> 8));
    store<u8>(out + 2 * i + 1, <u8>words[i]);
  }
  let mapped = load<u8>(out + 10) == 0xff && load<u8>(out + 11) == 0xff;
  for (let i = 0; i < 10; i++) if (load<u8>(out + i) != 0) mapped = false;
  return mapped ? 4 : 6;
}

/** parseSubnet: 16 network bytes + prefix (128-bit space) appended to `into`; false when invalid. */
function parseSubnet(s: string, into: Array<u8>): bool {
  const slash = s.indexOf('/');
  const a = memory.data(16);
  const ver = parseAddr(slash < 0 ? s : s.slice(0, slash), a);
  if (ver == 0) return false;
  const max = ver == 4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const t = s.slice(slash + 1);
    if (!isDigits(t, 1, 3)) return false;
    len = I32.parseInt(t);
    if (len > max) return false;
  }
  const prefix = ver == 4 ? len + 96 : len;
  for (let bit = prefix; bit < 128; bit++) store<u8>(a + (bit >> 3), <u8>(<u32>load<u8>(a + (bit >> 3)) & ~(<u32>0x80 >> (bit & 7))));
  for (let i = 0; i < 16; i++) into.push(load<u8>(a + i));
  into.push(<u8>prefix);
  return true;
}

function optionIndex(name: string): i32 {
  for (let i = 0; i < OPT_COUNT; i++) if (OPT_NAMES[i] == name) return i;
  return -1;
}

function bad(i: i32, what: string, got: string): void {
  usageError('option ' + OPT_NAMES[i] + ': expected ' + what + ', got "' + got + '"');
}

/** `--set NAME=VALUE` (bindings/core/options.ts parseSetting + check). */
function setting(arg: string): void {
  const eq = arg.indexOf('=');
  if (eq <= 0) usageError('expected NAME=VALUE, got "' + arg + '"');
  const name = arg.slice(0, eq).trim();
  const i = optionIndex(name);
  if (i < 0) usageError('unknown option "' + name + '"');
  const text = arg.slice(eq + 1);
  const t = text.trim();
  const kind = OPT_KINDS[i];
  optSet[i] = true;
  if (kind == KIND_BOOL) {
    const l = t.toLowerCase();
    if (l == 'true' || l == 't' || l == '1') optNum[i] = 1;
    else if (l == 'false' || l == 'f' || l == '0') optNum[i] = 0;
    else bad(i, 'true, false, T, F, 1 or 0', text);
  } else if (kind == KIND_COUNT || kind == KIND_SECONDS) {
    if (!isNumber(t)) bad(i, kind == KIND_COUNT ? 'a whole number ≥ 0' : 'seconds (a number ≥ 0)', text);
    const v = parseFloat(t);
    if (kind == KIND_COUNT) {
      if (!(v == Math.floor(v) && v <= 9007199254740991) || (OPT_MAX[i] >= 0 && v > OPT_MAX[i])) bad(i, 'a whole number ≥ 0', text);
    } else if (!isFinite(v)) bad(i, 'seconds (a number ≥ 0)', text);
    optNum[i] = v;
  } else {
    const items = t.length == 0 ? new Array<string>() : t.split(',');
    if (kind == KIND_PORTS) {
      const ports = new Array<u32>();
      for (let k = 0; k < items.length; k++) {
        let s = items[k].trim();
        if (s.endsWith('/tcp')) s = s.slice(0, s.length - 4);
        if (!isDigits(s, 1, 5)) bad(i, 'a list of TCP ports (0–65535)', items[k].trim());
        const p = I32.parseInt(s);
        if (p > 65535) bad(i, 'a list of TCP ports (0–65535)', s);
        ports.push(<u32>p);
      }
      optList[i] = ports;
    } else {
      const nets = new Array<u8>();
      for (let k = 0; k < items.length; k++) {
        if (!parseSubnet(items[k].trim(), nets)) bad(i, 'a list of subnets in CIDR form (10.0.0.0/8, 2001:db8::/32)', items[k].trim());
      }
      optNets[i] = nets;
    }
  }
}

/** The user's local_nets (17-byte entries). */
let localNets = new Array<u8>();

function applyOptions(): void {
  for (let i = 0; i < OPT_COUNT; i++) {
    if (!optSet[i]) continue;
    const id = OPT_IDS[i], kind = OPT_KINDS[i];
    if (OPT_HOST[i]) { if (OPT_NAMES[i] == 'local_nets') localNets = optNets[i]; continue; }
    if (kind == KIND_PORTS) {
      clearList(id);
      const l = optList[i];
      for (let k = 0; k < l.length; k++) setPort(id, l[k], 1);
    } else if (kind == 4) {
      clearList(id);
      const n = optNets[i];
      for (let k = 0; k + 17 <= n.length; k += 17) {
        for (let b = 0; b < 16; b++) store<u8>(scratchPtr() + b, n[k + b]);
        addNet(id, n[k + 16]);
      }
    } else setOption(id, optNum[i]);
  }
}

// ---- arguments -----------------------------------------------------------------------------------------

let isConn = true;
let json = false;
let only: Array<string> | null = null;

function parseArgs(): void {
  const argv = process.argv;
  if (argv.length < 2) { putAsciiStr(HELP); flush(); exitWith(0, ''); }
  const cmd = argv[1];
  if (cmd == '-h' || cmd == '--help' || cmd == 'help') { putAsciiStr(HELP); flush(); exitWith(0, ''); }
  if (cmd != 'conn' && cmd != 'events') usageError('unknown command "' + cmd + '" (expected conn or events)');
  isConn = cmd == 'conn';
  let format = isConn ? 'tsv' : 'text';
  let file = '';
  for (let i = 2; i < argv.length; i++) {
    let a = argv[i];
    let inline: string | null = null;
    if (a.startsWith('--') && a.includes('=')) {
      inline = a.slice(a.indexOf('=') + 1);
      a = a.slice(0, a.indexOf('='));
    }
    let value = '';
    if (a == '--set' || a == '--format' || a == '--only') {
      if (inline !== null) value = inline;
      else if (i + 1 < argv.length) value = argv[++i];
      else usageError(a + ' needs a value');
    }
    if (a == '-h' || a == '--help') { putAsciiStr(HELP); flush(); exitWith(0, ''); }
    else if (a == '--json') format = 'json';
    else if (a == '-C') setting('ignore_checksums=true');
    else if (a == '--set') setting(value);
    else if (a == '--format') {
      const ok = isConn ? value == 'tsv' || value == 'json' : value == 'text' || value == 'json';
      if (!ok) usageError('--format: expected ' + (isConn ? 'tsv or json' : 'text or json') + ', got "' + value + '"');
      format = value;
    } else if (a == '--only') {
      const names = value.split(',');
      const list = new Array<string>();
      for (let k = 0; k < names.length; k++) {
        const n = names[k].trim();
        if (n.length == 0) continue;
        if (eventId(n) < 0) usageError('--only: unknown event "' + n + '"');
        list.push(n);
      }
      only = list;
    } else if (a.startsWith('-') && a != '-') usageError('unknown argument "' + argv[i] + '"');
    else {
      if (file.length) usageError('unexpected argument "' + a + '" (FILE is already ' + file + ')');
      file = a;
    }
  }
  if (file.length && file != '-') usageError('the WASI build reads the capture from stdin: give FILE as "-" or leave it out');
  if (format == 'text') usageError('the WASI build writes events as JSON lines only: add --json');
  json = format == 'json';
}

function eventId(name: string): i32 {
  for (let i: u32 = 1; i <= EVENT_MAX; i++) if (EVENT_NAMES[i] == name) return <i32>i;
  return -1;
}

function applySubscription(): void {
  for (let id: u32 = 1; id <= EVENT_MAX; id++) {
    const f = EVENT_FLAGS[id];
    if ((f & 1) == 0) continue;
    let on = false;
    if (EVENT_NAMES[id] == 'connection_state_remove' && isConn) on = true;
    else if (isConn && only === null) on = (f & 4) != 0;
    else if (only === null) on = true;
    else on = (<Array<string>>only).includes(EVENT_NAMES[id]);
    subscribe(id, on ? 1 : 0);
  }
}

// ---- writers -------------------------------------------------------------------------------------------

function inNet(addr: usize, nets: usize, prefix: u32): bool {
  const full = prefix >> 3;
  for (let i: u32 = 0; i < full; i++) if (load<u8>(addr + i) != load<u8>(nets + i)) return false;
  const rest = prefix & 7;
  if (rest == 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (<u32>load<u8>(addr + full) & mask) == load<u8>(nets + full);
}

function isLocal(addr: usize): bool {
  const base = changetype<usize>(DEFAULT_NET_BYTES);
  for (let i = 0; i < DEFAULT_NET_COUNT; i++) if (inNet(addr, base + 16 * i, DEFAULT_NET_PREFIX[i])) return true;
  const user = localNets.dataStart;
  for (let k = 0; k + 17 <= localNets.length; k += 17) if (inNet(addr, user + k, localNets[k + 16])) return true;
  return false;
}

function putEndpoint(state: u32, size: u64, pktsSet: bool, pkts: u64, ipSet: bool, ip: u64): void {
  putRaw('{"state":');
  if (state < <u32>ENDPOINT_STATES.length) putJsonAscii(ENDPOINT_STATES[state]); else putU64(state);
  putRaw(',"size":'); putU64(size);
  putRaw(',"num_pkts":'); if (pktsSet) putU64(pkts); else putRaw('null');
  putRaw(',"num_bytes_ip":'); if (ipSet) putU64(ip); else putRaw('null');
  putByte(125);
}

/** One events.jsonl line (events-json.ts eventJson). */
function eventLine(rec: usize, id: u32, hasConn: bool): void {
  const args = rec + 20;
  if (hasConn) {
    setMuted(true);
    seek(args);
    writeArgs(id);
    setMuted(false);
    snap.readSnapshot();
  }
  putRaw('{"name":"'); putAsciiStr(EVENT_NAMES[id]); putRaw('","ts":'); putFixed6(load<f64>(rec, 12));
  if (hasConn) {
    putRaw(',"id.orig_h":"'); putAddr(snap.origH, snap.origVer);
    putRaw('","id.orig_p":'); putU64(snap.origP);
    putRaw(',"id.resp_h":"'); putAddr(snap.respH, snap.respVer);
    putRaw('","id.resp_p":'); putU64(snap.respP);
  }
  seek(args);
  writeArgs(id);
  if (hasConn) {
    putRaw(',"c":{"history":'); putJsonText(snap.historyPtr, snap.historyLen);
    putRaw(',"orig":'); putEndpoint(snap.origState, snap.origSize, snap.origPktsSet, snap.origPkts, snap.origIpSet, snap.origIp);
    putRaw(',"resp":'); putEndpoint(snap.respState, snap.respSize, snap.respPktsSet, snap.respPkts, snap.respIpSet, snap.respIp);
    putByte(125);
  }
  putByte(125); putByte(10);
}

/** One conn.log row (conn-log.ts connRow + ConnLogWriter.line) from the snapshot just read. */
function connLine(): void {
  const dur = snap.duration > 0;
  const counted = snap.origPktsSet;
  const localOrig = isLocal(snap.origH), localResp = isLocal(snap.respH);
  const state = CONN_STATES[snap.connState];
  if (json) {
    putRaw('{"ts":'); putJsonDouble(snap.startTime);
    putRaw(',"uid":"'); putUid(snap.uidPtr);
    putRaw('","id.orig_h":"'); putAddr(snap.origH, snap.origVer);
    putRaw('","id.orig_p":'); putU64(snap.origP);
    putRaw(',"id.resp_h":"'); putAddr(snap.respH, snap.respVer);
    putRaw('","id.resp_p":'); putU64(snap.respP);
    putRaw(',"proto":"tcp"');
    if (dur) {
      putRaw(',"duration":'); putJsonDouble(snap.duration);
      putRaw(',"orig_bytes":'); putU64(snap.origSize);
      putRaw(',"resp_bytes":'); putU64(snap.respSize);
    }
    putRaw(',"conn_state":'); putJsonAscii(state);
    putRaw(',"local_orig":'); putRaw(localOrig ? 'true' : 'false');
    putRaw(',"local_resp":'); putRaw(localResp ? 'true' : 'false');
    putRaw(',"missed_bytes":'); putU64(snap.missedBytes);
    if (snap.historyLen > 0) { putRaw(',"history":'); putJsonText(snap.historyPtr, snap.historyLen); }
    if (counted) {
      putRaw(',"orig_pkts":'); putU64(snap.origPkts);
      if (snap.origIpSet) { putRaw(',"orig_ip_bytes":'); putU64(snap.origIp); }
      if (snap.respPktsSet) { putRaw(',"resp_pkts":'); putU64(snap.respPkts); }
      if (snap.respIpSet) { putRaw(',"resp_ip_bytes":'); putU64(snap.respIp); }
    }
    if (snap.tunnelCount > 0) {
      putRaw(',"tunnel_parents":[');
      for (let i: u32 = 0; i < snap.tunnelCount; i++) {
        if (i > 0) putByte(44);
        putByte(34); putUid(snap.tunnelPtr + <usize>i * 12); putByte(34);
      }
      putByte(93);
    }
    putRaw(',"ip_proto":6}\n');
    return;
  }
  const TAB: u32 = 9;
  putFixed6(snap.startTime); putByte(TAB);
  putUid(snap.uidPtr); putByte(TAB);
  putAddr(snap.origH, snap.origVer); putByte(TAB);
  putU64(snap.origP); putByte(TAB);
  putAddr(snap.respH, snap.respVer); putByte(TAB);
  putU64(snap.respP); putByte(TAB);
  putRaw('tcp\t-\t');
  if (dur) { putFixed6(snap.duration); putByte(TAB); putU64(snap.origSize); putByte(TAB); putU64(snap.respSize); }
  else putRaw('-\t-\t-');
  putByte(TAB); putAsciiStr(state); putByte(TAB);
  putRaw(localOrig ? 'T\t' : 'F\t'); putRaw(localResp ? 'T\t' : 'F\t');
  putU64(snap.missedBytes); putByte(TAB);
  if (snap.historyLen > 0) putTsvText(snap.historyPtr, snap.historyLen); else putByte(45);
  putByte(TAB);
  if (counted) putU64(snap.origPkts); else putByte(45);
  putByte(TAB);
  if (counted && snap.origIpSet) putU64(snap.origIp); else putByte(45);
  putByte(TAB);
  if (counted && snap.respPktsSet) putU64(snap.respPkts); else putByte(45);
  putByte(TAB);
  if (counted && snap.respIpSet) putU64(snap.respIp); else putByte(45);
  putByte(TAB);
  if (snap.tunnelCount == 0) putByte(45);
  for (let i: u32 = 0; i < snap.tunnelCount; i++) {
    if (i > 0) putByte(44);
    putUid(snap.tunnelPtr + <usize>i * 12);
  }
  putRaw('\t6\n');
}

function pad2(n: i64): void { if (n < 10) putByte(48); putU64(<u64>n); }

/** `YYYY-MM-DD-HH-MM-SS` of the wall clock in UTC (WASI has no time zone). */
function putStamp(): void {
  const secs = process.time() / 1000;
  let days = secs / 86400;
  const rem = secs - days * 86400;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  days += 719468;
  const era = days / 146097;
  const doe = days - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  let y = yoe + era * 400;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  putU64(<u64>y); putByte(45); pad2(m); putByte(45); pad2(d); putByte(45);
  pad2(rem / 3600); putByte(45); pad2((rem / 60) % 60); putByte(45); pad2(rem % 60);
}

const FIELDS = 'ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto';
const TYPES = 'time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tcount';

let started = false;

function header(): void {
  started = true;
  if (!isConn || json) return;
  putRaw('#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t');
  putStamp();
  putRaw('\n#fields\t'); putRaw(FIELDS); putRaw('\n#types\t'); putRaw(TYPES); putByte(10);
}

// ---- the run loop --------------------------------------------------------------------------------------

const RING_HEADER: usize = 16;

function drain(): void {
  const base = ringPtr();
  const head = load<u32>(base);
  let tail = load<u32>(base, 4);
  const cap = load<u32>(base, 8);
  const data = base + RING_HEADER;
  while (tail != head) {
    const off = tail & (cap - 1);
    const len = load<u32>(data + off);
    if (len == 0xffffffff) { tail += cap - off; continue; }
    if (len < 20 || (len & 3) != 0 || off + len > cap) internalError('bad ring record length');
    const rec = data + off;
    const id = <u32>load<u16>(rec, 4);
    if (id > EVENT_MAX || (EVENT_FLAGS[id] & 1) == 0) internalError('ring record with unknown event id');
    const hasConn = (load<u16>(rec, 6) & 1) != 0;
    if (!started) header();
    if (!isConn) eventLine(rec, id, hasConn);
    else if (EVENT_NAMES[id] == 'connection_state_remove') {
      seek(rec + 20);
      snap.readSnapshot();
      connLine();
    }
    if (cur > rec + len && !isConn) internalError('ring record shorter than its arguments');
    tail += len;
  }
  store<u32>(base, tail, 4);
  if (outFailed()) exitWith(0, '');
}

const NEED_INPUT = 0, RING_FULL = 1, DONE = 2, ERROR = 3;

function captureError(): void {
  const code = errorCode();
  const offset = errorOffset(), value = errorValue();
  let what = code > 0 && code < CAPTURE_MESSAGES.length ? CAPTURE_MESSAGES[code] : 'capture error ' + code.toString();
  let msg = '-: byte ' + (<u64>offset).toString() + ': ';
  const withValue = (code == 1 || code == 5 || code == 6 || code == 7 || code == 8 || code == 10 || code == 11 || code == 13 ||
    code == 14 || code == 15) && isFinite(value);
  if (!withValue) msg += what;
  else if (code == 1 && what.endsWith(')')) {
    let hex = (<u32>(<i64>value)).toString(16);
    while (hex.length < 8) hex = '0' + hex;
    msg += what.slice(0, what.length - 1) + ' 0x' + hex + ')';
  } else msg += what + ' (value ' + (<u64>value).toString() + ')';
  exitWith(1, msg);
}

function loop(finishing: bool): void {
  while (true) {
    const s = finishing ? finish() : run();
    drain();
    if (s == (finishing ? DONE : NEED_INPUT)) return;
    if (s == RING_FULL) continue;
    if (s == ERROR) captureError();
    internalError('the core returned status ' + s.toString());
  }
}

const iov = memory.data(16);

function main(): void {
  parseArgs();
  applyOptions();
  applySubscription();
  if (init() != 0) usageError('the core rejected the options');
  while (true) {
    const space = inputSpace();
    if (space == 0) internalError('the core has no input space after consuming what it could');
    store<u32>(iov, <u32>inputWritePtr());
    store<u32>(iov, space, 4);
    const err = fd_read(0, iov, 1, iov + 8);
    if (err == ERRNO_AGAIN) continue;
    if (err != 0) exitWith(1, '-: cannot read stdin (WASI errno ' + err.toString() + ')');
    const n = load<u32>(iov, 8);
    if (n == 0) break;
    inputCommit(n);
    loop(false);
  }
  loop(true);
  if (!started) header();
  if (isConn && !json) { putRaw('#close\t'); putStamp(); putByte(10); }
  flush();
}

main();
