/** Zeek's TCPSTATS analyzer (TA §12.2), opt-in with tcpstats_enabled: tcp_rexmit and conn_stats counters. */
import { Connection } from '../conn/connection';
import { Endpoint } from '../conn/endpoint';
import { sdiff } from './seq';
import { emit_tcp_rexmit } from '../events/emit.generated';

const ENDIAN_LITTLE: u32 = 1, ENDIAN_BIG: u32 = 2, ENDIAN_CONFUSED: u32 = 3;

@inline function abs16(v: i32): i32 { return v < 0 ? -v : v; }

/**
 * One packet for TCPSTATS. Like Zeek's analyzer it has an orig and a resp side chosen by the packet's
 * post-flip direction; each side is bound to the TCP endpoint that had its role when the connection was
 * set up (flips do not rebind), keeps its counters there, and reports that endpoint's current role.
 */
export function tcpStatsStep(c: Connection, isOrig: bool, id: u16, seq: i64, len: u32): void {
  const e = isOrig ? c.statsOrig : (c.statsOrig == c.ep0 ? c.ep1 : c.ep0);
  const peer = e == c.ep0 ? c.ep1 : c.ep0;
  e.stPkts++;
  if (e.stPkts == 1) { e.stLastId = id; return; }
  if (<u32>id == e.stLastId) { e.stRepl++; return; }
  const last = <u16>e.stLastId;
  const d1 = <i32><i16>(id - last);
  const d2 = <i32><i16>(bswap<u16>(id) - bswap<u16>(last));
  let d: i32;
  if (abs16(d1) < abs16(d2)) {
    e.stEndian = e.stEndian == 0 ? ENDIAN_BIG : e.stEndian == ENDIAN_LITTLE ? ENDIAN_CONFUSED : e.stEndian;
    d = d1;
  } else {
    e.stEndian = e.stEndian == 0 ? ENDIAN_LITTLE : e.stEndian == ENDIAN_BIG ? ENDIAN_CONFUSED : e.stEndian;
    d = d2;
  }
  if (d > -256 && d < 0) { e.stOO++; return; }
  e.stLastId = id;
  e.stInOrder++;
  const top = seq + <i64>len;
  const inflight = max<i32>(0, sdiff(e.lastSeq, e.ackSeq));
  if (top <= e.stMaxTop) {
    e.stRxmit++;
    e.stRxmitBytes += <u64>len;
    emit_tcp_rexmit(changetype<usize>(c), e == c.orig, <u64>seq, <u64>len, <u64>inflight, <u64>peer.window);
  } else {
    e.stMaxTop = top;
  }
}
