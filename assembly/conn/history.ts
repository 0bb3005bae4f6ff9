/**
 * History letters (TA §9): once-per-role masks, the SYN/FIN/RST repeat rules, the scaled (logarithmic)
 * letters C T W G, and the flip marker. Letters are appended in processing order; the string is capped at
 * HISTORY_MAX bytes (a documented bound: later letters of a hostile connection are dropped).
 */
import { Connection, HISTORY_MAX } from './connection';

/** "Seen" categories; the responder's bit is the originator's shifted by 8 (bits are per role). */
export namespace Hist {
  // @ts-ignore: decorator
  @inline export const SYN: u32 = 1;
  // @ts-ignore: decorator
  @inline export const FIN: u32 = 2;
  // @ts-ignore: decorator
  @inline export const RST: u32 = 4;
  // @ts-ignore: decorator
  @inline export const FIN_RST: u32 = 8;
  // @ts-ignore: decorator
  @inline export const MULTI: u32 = 16;
  // @ts-ignore: decorator
  @inline export const DATA: u32 = 32;
  // @ts-ignore: decorator
  @inline export const ACK: u32 = 64;
}

/** Appends a letter, uppercase for the originator (letters are passed in uppercase). */
export function appendLetter(c: Connection, upper: u8, isOrigRole: bool): void {
  if (c.histLen >= HISTORY_MAX) return;
  store<u8>(c.historyPtr + c.histLen, isOrigRole ? upper : upper | 0x20);
  c.histLen++;
}

/** Appends a letter that has no case ('^'). */
export function appendRaw(c: Connection, ch: u8): void {
  if (c.histLen >= HISTORY_MAX) return;
  store<u8>(c.historyPtr + c.histLen, ch);
  c.histLen++;
}

/** Sets the role's bit for `cat`; true when it was not set before (the letter is new for this role). */
export function firstTime(c: Connection, cat: u32, isOrigRole: bool): bool {
  const bit = isOrigRole ? cat : cat << 8;
  if (c.histSeen & bit) return false;
  c.histSeen |= bit;
  return true;
}

/** History is exactly "H" (TA §4.3 F2 precondition). */
export function historyIsH(c: Connection): bool {
  return c.histLen == 1 && load<u8>(c.historyPtr) == 0x48;
}

/** Replaces the history with "^h" (TA §4.3 F2). */
export function rewriteFlippedH(c: Connection): void {
  store<u8>(c.historyPtr, 0x5e);
  store<u8>(c.historyPtr, 0x68, 1);
  c.histLen = 2;
}

/**
 * A scaled counter step (TA §9.3). Returns 0 when nothing is to be reported, 1 when only the letter is
 * appended, or the threshold (≥ 10) for which the matching tcp_multiple_* event is raised.
 * `cnt` and `thr` are the fields at `at` and `at + 4`.
 */
export function scaledStep(at: usize): u32 {
  const cnt = load<u32>(at) + 1;
  store<u32>(at, cnt);
  const thr = load<u32>(at, 4);
  if (cnt != thr) return 0;
  // Zeek multiplies in 32 bits: only when the product wraps to a value not above thr does the count restart.
  const next = thr * 10;
  if (next <= thr) store<u32>(at, 0);
  else store<u32>(at, next, 4);
  return thr;
}
