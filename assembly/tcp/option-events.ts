/**
 * tcp_option / tcp_options (events.md §2.5, TA step 16) and the option-length weirds, which exist only
 * when tcp_options is subscribed. The raw option bytes travel in the record; hosts decode them with the
 * same walk.
 */
import { Connection } from '../conn/connection';
import { subscribed } from '../events/stage';
import { emit_tcp_option, emit_tcp_options } from '../events/emit.generated';
import { EventId, Weird } from '../schema.generated';
import { connWeird, Source } from '../weird/report';
import { formatDecimal } from './window';

const addl = memory.data(4);

/** The weird for an invalid length of `kind`, or 0 when the length is fine (TA §19.1). */
function lengthWeird(kind: u32, len: u32): u16 {
  if (kind == 2) return len != 4 ? Weird.tcp_option_mss_invalid_len : 0;
  if (kind == 3) return len != 3 ? Weird.tcp_option_window_scale_invalid_len : 0;
  if (kind == 4) return len != 2 ? Weird.tcp_option_sack_invalid_len : 0;
  if (kind == 5) return len != 10 && len != 18 && len != 26 && len != 34 ? Weird.tcp_option_sack_blocks_invalid_len : 0;
  if (kind == 8) return len != 10 ? Weird.tcp_option_timestamps_invalid_len : 0;
  if (kind == 27) return len != 8 ? Weird.tcp_option_qsresponse_invalid_len : 0;
  if (kind == 28) return len != 4 ? Weird.tcp_option_uto_invalid_len : 0;
  if (kind == 29) return len < 4 ? Weird.tcp_option_ao_invalid_len : 0;
  if (kind == 34) return len != 2 && (len < 6 || len > 18) ? Weird.tcp_option_tfo_invalid_len : 0;
  return 0;
}

/** Walks the options at `opts` (`n` bytes after the fixed header). */
// @ts-ignore: decorator
@inline export function optionEvents(c: Connection, isOrig: bool, opts: usize, n: u32): void {
  const one = subscribed(EventId.tcp_option), all = subscribed(EventId.tcp_options);
  if (!one && !all) return;
  const cp = changetype<usize>(c);
  let i: u32 = 0;
  while (i < n) {
    const kind = <u32>load<u8>(opts + i);
    let len: u32 = 1;
    if (kind > 1) {
      if (i + 1 >= n) break;
      len = <u32>load<u8>(opts + i + 1);
      if (len == 0 || i + len > n) break;
    }
    if (one) emit_tcp_option(cp, isOrig, <u64>kind, <u64>len);
    if (all) {
      const w = lengthWeird(kind, len);
      if (w != 0) connWeird(c, w, Source.TCP, addl, formatDecimal(addl, len));
    }
    i += len;
    if (kind == 0) break;
  }
  if (all) emit_tcp_options(cp, isOrig, opts, n);
}
