/** The four scaled per-side counters (TA §9.3): C (checksum), T (rexmit), W (zero window), G (gap). */
import { Connection } from '../conn/connection';
import { Endpoint } from '../conn/endpoint';
import { appendLetter, scaledStep } from '../conn/history';
import {
  emit_tcp_multiple_checksum_errors, emit_tcp_multiple_retransmissions, emit_tcp_multiple_zero_windows,
  emit_tcp_multiple_gap,
} from '../events/emit.generated';

export namespace Counter {
  // @ts-ignore: decorator
  @inline export const CHECKSUM: i32 = 0;
  // @ts-ignore: decorator
  @inline export const REXMIT: i32 = 1;
  // @ts-ignore: decorator
  @inline export const ZERO_WINDOW: i32 = 2;
  // @ts-ignore: decorator
  @inline export const GAP: i32 = 3;
}

const LETTERS: StaticArray<u8> = [0x43, 0x54, 0x57, 0x47];

export function scaledLetter(c: Connection, e: Endpoint, kind: i32): void {
  const at = changetype<usize>(e) + offsetof<Endpoint>('chkCnt') + (<usize>kind << 3);
  const thr = scaledStep(at);
  if (thr == 0) return;
  const isOrig = e == c.orig;
  appendLetter(c, unchecked(LETTERS[kind]), isOrig);
  if (thr < 10) return;
  const cp = changetype<usize>(c);
  if (kind == Counter.CHECKSUM) emit_tcp_multiple_checksum_errors(cp, isOrig, thr);
  else if (kind == Counter.REXMIT) emit_tcp_multiple_retransmissions(cp, isOrig, thr);
  else if (kind == Counter.ZERO_WINDOW) emit_tcp_multiple_zero_windows(cp, isOrig, thr);
  else emit_tcp_multiple_gap(cp, isOrig, thr);
}
