/**
 * conn_state (TA §15): a pure function of the two final endpoint states, their sizes and the history.
 * Returns the index into schema CONN_STATES.
 */
import { State } from './endpoint';

export namespace ConnState {
  // @ts-ignore: decorator
  @inline export const S0: u8 = 0;
  // @ts-ignore: decorator
  @inline export const S1: u8 = 1;
  // @ts-ignore: decorator
  @inline export const SF: u8 = 2;
  // @ts-ignore: decorator
  @inline export const REJ: u8 = 3;
  // @ts-ignore: decorator
  @inline export const S2: u8 = 4;
  // @ts-ignore: decorator
  @inline export const S3: u8 = 5;
  // @ts-ignore: decorator
  @inline export const RSTO: u8 = 6;
  // @ts-ignore: decorator
  @inline export const RSTR: u8 = 7;
  // @ts-ignore: decorator
  @inline export const RSTOS0: u8 = 8;
  // @ts-ignore: decorator
  @inline export const RSTRH: u8 = 9;
  // @ts-ignore: decorator
  @inline export const SH: u8 = 10;
  // @ts-ignore: decorator
  @inline export const SHR: u8 = 11;
  // @ts-ignore: decorator
  @inline export const OTH: u8 = 12;
}

@inline function inactive(s: u8): bool { return s == State.INACTIVE || s == State.PARTIAL; }

/** Whole-string match of `^?S[^HAFGIQ]*R.*` over the history bytes. */
export function historyLooksLikeRstos0(hist: usize, len: u32): bool {
  let i: u32 = 0;
  if (i < len && load<u8>(hist) == 0x5e) i++;
  if (i >= len || load<u8>(hist + i) != 0x53) return false;
  i++;
  for (; i < len; i++) {
    const ch = load<u8>(hist + i);
    if (ch == 0x52) return true;
    if (ch == 0x48 || ch == 0x41 || ch == 0x46 || ch == 0x47 || ch == 0x49 || ch == 0x51) return false;
  }
  return false;
}

export function connState(o: u8, r: u8, origSize: u64, respSize: u64, hist: usize, histLen: u32): u8 {
  if (r == State.RESET) {
    if (o == State.SYN_SENT || o == State.SYN_ACK_SENT) return ConnState.REJ;
    if (o == State.RESET && origSize == 0 && respSize == 0) return ConnState.REJ;
    if (inactive(o)) return ConnState.RSTRH;
    return ConnState.RSTR;
  }
  if (o == State.RESET) {
    if (inactive(r)) return historyLooksLikeRstos0(hist, histLen) ? ConnState.RSTOS0 : ConnState.OTH;
    return ConnState.RSTO;
  }
  if (o == State.CLOSED && r == State.CLOSED) return ConnState.SF;
  if (o == State.CLOSED) return inactive(r) ? ConnState.SH : ConnState.S2;
  if (r == State.CLOSED) return inactive(o) ? ConnState.SHR : ConnState.S3;
  if (o == State.SYN_SENT && r == State.INACTIVE) return ConnState.S0;
  if (o == State.ESTABLISHED && r == State.ESTABLISHED) return ConnState.S1;
  return ConnState.OTH;
}
