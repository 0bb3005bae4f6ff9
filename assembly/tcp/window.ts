/** Windows (TA §10): window-scale setup on SYNs and the per-packet zero-window and recision checks. */
import { Connection } from '../conn/connection';
import { Endpoint, State } from '../conn/endpoint';
import { sdiff } from './seq';
import { connWeird, Source } from '../weird/report';
import { Weird } from '../schema.generated';
import { scaledLetter, Counter } from './counters';

const addlBuf = memory.data(4);

/** §10.1, for packets with SYN. `ws` = window-scale option value (−1 when absent). */
export function setupWindowScale(c: Connection, e: Endpoint, p: Endpoint, ws: i32, seq: u32, ack: u32, hasAck: bool): void {
  if (ws < 0) {
    e.windowScale = 0;
    if (hasAck) p.windowScale = 0;
    return;
  }
  if (ws > 14) {
    if (!c.hadWeird) {
      const n = formatDecimal(addlBuf, <u32>ws);
      connWeird(c, Weird.TCP_scale_range, Source.TCP, addlBuf, n);
    }
    ws = 14;
  }
  e.windowScale = <u32>ws;
  e.windowSeq = seq;
  e.windowAckSeq = ack;
  p.windowSeq = ack;
  p.windowAckSeq = seq;
}

/** Writes `v` in decimal at `at`; returns the length (at most 10). */
export function formatDecimal(at: usize, v: u32): u32 {
  let n: u32 = 1;
  for (let t = v; t >= 10; t /= 10) n++;
  for (let i = n; i > 0; i--) {
    store<u8>(at + i - 1, <u8>(0x30 + v % 10));
    v /= 10;
  }
  return n;
}

/** §10.2, every packet (step 6). */
export function updateWindow(c: Connection, e: Endpoint, p: Endpoint, flags: u8, rawWindow: u32, seq: u32, ack: u32): void {
  const w = rawWindow << e.windowScale;
  const syn = (flags & 2) != 0, fin = (flags & 1) != 0, rst = (flags & 4) != 0;
  if (w == 0 && !rst && p.state != State.CLOSED && e.state != State.RESET) {
    scaledLetter(c, e, Counter.ZERO_WINDOW);
  }
  if (syn || fin || rst || e.state == State.CLOSED || e.state == State.RESET) return;
  if (sdiff(seq, e.windowSeq) < 0 || sdiff(ack, e.windowAckSeq) < 0) return;
  const advance = sdiff(ack + w, e.windowAckSeq + e.window);
  if (advance < 0 && <u64>(-<i64>advance) >= (<u64>1 << e.windowScale)) {
    connWeird(c, Weird.window_recision, Source.CORE);
  }
  e.window = w;
  e.windowAckSeq = ack;
  e.windowSeq = seq;
}
