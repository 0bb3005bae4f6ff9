/**
 * The endpoint state machine (TA §8): one function per state of the sending endpoint E before the packet.
 * `isOrig` is the packet's direction on arrival (stale after a flip in this packet, TA §4.4).
 * Results: `doClose` and `genEvent` for close handling (TA §11.1).
 */
import { Connection, TimerKind } from '../conn/connection';
import { Endpoint, State, isHandshake } from '../conn/endpoint';
import { appendRaw } from '../conn/history';
import { flipRoles, setInactivityTimeout } from '../conn/lifecycle';
import { schedule } from '../timers/timer-queue';
import { attemptDelay, resetDelay, tcpInactivityTimeout } from '../options';
import { subscribed } from '../events/stage';
import {
  emit_connection_established, emit_connection_rejected, emit_connection_reset, emit_partial_connection,
  emit_connection_flipped,
} from '../events/emit.generated';
import { EventId, Weird } from '../schema.generated';
import { connWeird, Source } from '../weird/report';

export let doClose = false;
export let genEvent = false;

const FIN: u8 = 1, SYN: u8 = 2, RST: u8 = 4, ACK: u8 = 16;

/** SetState plus the switch to the established inactivity timeout when leaving the handshake (TA §8). */
function setState(c: Connection, e: Endpoint, p: Endpoint, s: u8): void {
  const old = e.state;
  if (s == old) return;
  e.setState(s);
  if (!isHandshake(s) && isHandshake(old) && isHandshake(p.state)) setInactivityTimeout(c, tcpInactivityTimeout);
}

/** connection_reset also ends the connection's activity (TA §16). */
function connectionReset(c: Connection): void {
  emit_connection_reset(changetype<usize>(c));
  c.isActive = false;
}

function established(c: Connection): void {
  emit_connection_established(changetype<usize>(c));
  c.portTimeoutPending = true;
}

function inactive(c: Connection, e: Endpoint, p: Endpoint, isOrig: bool, flags: u8, len: u32, ack: u32, now: f64): void {
  const cw = changetype<usize>(c);
  if (flags & SYN) {
    if (isOrig) {
      if (flags & ACK) {
        connWeird(c, Weird.connection_originator_SYN_ack, Source.TCP);
        setState(c, e, p, State.SYN_ACK_SENT);
      } else {
        setState(c, e, p, State.SYN_SENT);
      }
      if (attemptDelay > 0) schedule(c, TimerKind.ATTEMPT, now + attemptDelay);
    } else {
      if (flags & ACK) {
        if (p.state != State.INACTIVE && p.state != State.PARTIAL && (ack - p.isn) > (p.lastSeq - p.isn)) {
          connWeird(c, Weird.bad_SYN_ack, Source.TCP);
        }
      } else if (p.state == State.SYN_ACK_SENT) {
        // TA §4.3 F3: the SYN-ACK came first; this SYN shows who really opened.
        c.isPartial = false;
        flipRoles(c);
        appendRaw(c, 0x5e);
        emit_connection_flipped(cw);
        setState(c, p, e, State.ESTABLISHED);
        c.origSeen = true;
      } else {
        connWeird(c, Weird.simultaneous_open, Source.TCP);
      }
      if (p.state == State.SYN_SENT) setState(c, p, e, State.ESTABLISHED);
      else if (p.state == State.INACTIVE) connWeird(c, Weird.unsolicited_SYN_response, Source.TCP);
      setState(c, e, p, State.ESTABLISHED);
      if (p.state != State.PARTIAL) established(c);
    }
  }
  if (flags & FIN) {
    setState(c, e, p, State.CLOSED);
    doClose = true;
    genEvent = true;
    if (p.state != State.PARTIAL && !(flags & SYN)) connWeird(c, Weird.spontaneous_FIN, Source.TCP);
  }
  if (flags & RST) {
    setState(c, e, p, State.RESET);
    const reject = isOrig ? p.state == State.ESTABLISHED : (p.state == State.SYN_SENT || p.state == State.SYN_ACK_SENT);
    doClose = true;
    genEvent = !reject;
    if (reject) emit_connection_rejected(cw);
    else if (p.state == State.INACTIVE) connWeird(c, Weird.spontaneous_RST, Source.TCP);
  } else if (e.state == State.INACTIVE) {
    if (!isOrig && len == 0 && c.orig.state == State.SYN_SENT) {
      // An ACK sent before the SYN-ACK: the responder stays unseen.
    } else if ((flags & ACK) && p.state == State.ESTABLISHED) {
      setState(c, e, p, State.ESTABLISHED);
      c.isPartial = false;
      if (e == c.orig) c.origSeen = true; else c.respSeen = true;
    } else {
      setState(c, e, p, State.PARTIAL);
      if (p.state == State.PARTIAL) emit_partial_connection(cw);
    }
  }
}

function synSent(c: Connection, e: Endpoint, p: Endpoint, isOrig: bool, flags: u8, len: u32): void {
  if (flags & SYN) {
    if (isOrig) {
      if ((flags & ACK) && !(flags & (FIN | RST)) && e.state != State.SYN_ACK_SENT) {
        connWeird(c, Weird.repeated_SYN_with_ack, Source.TCP);
      }
    } else if (!(flags & ACK) && e.state != State.SYN_SENT) {
      connWeird(c, Weird.repeated_SYN_reply_wo_ack, Source.TCP);
    }
  }
  if (flags & FIN) {
    if (p.state == State.INACTIVE || p.state == State.SYN_SENT) connWeird(c, Weird.inappropriate_FIN, Source.TCP);
    setState(c, e, p, State.CLOSED);
    doClose = true;
    genEvent = true;
  }
  if (flags & RST) {
    setState(c, e, p, State.RESET);
    connectionReset(c);
    doClose = true;
  } else if (len > 0) {
    connWeird(c, Weird.data_before_established, Source.TCP);
  }
}

function establishedState(c: Connection, e: Endpoint, p: Endpoint, flags: u8): void {
  if ((flags & SYN) && e.state == State.PARTIAL && p.state == State.INACTIVE && !(flags & ACK)) {
    connWeird(c, Weird.SYN_after_partial, Source.TCP);
    setState(c, e, p, State.SYN_SENT);
  }
  if ((flags & FIN) && !(flags & RST)) {
    setState(c, e, p, State.CLOSED);
    // A FIN-then-RST by the peer counts as a normal close.
    if (p.state == State.RESET && p.prevState == State.CLOSED) setState(c, p, e, State.CLOSED);
    doClose = true;
    genEvent = true;
  }
  if (flags & RST) {
    setState(c, e, p, State.RESET);
    doClose = true;
    if (!(p.state == State.RESET && p.prevState == State.ESTABLISHED)) connectionReset(c);
  }
}

function closedState(c: Connection, e: Endpoint, p: Endpoint, flags: u8, d: i32, now: f64): void {
  if (flags & SYN) connWeird(c, Weird.SYN_after_close, Source.TCP);
  if ((flags & FIN) && d > 0) connWeird(c, Weird.FIN_advanced_last_seq, Source.TCP);
  if ((flags & RST) && p.state != State.CLOSED) {
    setState(c, e, p, State.RESET);
    if (!e.didClose) doClose = true;
    if (subscribed(EventId.connection_reset)) schedule(c, TimerKind.RESET, now + resetDelay);
  }
}

function resetState(c: Connection, flags: u8, len: u32): void {
  if (flags & SYN) connWeird(c, Weird.SYN_after_reset, Source.TCP);
  if (flags & FIN) connWeird(c, Weird.FIN_after_reset, Source.TCP);
  if (len > 0 && !(flags & RST)) connWeird(c, Weird.data_after_reset, Source.TCP);
}

/** Runs TA §8 for E; `d` is the §6.6 difference of seq_end and E's previous last_seq. */
// @ts-ignore: decorator
@inline export function updateStateMachine(
  c: Connection, e: Endpoint, p: Endpoint, isOrig: bool, flags: u8, len: u32, ack: u32, d: i32, now: f64,
): void {
  doClose = false;
  genEvent = false;
  const s = e.state;
  if (s == State.INACTIVE) inactive(c, e, p, isOrig, flags, len, ack, now);
  else if (s == State.SYN_SENT || s == State.SYN_ACK_SENT) synSent(c, e, p, isOrig, flags, len);
  else if (s == State.ESTABLISHED || s == State.PARTIAL) establishedState(c, e, p, flags);
  else if (s == State.CLOSED) closedState(c, e, p, flags, d, now);
  else resetState(c, flags, len);
}
