/**
 * Contents files (TA §13.9, Zeek's set_contents_file): each attached side's stream goes to the host as
 * contents_file_write records — delivered bytes in order, "\n<<gap N>>\n" markers for holes that have data
 * after them — and contents_file_close at removal. The host owns the sinks; when one fails it calls
 * contentsWriteFailed() and the core raises contents_file_write_failure and detaches that side.
 */
import { Connection } from '../conn/connection';
import { Endpoint } from '../conn/endpoint';
import { Block } from './block';
import { emit_contents_file_write, emit_contents_file_close, emit_contents_file_write_failure } from '../events/emit.generated';
import { formatDecimal } from '../tcp/window';

const marker = memory.data(32);

@inline function blk(p: usize): Block { return changetype<Block>(p); }

/** Identifies a side across calls: slot pointer with the side in bit 0 (high word), serial (low word). */
@inline function handle(c: Connection, e: Endpoint): u64 {
  const side: u64 = e == c.ep1 ? 1 : 0;
  return ((<u64>changetype<usize>(c) | side) << 32) | <u64>c.serial;
}

export function contentsWrite(c: Connection, e: Endpoint, ptr: usize, len: u32): void {
  if (len > 0) emit_contents_file_write(changetype<usize>(c), e == c.orig, handle(c, e), ptr, len, false);
}

/** Writes the gap marker for a hole of `n` bytes. */
export function contentsGap(c: Connection, e: Endpoint, n: u64): void {
  // "\n<<gap " + N + ">>\n"
  store<u8>(marker, 0x0a);
  store<u32>(marker + 1, 0x61673c3c); // "<<ga"
  store<u16>(marker + 5, 0x2070);     // "p "
  let k: u32 = 7;
  // n fits in 20 digits; format in two halves to keep the helper 32-bit.
  if (n >= 1000000000) {
    k += formatDecimal(marker + k, <u32>(n / 1000000000));
    const lo = <u32>(n % 1000000000);
    for (let d: u32 = 100000000; d > 0; d /= 10) store<u8>(marker + k++, <u8>(0x30 + (lo / d) % 10));
  } else {
    k += formatDecimal(marker + k, <u32>n);
  }
  store<u16>(marker + k, 0x3e3e);     // ">>"
  store<u8>(marker + k + 2, 0x0a);
  emit_contents_file_write(changetype<usize>(c), e == c.orig, handle(c, e), marker, k + 3, true);
}

/** Attaches side e: first the held, already delivered bytes (catch-up), with markers for holes between them. */
export function contentsAttach(c: Connection, e: Endpoint): void {
  if (e.contents || !e.hasReassembler) return;
  e.contents = true;
  let b = e.blocks;
  let prevUpper: i64 = -1;
  while (b != 0 && blk(b).seq < e.lastReassem) {
    const bb = blk(b);
    if (prevUpper >= 0 && bb.seq > prevUpper) contentsGap(c, e, <u64>(bb.seq - prevUpper));
    const end = min(bb.upper, e.lastReassem);
    contentsWrite(c, e, bb.data, <u32>(end - bb.seq));
    prevUpper = end;
    b = bb.next;
  }
}

/** At removal: held but undelivered blocks from lastReassem on, a marker before each hole, then close. */
export function contentsFinish(c: Connection, e: Endpoint): void {
  if (!e.contents) return;
  let at = e.lastReassem;
  for (let b = e.blocks; b != 0; b = blk(b).next) {
    const bb = blk(b);
    if (bb.upper <= at) continue;
    const from = max(bb.seq, at);
    if (from > at) contentsGap(c, e, <u64>(from - at));
    contentsWrite(c, e, bb.data + <usize>(from - bb.seq), <u32>(bb.upper - from));
    at = bb.upper;
  }
  emit_contents_file_close(changetype<usize>(c), e == c.orig, handle(c, e));
  e.contents = false;
}

const DATA_FAILURE = 'TCP reassembler content write failure';
const GAP_FAILURE = 'TCP reassembler gap write failure';

/**
 * The host's sink for a side failed: raise contents_file_write_failure and stop writing that side.
 * Returns false when the handle no longer names a live connection.
 */
export function contentsFailed(handleHi: u32, serial: u32, gap: bool): bool {
  const c = changetype<Connection>(<usize>(handleHi & ~1));
  if (c.serial != serial || c.removed) return false;
  const e = (handleHi & 1) != 0 ? c.ep1 : c.ep0;
  if (!e.contents) return false;
  e.contents = false;
  const msg = gap ? GAP_FAILURE : DATA_FAILURE;
  const buf = String.UTF8.encode(msg);
  emit_contents_file_write_failure(changetype<usize>(c), e == c.orig, changetype<usize>(buf), <u32>buf.byteLength);
  return true;
}
