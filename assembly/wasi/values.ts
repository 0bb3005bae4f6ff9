/** One value of each schema field type (schema/types.ts) read at the cursor and written as events-json.ts does. */
import { rdBool, rdU8, rdU16, rdU32, rdU64, rdI64, rdF64, rdSkip } from './cursor';
import { putByte, putRaw, putU64, putI64, putHex2, muted } from './out';
import { putFixed6 } from './num';
import { putAddr, putUid, putFlags, putMac, putJsonText, putJsonAscii } from './text';
import { sha1 } from './sha1';
import { WEIRD_NAMES, CONN_STATES } from './tables.generated';
import { internalError } from './fail';

export function v_bool(): void { putRaw(rdBool() ? 'true' : 'false'); }
export function v_count(): void { putU64(rdU64()); }
export function v_int(): void { putI64(rdI64()); }
export function v_time(): void { putFixed6(rdF64()); }
export function v_port(): void { putU64(rdU16()); }
export function v_state(): void { putU64(rdU8()); }
export function v_tcpflags(): void { putByte(34); putFlags(rdU8()); putByte(34); }
export function v_bytes(): void { const n = rdU32(); putByteString(rdSkip(n), n); }
export function v_text(): void { const n = rdU32(); putJsonText(rdSkip(n), n); }
export function v_addr(): void { const ver = rdU8(); putByte(34); putAddr(rdSkip(16), ver); putByte(34); }
export function v_source(): void { putRaw(rdU8() == 1 ? '"TCP"' : '""'); }
export function v_uid(): void { putByte(34); putUid(rdSkip(12)); putByte(34); }
export function v_mac(): void { putByte(34); putMac(rdSkip(6)); putByte(34); }

export function v_weird(): void {
  const id = rdU16();
  if (id >= <u32>WEIRD_NAMES.length || WEIRD_NAMES[id].length == 0) internalError('ring record names an unknown weird id');
  putJsonAscii(WEIRD_NAMES[id]);
}

export function v_connstate(): void {
  const i = rdU8();
  putJsonAscii(i < <u32>CONN_STATES.length ? CONN_STATES[i] : '');
}

/** `{"len":N,"sha1":"…"}` for the bytes [p, p + n). */
export function putByteString(p: usize, n: u32): void {
  if (muted) return;
  putRaw('{"len":');
  putU64(n);
  putRaw(',"sha1":"');
  const d = sha1(p, n);
  for (let i = 0; i < 20; i++) putHex2(load<u8>(d + i));
  putRaw('"}');
}

function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

/** Raw option bytes as Zeek's TCP::OptionList (format.ts decodeTcpOptions + events-json.ts option). */
export function v_options(): void {
  const len = rdU32();
  let p = rdSkip(len);
  const end = p + len;
  putByte(91);
  let first = true;
  while (p < end) {
    const kind = <u32>load<u8>(p);
    let length: u32 = 1;
    if (kind >= 2) {
      if (p + 1 >= end) break;
      length = load<u8>(p + 1);
      if (length == 0 || p + length > end) break;
    }
    if (!first) putByte(44);
    first = false;
    putRaw('{"kind":'); putU64(kind); putRaw(',"length":'); putU64(length);
    let valid = true;
    switch (kind) {
      case 0: case 1: break;
      case 2: valid = length == 4; break;
      case 3: valid = length == 3; break;
      case 4: valid = length == 2; break;
      case 5: valid = length == 10 || length == 18 || length == 26 || length == 34; break;
      case 8: valid = length == 10; break;
      case 27: valid = length == 8; break;
      case 28: valid = length == 4; break;
      case 29: valid = length >= 4; break;
      case 34: valid = length == 2 || (length >= 6 && length <= 18); break;
      default: valid = false;
    }
    if (!valid && length > 2) { putRaw(',"data":'); putByteString(p + 2, length - 2); }
    if (valid) {
      if (kind == 2) { putRaw(',"mss":'); putU64((<u32>load<u8>(p + 2) << 8) | load<u8>(p + 3)); }
      else if (kind == 3) { putRaw(',"window_scale":'); putU64(load<u8>(p + 2)); }
      else if (kind == 5) {
        putRaw(',"sack":[');
        for (let i: u32 = 2; i < length; i += 4) { if (i > 2) putByte(44); putU64(be32(p + i)); }
        putByte(93);
      } else if (kind == 8) {
        putRaw(',"send_timestamp":'); putU64(be32(p + 2));
        putRaw(',"echo_timestamp":'); putU64(be32(p + 6));
      } else if (kind == 27) {
        putRaw(',"rate":'); putU64(load<u8>(p + 2));
        putRaw(',"ttl_diff":'); putU64(load<u8>(p + 3));
        putRaw(',"qs_nonce":'); putU64(be32(p + 4));
      }
    }
    putByte(125);
    p += length;
    if (kind == 0) break;
  }
  putByte(93);
}
