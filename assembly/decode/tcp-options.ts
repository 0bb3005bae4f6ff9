/**
 * The options Zeek puts into `SYN_packet` (events.md §2.4), read with Zeek's lenient walk: kind 0 ends,
 * kind 1 is one byte, otherwise stop when there is no room for the length byte, the length is 0, or the
 * option runs past the header. Too-short known options are skipped without a value.
 */
import { be16, be32, u8at } from "../util/bytes";

@final @unmanaged
export class SynOptions {
  /** Window-scale shift as sent (not clamped); −1 when absent or its length is below 3. */
  winScale: i32 = -1;
  /** MSS; 0 when absent or its length is below 4. */
  mss: u32 = 0;
  sackOk: bool = false;
  /** Timestamps present with length ≥ 10. */
  hasTs: bool = false;
  tsVal: u32 = 0;
  tsEcr: u32 = 0;
}

/** The one SYN options record, refilled by parseSynOptions(). */
export const synOptions: SynOptions = new SynOptions();

/** Parses the options of the TCP header at `tcp` whose length is `hlen` bytes (already captured). */
export function parseSynOptions(tcp: usize, hlen: u32): void {
  const o = synOptions;
  o.winScale = -1;
  o.mss = 0;
  o.sackOk = false;
  o.hasTs = false;
  o.tsVal = 0;
  o.tsEcr = 0;
  let at: u32 = 20;
  while (at < hlen) {
    const kind = u8at(tcp + at);
    if (kind == 0) break;
    if (kind == 1) {
      at++;
      continue;
    }
    if (at + 1 >= hlen) break;
    const len = u8at(tcp + at + 1);
    if (len == 0 || at + len > hlen) break;
    const v = tcp + at + 2;
    if (kind == 2) {
      if (len >= 4) o.mss = be16(v);
    } else if (kind == 3) {
      if (len >= 3) o.winScale = <i32>u8at(v);
    } else if (kind == 4) {
      o.sackOk = true;
    } else if (kind == 8) {
      if (len >= 10) {
        o.hasTs = true;
        o.tsVal = be32(v);
        o.tsEcr = be32(v + 4);
      }
    }
    at += len;
  }
}
