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
  init, ringPtr, errorCode, errorOffset, errorValue, inputSpace, inputWritePtr, inputCommit, run, finish,
} from '../index';
import { putByte, putRaw, putU64, flush, outFailed, ERRNO_AGAIN } from './out';
import { putFixed6, putJsonDouble } from './num';
import { putAddr, putUid, putJsonText, putTsvText, putJsonAscii, putAsciiStr } from './text';
import { seek, cur } from './cursor';
import * as snap from './snapshot';
import { RecordFormat } from '../schema.generated';
import {
  EVENT_MAX, EVENT_NAMES, EVENT_FLAGS, DEFAULT_NET_COUNT, DEFAULT_NET_BYTES, DEFAULT_NET_PREFIX, CONN_STATES,
  ENDPOINT_STATES, CAPTURE_MESSAGES, writeArgs,
} from './tables.generated';
import { exitWith, usageError, internalError } from './fail';

import { isConn, json, localNets, parseArgs, applyOptions, applySubscription, readSize } from './args';

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

/** One events.jsonl line (events-json.ts eventJson); a record with a connection was noted (snapshot.ts). */
function eventLine(rec: usize, id: u32, hasConn: bool): void {
  const args = rec + 20;
  if (hasConn) snap.readNoted();
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
    const flags = load<u16>(rec, 6);
    const hasConn = (flags & RecordFormat.FLAG_CONN) != 0;
    if (hasConn) snap.noteRecord(rec, len, id, (flags & RecordFormat.FLAG_SAME_SNAPSHOT) != 0);
    if (!started) header();
    if (!isConn) eventLine(rec, id, hasConn);
    else if (EVENT_NAMES[id] == 'connection_state_remove') {
      snap.readNoted();
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

/** Runs the core until it needs input (or, finishing, is done); false when the capture turned out damaged. */
function loop(finishing: bool): bool {
  while (true) {
    const s = finishing ? finish() : run();
    drain();
    if (s == (finishing ? DONE : NEED_INPUT)) return true;
    if (s == RING_FULL) continue;
    if (s == ERROR) {
      if (finishing) captureError();
      return false;
    }
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
    store<u32>(iov, readSize != 0 && readSize < space ? readSize : space, 4);
    const err = fd_read(0, iov, 1, iov + 8);
    if (err == ERRNO_AGAIN) continue;
    if (err != 0) exitWith(1, '-: cannot read stdin (WASI errno ' + err.toString() + ')');
    const n = load<u32>(iov, 8);
    if (n == 0) break;
    inputCommit(n);
    // A damaged capture, as in the other hosts: stop reading, end the connections seen so far, then the error
    // (finish() reports it once they are out).
    if (!loop(false)) break;
  }
  loop(true);
  if (!started) header();
  if (isConn && !json) { putRaw('#close\t'); putStamp(); putByte(10); }
  flush();
}

main();
