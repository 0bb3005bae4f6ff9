/**
 * The WASI command's command line: HELP, `--set` option parsing and validation (the same names, kinds and
 * messages as the Node CLI), the subscription, and handing both to the core.
 */
import {
  setOption, clearList, setPort, addNet, subscribe, scratchPtr,
} from '../index';
import {
  EVENT_MAX, EVENT_NAMES, EVENT_FLAGS, OPT_COUNT, OPT_NAMES, OPT_IDS, OPT_KINDS, OPT_MAX, OPT_HOST,
} from './tables.generated';
import { exitWith, usageError } from './fail';
import { flush } from './out';
import { putAsciiStr } from './text';

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
  --read-size BYTES           read stdin at most BYTES at a time (default: as much as the core's input
                              buffer takes); the output never depends on it
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
export let localNets = new Array<u8>();

export function applyOptions(): void {
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

export let isConn = true;
export let json = false;
/** Largest stdin read, 0 = no limit beyond the core's free input space. */
export let readSize: u32 = 0;
let only: Array<string> | null = null;

export function parseArgs(): void {
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
    if (a == '--set' || a == '--format' || a == '--only' || a == '--read-size') {
      if (inline !== null) value = inline;
      else if (i + 1 < argv.length) value = argv[++i];
      else usageError(a + ' needs a value');
    }
    if (a == '-h' || a == '--help') { putAsciiStr(HELP); flush(); exitWith(0, ''); }
    else if (a == '--json') format = 'json';
    else if (a == '--read-size') {
      if (!isDigits(value, 1, 9) || I32.parseInt(value) < 1) usageError('--read-size: expected a positive whole number of bytes, got "' + value + '"');
      readSize = <u32>I32.parseInt(value);
    }
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

export function applySubscription(): void {
  for (let id: u32 = 1; id <= EVENT_MAX; id++) {
    const f = EVENT_FLAGS[id];
    if ((f & 1) == 0) continue;
    let on = false;
    if (EVENT_NAMES[id] == 'connection_state_remove' && isConn) on = true;
    else if (isConn && only === null) on = (f & 4) != 0;
    else if (only === null) on = true;
    else on = (<Array<string>>only).includes(EVENT_NAMES[id]);
    // conn.log reads connection_state_remove only: the rest stay subscribed (they shape the analysis) undelivered
    subscribe(id, !on ? 0 : isConn && EVENT_NAMES[id] != 'connection_state_remove' ? 2 : 1);
  }
}

