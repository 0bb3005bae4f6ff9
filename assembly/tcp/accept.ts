/**
 * From a decoded IP packet to its connection (TA §3 step 1, §4, §5): key extraction, lookup, the reuse
 * decision on the raw header, and whether a first packet may create a connection (with the role guess).
 */
import { Packet } from '../decode/packet';
import { Connection } from '../conn/connection';
import { State } from '../conn/endpoint';
import { makeKey, lookup, tableCount } from '../conn/table';
import { createConnection, removeConnection } from '../conn/lifecycle';
import { connWeird, flowWeird, Source } from '../weird/report';
import { emit_connection_reused } from '../events/emit.generated';
import { Weird } from '../schema.generated';
import {
  partialConnectionOk, synAckOk, isLikelyServerPort, connectionLinger, maxConnections,
} from '../options';

const SYN: u8 = 2, ACK: u8 = 16;

/** TA §5: a SYN on an existing connection that starts a new one. Raises the old connection's weirds. */
function isReuse(c: Connection, flags: u8, seq: u32, dataOffset: u32, now: f64): bool {
  if (dataOffset < 5 || !(flags & SYN)) return false;
  const o = c.orig, r = c.resp;
  let x = o;
  if (flags & ACK) {
    if (o.state != State.INACTIVE) return false;
    x = r;
  }
  if (!o.didClose && !r.didClose) {
    if (seq == x.isn) return false;
    if (!(flags & ACK) && x.state == State.SYN_ACK_SENT && r.state == State.INACTIVE && seq == r.isn) return false;
    if (x.state == State.SYN_SENT) connWeird(c, Weird.SYN_seq_jump, Source.TCP);
    else connWeird(c, Weird.active_connection_reuse, Source.TCP);
    return true;
  }
  const noReset = o.state != State.RESET && r.state != State.RESET;
  const active = (o.state != State.INACTIVE && !o.didClose) || (r.state != State.INACTIVE && !r.didClose);
  if (active && noReset) connWeird(c, Weird.active_connection_reuse, Source.TCP);
  else if (now - c.lastTime < connectionLinger && noReset) connWeird(c, Weird.premature_connection_reuse, Source.TCP);
  return true;
}

/** TA §4.2 role guess for a first packet that is not a pure SYN. */
function guessFlip(p: Packet, flags: u8, sport: u16, dport: u16): bool {
  if (!isLikelyServerPort(sport)) return false;
  let flip = !isLikelyServerPort(dport) || (!(flags & SYN) && sport < dport);
  // No flip toward the IPv4 broadcast address.
  if (flip && p.ipVersion == 4 && p.dst1 == 0xffffffff_ffff0000) flip = false;
  return flip;
}

/**
 * The connection for this packet, creating (or replacing, on reuse) one as Zeek would; null when the packet
 * may not start a connection.
 */
// @ts-ignore: decorator
@inline export function connectionFor(p: Packet, sport: u16, dport: u16, flags: u8, seq: u32, dataOffset: u32): Connection | null {
  makeKey(p, sport, dport);
  const existing = lookup();
  if (existing) {
    if (!isReuse(existing, flags, seq, dataOffset, p.ts)) return existing;
    emit_connection_reused(changetype<usize>(existing));
    removeConnection(existing);
  }
  let flip = false;
  if ((flags & (SYN | ACK)) != SYN) {
    if (!partialConnectionOk) return null;
    if ((flags & SYN) && !synAckOk) return null;
    flip = guessFlip(p, flags, sport, dport);
  }
  if (tableCount() >= maxConnections) {
    flowWeird(p, Weird.connection_table_full, Source.CORE);
    return null;
  }
  return createConnection(p, sport, dport, flip);
}
