/**
 * Creating, flipping and removing connections (TA §4, §16.4), and what each timer does when it fires
 * (TA §16.2). Removal raises connection_state_remove and frees the slot at the end of the unit.
 */
import { Connection, TimerKind } from './connection';
import { State } from './endpoint';
import { allocConnection, freeConnection } from './pool';
import { insert, remove as tableRemove } from './table';
import { nextUid, uidLo, uidHi } from './uid';
import { appendRaw } from './history';
import { Packet } from '../decode/packet';
import { schedule, cancel } from '../timers/timer-queue';
import {
  synTimeout, initialInactivityTimeout, connectionLinger, sessionTimer, reassembleFirst, deliverAllOrig,
  deliverAllResp, isContentPortOrig, isContentPortResp, closeDelay, statusInterval, tcpStats,
} from '../options';
import { subscribed, unitTime } from '../events/stage';
import {
  emit_connection_flipped, emit_new_connection, emit_new_connection_contents, emit_connection_state_remove,
  emit_connection_timeout, emit_connection_attempt, emit_connection_partial_close, emit_connection_reset,
  emit_connection_status_update, emit_conn_stats,
} from '../events/emit.generated';
import { EventId, Stat } from '../schema.generated';
import { releaseSide } from '../reassembly/reassembler';
import { contentsFinish } from '../reassembly/contents';
import { bumpStat, setStat, stats } from '../stats';

/** Removed connections, freed when the unit's events have taken their snapshots. */
let graveyard: usize = 0;

/** Creates a connection from the current packet (the table key was computed by makeKey). */
export function createConnection(p: Packet, sport: u16, dport: u16, flip: bool): Connection {
  const c = allocConnection();
  // The pool hands out zeroed slots.
  c.ep0.initZeroed();
  c.ep1.initZeroed();
  c.orig = c.ep0;
  c.resp = c.ep1;
  c.ipVersion = p.ipVersion;
  c.origA0 = p.src0; c.origA1 = p.src1; c.respA0 = p.dst0; c.respA1 = p.dst1;
  c.origPort = sport; c.respPort = dport;
  c.orig.flowLabel = p.flowLabel;
  // l2 addresses of the first packet: orig = its source MAC, resp = its destination MAC (events.md §2.2).
  c.orig.l2 = p.l2Src; c.orig.hasL2 = p.hasL2 && p.l2Src != 0;
  c.resp.l2 = p.l2Dst; c.resp.hasL2 = p.hasL2 && p.l2Dst != 0;
  c.vlan = p.vlan;
  c.innerVlan = p.innerVlan;
  copyTunnels(c, p);
  c.startTime = p.ts;
  c.lastTime = p.ts;
  c.isActive = true;
  nextUid();
  c.uidLo = uidLo;
  c.uidHi = uidHi;
  insert(c);
  bumpStat(Stat.connections);
  bumpStat(Stat.open_connections);
  if (unchecked(stats[Stat.open_connections]) > unchecked(stats[Stat.peak_connections])) {
    setStat(Stat.peak_connections, unchecked(stats[Stat.open_connections]));
  }
  const cp = changetype<usize>(c);
  if (flip) {
    flipRoles(c);
    appendRaw(c, 0x5e);
    emit_connection_flipped(cp);
  }
  // TA §13.1: reassembly from the first packet (default), or when tcp_contents delivery asks for it.
  const wantContents = subscribed(EventId.tcp_contents);
  const delO = wantContents && (deliverAllOrig || isContentPortOrig(c.respPort));
  const delR = wantContents && (deliverAllResp || isContentPortResp(c.respPort));
  if (reassembleFirst || delO || delR) {
    c.orig.hasReassembler = true;
    c.resp.hasReassembler = true;
    c.orig.deliver = delO;
    c.resp.deliver = delR;
    emit_new_connection_contents(cp);
  }
  c.statsOrig = c.orig;
  emit_new_connection(cp);
  setInactivityTimeout(c, initialInactivityTimeout);
  schedule(c, TimerKind.EXPIRE, unitTime + synTimeout);
  if (statusInterval > 0 && subscribed(EventId.connection_status_update)) {
    schedule(c, TimerKind.STATUS, unitTime + statusInterval);
  }
  return c;
}

/** The first packet's tunnel parents, outermost first (at most 4, Zeek's default Tunnel::max_depth). */
function copyTunnels(c: Connection, p: Packet): void {
  const n = min<u32>(p.tunnelCount, 4);
  c.tunnelCount = n;
  const at = c.tunnelsPtr;
  const lo = changetype<usize>(p) + offsetof<Packet>('tunnelUidLo0');
  const hi = changetype<usize>(p) + offsetof<Packet>('tunnelUidHi0');
  for (let i: u32 = 0; i < n; i++) {
    store<u64>(at + <usize>i * 12, load<u64>(lo + (<usize>i << 3)));
    store<u32>(at + <usize>i * 12 + 8, load<u32>(hi + (<usize>i << 2)));
  }
}

/** TA §4.3: swaps roles (endpoints keep their state; uid, start time and history bits stay). */
export function flipRoles(c: Connection): void {
  const a0 = c.origA0, a1 = c.origA1, port = c.origPort;
  c.origA0 = c.respA0; c.origA1 = c.respA1; c.origPort = c.respPort;
  c.respA0 = a0; c.respA1 = a1; c.respPort = port;
  const o = c.orig;
  c.orig = c.resp;
  c.resp = o;
  c.isPartial = false;
}

/** Zeek's SetInactivityTimeout: same value → nothing; else re-armed from last_time (0 disables). */
export function setInactivityTimeout(c: Connection, t: f64): void {
  if (t == c.inactivityTimeout) return;
  cancel(c, TimerKind.INACTIVITY);
  if (t > 0) schedule(c, TimerKind.INACTIVITY, c.lastTime + t);
  c.inactivityTimeout = t;
}

/** TA §16.4: removes a connection; connection_state_remove carries the final snapshot. */
export function removeConnection(c: Connection): void {
  if (c.removed) return;
  c.removed = true;
  for (let k: u8 = 0; k < TimerKind.COUNT; k++) cancel(c, k);
  const cp = changetype<usize>(c);
  if (tcpStats) emitConnStats(c);
  emit_connection_state_remove(cp);
  tableRemove(c);
  contentsFinish(c, c.orig);
  contentsFinish(c, c.resp);
  releaseSide(c.ep0);
  releaseSide(c.ep1);
  bumpStat(Stat.open_connections, -1);
  c.nextFree = graveyard;
  graveyard = cp;
}

function emitConnStats(c: Connection): void {
  const o = c.statsOrig, r = o == c.ep0 ? c.ep1 : c.ep0;
  emit_conn_stats(changetype<usize>(c),
    o.stPkts, o.stRxmit, o.stRxmitBytes, o.stInOrder, o.stOO, o.stRepl, <u64>o.stEndian,
    r.stPkts, r.stRxmit, r.stRxmitBytes, r.stInOrder, r.stOO, r.stRepl, <u64>r.stEndian);
}

/** Frees the slots of connections removed during the unit (after endUnit took their snapshots). */
export function buryRemoved(): void {
  while (graveyard != 0) {
    const c = changetype<Connection>(graveyard);
    graveyard = c.nextFree;
    freeConnection(c);
  }
}

/** Runs one fired timer (TA §16.2). `atEnd`: end of input, where only attempt and reset timers act. */
export function fireTimer(c: Connection, kind: u8, now: f64, atEnd: bool): void {
  if (c.removed) return;
  const o = c.orig, r = c.resp;
  const cp = changetype<usize>(c);
  if (kind == TimerKind.ATTEMPT) {
    if (c.isActive && (o.state == State.SYN_SENT || o.state == State.SYN_ACK_SENT) && r.state == State.INACTIVE) {
      emit_connection_attempt(cp);
      c.isActive = false;
      removeConnection(c);
    }
    return;
  }
  if (kind == TimerKind.RESET) {
    if (!c.isActive) return;
    if (!(o.didClose && r.didClose)) {
      emit_connection_reset(cp);
      c.isActive = false;
    }
    removeConnection(c);
    return;
  }
  if (atEnd) return;
  if (kind == TimerKind.EXPIRE) {
    if (!c.isActive) return;
    if (c.lastTime + connectionLinger < now) {
      if ((o.didClose || r.didClose) && ((o.didClose && r.didClose) || o.state == State.RESET ||
          r.state == State.RESET || o.state == State.INACTIVE || r.state == State.INACTIVE)) {
        emit_connection_timeout(cp);
        c.isActive = false;
        removeConnection(c);
        return;
      }
      if (o.state == State.INACTIVE && r.state == State.INACTIVE) {
        emit_connection_timeout(cp);
        removeConnection(c);
        return;
      }
    }
    schedule(c, TimerKind.EXPIRE, now + sessionTimer);
  } else if (kind == TimerKind.PARTIAL_CLOSE) {
    if (c.isActive && o.state != State.INACTIVE && r.state != State.INACTIVE && !(o.didClose && r.didClose)) {
      if (o.state == State.RESET || r.state == State.RESET) return;
      emit_connection_partial_close(cp);
      removeConnection(c);
    }
  } else if (kind == TimerKind.CLOSE_DELETE) {
    if (closeDelay > 0) emit_connection_timeout(cp);
    removeConnection(c);
  } else if (kind == TimerKind.INACTIVITY) {
    if (c.inactivityTimeout <= 0) return;
    if (c.lastTime + c.inactivityTimeout <= now) {
      emit_connection_timeout(cp);
      removeConnection(c);
    } else {
      schedule(c, TimerKind.INACTIVITY, c.lastTime + c.inactivityTimeout);
    }
  } else if (kind == TimerKind.STATUS) {
    emit_connection_status_update(cp);
    schedule(c, TimerKind.STATUS, now + statusInterval);
  }
}
