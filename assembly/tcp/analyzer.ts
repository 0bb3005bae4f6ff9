/**
 * The per-packet TCP pipeline (TA §3, §7), in Zeek's order. Step numbers refer to TA §7.
 */
import { Packet } from '../decode/packet';
import { Connection } from '../conn/connection';
import { Endpoint, State } from '../conn/endpoint';
import { Hist, appendLetter, firstTime, historyIsH, rewriteFlippedH } from '../conn/history';
import { flipRoles, setInactivityTimeout } from '../conn/lifecycle';
import { connectionFor } from './accept';
import { sdiff, rel, underflow } from './seq';
import { updateWindow, setupWindowScale } from './window';
import { scaledLetter, Counter } from './counters';
import { updateStateMachine, doClose, genEvent } from './state-machine';
import { closeSide, eofCheck } from './close';
import { optionEvents } from './option-events';
import { tcpStatsStep } from './tcp-stats';
import { dataSent, ackReceived } from '../reassembly/reassembler';
import { holdSnapshot, releaseSnapshot } from '../events/stage';
import { contentsAttach } from '../reassembly/contents';
import { Tcp as hdr } from '../decode/tcp';
import { tcpChecksumOk } from '../decode/checksum';
import { parseSynOptions, synOptions } from '../decode/tcp-options';
import { connWeird, flowWeird, Source } from '../weird/report';
import {
  emit_connection_flipped, emit_connection_SYN_packet, emit_connection_first_ACK, emit_tcp_packet,
} from '../events/emit.generated';
import { Weird } from '../schema.generated';
import {
  ignoreChecksums, inIgnoredNets, stormThresh, stormInterarrival, countSizes, tcpStats, isLikelyServerPort,
  isLongInactivityPort, extractContents,
} from '../options';

const FIN: u8 = 1, SYN: u8 = 2, RST: u8 = 4, URG: u8 = 32, ACK: u8 = 16;

/** Analyzes one TCP packet whose IP layer was decoded into `p`. */
// @ts-ignore: decorator
@inline export function analyzeTcp(p: Packet): void {
  // §3 step 1: enough of a header to extract the key.
  if (p.payloadDecl != 0 && p.payloadDecl < 20) { flowWeird(p, Weird.truncated_header, Source.TCP); return; }
  if (p.payloadCap < 20) { flowWeird(p, Weird.internally_truncated_header_flow, Source.TCP); return; }
  const t = p.l4Ptr;
  const sport = <u16>hdr.srcPort(t), dport = <u16>hdr.dstPort(t);
  const flags = <u8>hdr.flags(t);
  const seq = hdr.seq(t), ack = hdr.ack(t);
  const dataOffset = <u32>hdr.dataOffset(t);
  const c = connectionFor(p, sport, dport, flags, seq, dataOffset);
  if (c === null) return;
  const isOrig = p.src0 == c.origA0 && p.src1 == c.origA1 && sport == c.origPort;
  const e = isOrig ? c.orig : c.resp;
  const peer = isOrig ? c.resp : c.orig;

  // §3 steps 3–4: header length and checksum.
  const hlen = dataOffset << 2;
  let len = p.ipTotalZero ? p.payloadCap : p.payloadDecl;
  if (hlen < 20) { connWeird(c, Weird.bad_TCP_header_len, Source.TCP); return; }
  if (hlen > len || hlen > p.payloadCap) { connWeird(c, Weird.truncated_header, Source.TCP); return; }
  len -= hlen;
  const caplen = p.payloadCap - hlen;
  if (!ignoreChecksums && caplen >= len && !inIgnoredNets(p.srcPtr) && !tcpChecksumOk(p, t, hlen + len)) {
    connWeird(c, Weird.bad_TCP_checksum, Source.TCP);
    scaledLetter(c, e, Counter.CHECKSUM);
    return;
  }
  const now = p.ts;

  // Step 3: is_partial bookkeeping (TA §7.2).
  if (isOrig) {
    if (!c.origSeen) c.isPartial = !((flags & SYN) != 0 && (flags & ACK) == 0);
  } else if (!c.respSeen && !c.isPartial) {
    c.isPartial = (flags & SYN) == 0;
  }

  // Step 4: (re)initialize E's sequence space, relative sequence number.
  const seglen = len + ((flags & SYN) ? 1 : 0) + ((flags & FIN) ? 1 : 0) - ((flags & RST) ? len : 0);
  const seqEnd = seq + seglen;
  initEndpoint(c, e, peer, flags, seq, seqEnd);
  const relSeq = rel(seq, e.isn, e.lastSeq, e.seqWraps);
  const seqUnderflow = underflow;
  if (seqUnderflow && !(flags & RST)) connWeird(c, Weird.TCP_seq_underflow_or_misorder, Source.TCP);

  // Step 5: history.
  recordHistory(c, e, flags, len, relSeq);

  // Step 6: windows.
  updateWindow(c, e, peer, flags, hdr.window(t), seq, ack);

  // Step 7.
  if (!(c.orig.didClose && c.resp.didClose)) c.lastTime = now;

  // Step 8: SYN.
  if (flags & SYN) {
    if (flags & RST) connWeird(c, Weird.TCP_christmas, Source.TCP);
    if (flags & URG) connWeird(c, Weird.baroque_SYN, Source.TCP);
    if (len > 0) connWeird(c, Weird.SYN_with_data, Source.TCP);
    parseSynOptions(t, hlen);
    const so = synOptions;
    setupWindowScale(c, e, peer, so.winScale, seq, ack, (flags & ACK) != 0);
    emit_connection_SYN_packet(changetype<usize>(c), isOrig, p.df, <u64>p.ttl,
      <u64>(p.ipTotalZero ? 0 : p.ipTotal), <u64>hdr.window(t), <i64>so.winScale, <u64>so.mss, so.sackOk,
      so.hasTs, <u64>so.tsVal, so.hasTs, <u64>so.tsEcr);
  }
  // Steps 9–10: FIN and RST counts, storms.
  if (flags & FIN) {
    e.finCnt++;
    if (e.finCnt >= stormThresh && now < e.lastTime + stormInterarrival) connWeird(c, Weird.FIN_storm, Source.TCP);
    e.finSeq = relSeq + <i64>seglen;
  }
  if (flags & RST) {
    e.rstCnt++;
    if (e.rstCnt >= stormThresh && now < e.lastTime + stormInterarrival) connWeird(c, Weird.RST_storm, Source.TCP);
  }

  // Step 11: acknowledgement.
  let relAck: i64 = 0;
  if (flags & ACK) {
    if (isOrig && !c.firstAckDone && (e.state == State.ESTABLISHED || e.state == State.SYN_SENT)) {
      c.firstAckDone = true;
      emit_connection_first_ACK(changetype<usize>(c));
    }
    if (peer.state == State.INACTIVE) {
      if (!(flags & (SYN | FIN | RST)) && !c.hadWeird &&
          (e.state == State.SYN_SENT || e.state == State.SYN_ACK_SENT || e.state == State.ESTABLISHED)) {
        connWeird(c, Weird.possible_split_routing, Source.CORE);
      }
      peer.isn = ack - 1;
      peer.ackSeq = ack - 1;
      peer.lastSeq = ack - 1;
      relAck = 1;
    } else {
      relAck = rel(ack, peer.isn, peer.ackSeq, peer.ackWraps);
      if (underflow) {
        relAck = 0;
        connWeird(c, Weird.TCP_ack_underflow_or_misorder, Source.TCP);
      } else if (!(flags & RST)) {
        const d = sdiff(ack, peer.ackSeq);
        if (!(ack == 0 && d > 1048576) && d > 0) {
          if (ack < peer.ackSeq) peer.ackWraps++;
          peer.ackSeq = ack;
        }
      }
    }
  }

  // Step 12: last_seq and retransmissions.
  const stateBefore = e.state;
  const d = sdiff(seqEnd, e.lastSeq);
  if ((flags & (SYN | RST)) && (d > 1048576 || d < -1048576)) {
    // An outlandish SYN/RST sequence number: ignored.
  } else if ((flags & FIN) && e.lastSeq == e.isn + 1) {
    if (seqEnd < e.lastSeq) e.seqWraps++;
    e.lastSeq = seqEnd;
  } else if (stateBefore == State.RESET) {
    // A reset side's sequence numbers are not trusted.
  } else if (d > 0) {
    if (seqEnd < e.lastSeq) e.seqWraps++;
    e.lastSeq = seqEnd;
  } else if (len > 0) {
    scaledLetter(c, e, Counter.REXMIT);
  }
  e.lastTime = now;

  // Step 13: state machine.
  updateStateMachine(c, e, peer, isOrig, flags, len, ack, d, now);
  const close = doClose, gen = genEvent;

  // Step 14: the acknowledgement reaches the peer's reassembler.
  if (flags & ACK) ackReceived(c, peer, relAck);

  // Steps 15–16 change nothing a snapshot shows: their events share one (events/stage.ts).
  holdSnapshot(changetype<usize>(c));
  // Step 15.
  const capPayload = min(len, caplen);
  emit_tcp_packet(changetype<usize>(c), isOrig, flags, <u64>relSeq, (flags & ACK) ? <u64>relAck : 0, <u64>len,
    t + hlen, capPayload);

  // Step 16: options.
  if (hlen > 20) optionEvents(c, isOrig, t + 20, hlen - 20);
  releaseSnapshot();

  // Step 17.
  if (isOrig) c.origSeen = true; else c.respSeen = true;

  // Step 18: payload.
  if (len > 0 && !(flags & RST) && !seqUnderflow && e.hasReassembler) {
    if (caplen < len) {
      if (countSizes || tcpStats) connWeird(c, Weird.truncated_tcp_payload, Source.TCP);
    } else {
      dataSent(c, e, relSeq + ((flags & SYN) ? 1 : 0), t + hlen, len, flags);
    }
  }

  // Steps 19–20.
  eofCheck(c, e);
  if (close) closeSide(c, e, gen);

  // Step 21: counters, attributed to the post-flip role (they live in the endpoint).
  // TCPSTATS runs before the size counters (its tcp_rexmit still sees the counts without this packet).
  if (tcpStats) tcpStatsStep(c, e == c.orig, p.ipId, relSeq + ((flags & SYN) ? 1 : 0), capPayload);
  if (countSizes) {
    e.numPkts++;
    e.numBytesIp += p.ipTotalZero ? 0 : <u64>p.ipTotal;
  }

  // Zeek's default scripts react to connection_established after the packet (TA §16.3).
  if (c.portTimeoutPending) {
    applyPortTimeout(c);
    // Zeek's Conn::default_extract attaches both contents files in its connection_established handler.
    if (extractContents) {
      contentsAttach(c, c.orig);
      contentsAttach(c, c.resp);
    }
  }
}

/** TA §6.2. */
// @ts-ignore: decorator
@inline function initEndpoint(c: Connection, e: Endpoint, peer: Endpoint, flags: u8, seq: u32, seqEnd: u32): void {
  const syn = (flags & SYN) != 0;
  const s = e.state;
  if (s == State.INACTIVE) {
    if (syn) { e.isn = seq; e.ackSeq = seq; e.lastSeq = seqEnd; }
    else { e.isn = seq - 1; e.ackSeq = seq - 1; e.lastSeq = seq; }
  } else if (!syn) {
    return;
  } else if (s == State.SYN_SENT || s == State.SYN_ACK_SENT) {
    if (seq != e.isn) {
      connWeird(c, Weird.SYN_seq_jump, Source.CORE);
      e.isn = seq; e.ackSeq = seq; e.lastSeq = seqEnd;
    }
  } else if (s == State.ESTABLISHED || s == State.PARTIAL) {
    if (e.size(peer) > 0) connWeird(c, Weird.SYN_inside_connection, Source.CORE);
    if (seq != e.isn) connWeird(c, Weird.SYN_seq_jump, Source.CORE);
    e.isn = seq; e.ackSeq = seq; e.lastSeq = seqEnd;
  } else if (s == State.RESET && e.prevState == State.INACTIVE) {
    e.isn = seq; e.ackSeq = seq; e.lastSeq = seqEnd;
  }
}

/** TA §9.1 and the F2 flip (TA §4.3). */
// @ts-ignore: decorator
@inline function recordHistory(c: Connection, e: Endpoint, flags: u8, len: u32, relSeq: i64): void {
  const syn = (flags & SYN) != 0, fin = (flags & FIN) != 0, rst = (flags & RST) != 0;
  const n = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (n >= 2) {
    if (fin && rst) { if (firstTime(c, Hist.FIN_RST, e == c.orig)) appendLetter(c, 0x49, e == c.orig); }
    else if (firstTime(c, Hist.MULTI, e == c.orig)) appendLetter(c, 0x51, e == c.orig);
    return;
  }
  if (syn) {
    const letter: u8 = (flags & ACK) ? 0x48 : 0x53;
    if (firstTime(c, Hist.SYN, e == c.orig) || relSeq != e.histLastSyn) appendLetter(c, letter, e == c.orig);
    e.histLastSyn = relSeq;
    return;
  }
  if (fin) {
    const at = relSeq + <i64>len;
    if (firstTime(c, Hist.FIN, e == c.orig) || at != e.histLastFin) appendLetter(c, 0x46, e == c.orig);
    e.histLastFin = at;
    return;
  }
  if (rst) {
    if (firstTime(c, Hist.RST, e == c.orig) || relSeq != e.histLastRst) appendLetter(c, 0x52, e == c.orig);
    e.histLastRst = relSeq;
    return;
  }
  if (len == 0 && !(flags & ACK)) return;
  if (historyIsH(c)) {
    // F2: the connection began with a SYN-ACK and now shows traffic: the SYN-ACK's sender is the server.
    flipRoles(c);
    rewriteFlippedH(c);
    emit_connection_flipped(changetype<usize>(c));
    c.origSeen = true;
  }
  if (len > 0) { if (firstTime(c, Hist.DATA, e == c.orig)) appendLetter(c, 0x44, e == c.orig); }
  else if (firstTime(c, Hist.ACK, e == c.orig)) appendLetter(c, 0x41, e == c.orig);
}

/** TA §16.3: a 1 h inactivity timeout for connections to ports 21, 22, 23, 513 once established. */
function applyPortTimeout(c: Connection): void {
  c.portTimeoutPending = false;
  let port = c.respPort;
  if (c.orig.state == State.INACTIVE && !isLikelyServerPort(c.respPort) && isLikelyServerPort(c.origPort)) {
    port = c.origPort;
  }
  if (isLongInactivityPort(port)) setInactivityTimeout(c, 3600);
}
