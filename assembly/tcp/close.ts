/** Closing (TA §11): close handling with deferral while data is pending, and the per-side EOF check. */
import { Connection, TimerKind } from '../conn/connection';
import { Endpoint, State } from '../conn/endpoint';
import { dataPending } from '../reassembly/reassembler';
import { schedule, cancel } from '../timers/timer-queue';
import { closeDelay, partialCloseDelay, sessionTimer } from '../options';
import { subscribed } from '../events/stage';
import { emit_connection_EOF, emit_connection_finished, emit_connection_half_finished } from '../events/emit.generated';
import { EventId, Weird } from '../schema.generated';
import { connWeird, Source } from '../weird/report';

@inline function peerOf(c: Connection, e: Endpoint): Endpoint { return e == c.orig ? c.resp : c.orig; }

/** Cancels the TCP-level timers (attempt, expire, partial close, reset, close-delete); not inactivity/status. */
export function cancelTcpTimers(c: Connection): void {
  cancel(c, TimerKind.EXPIRE);
  cancel(c, TimerKind.ATTEMPT);
  cancel(c, TimerKind.PARTIAL_CLOSE);
  cancel(c, TimerKind.RESET);
  cancel(c, TimerKind.CLOSE_DELETE);
}

/** §11.1 for side e. */
export function closeSide(c: Connection, e: Endpoint, genEvent: bool): void {
  const p = peerOf(c, e);
  if (dataPending(c, e)) {
    c.closeDeferred = true;
    if (!c.deferredGenEvent) c.deferredGenEvent = genEvent;
    return;
  }
  c.closeDeferred = false;
  if (e.didClose) return;
  e.didClose = true;
  const complete = e.state == State.RESET || p.didClose || p.state == State.INACTIVE;
  if (complete) {
    if (e.prevState != State.INACTIVE || p.state != State.INACTIVE) {
      if (c.deferredGenEvent) {
        genEvent = true;
        c.deferredGenEvent = false;
      }
      if (genEvent) {
        if (p.state == State.INACTIVE) emit_connection_half_finished(changetype<usize>(c));
        else emit_connection_finished(changetype<usize>(c));
        c.isActive = false;
      }
    }
    cancelTcpTimers(c);
    schedule(c, TimerKind.CLOSE_DELETE, c.lastTime + closeDelay);
  } else if (e.prevState == State.INACTIVE) {
    if (subscribed(EventId.connection_partial_close)) {
      schedule(c, TimerKind.PARTIAL_CLOSE, c.lastTime + partialCloseDelay);
    }
  } else {
    schedule(c, TimerKind.EXPIRE, c.lastTime + sessionTimer);
  }
}

/** §11.3 for side e. The common case (no EOF possible yet) is decided inline, at every packet. */
// @ts-ignore: decorator
@inline export function eofCheck(c: Connection, e: Endpoint): void {
  if (e.didEOF || !e.hasReassembler) return;
  if (e.finCnt == 0 && e.state != State.CLOSED && e.state != State.RESET) return;
  eofCheckPending(c, e);
}

function eofCheckPending(c: Connection, e: Endpoint): void {
  if (dataPending(c, e)) return;
  e.didEOF = true;
  emit_connection_EOF(changetype<usize>(c), e == c.orig);
  if (c.closeDeferred) {
    if (dataPending(c, e) && c.orig.didClose && c.resp.didClose) {
      connWeird(c, Weird.pending_data_when_closed, Source.TCP);
    }
    c.closeDeferred = false;
    closeSide(c, e, c.deferredGenEvent);
  }
}
