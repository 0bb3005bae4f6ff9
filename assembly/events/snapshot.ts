/**
 * The connection snapshot attached to events (events.md §1.2), written with the generated writer into
 * the stage's snapshot area. The latest one per connection per unit is the one its events carry.
 */
import { Connection } from '../conn/connection';
import { connState } from '../conn/conn-state';
import { countSizes } from '../options';
import { snapshotEnd } from './stage';
import { writeSnapshot_connection } from './emit.generated';

const mac0 = memory.data(8);
const mac1 = memory.data(8);

@inline function macBytes(at: usize, l2: u64): usize {
  store<u64>(at, bswap(l2 << 16));
  return at;
}

export function takeSnapshot(ptr: usize): void {
  const c = changetype<Connection>(ptr);
  const o = c.orig, r = c.resp;
  const os = o.size(r), rs = r.size(o);
  const ver: u8 = c.ipVersion;
  const off = writeSnapshot_connection(
    c.uidLo, c.uidHi,
    ver, c.origAddrPtr, c.origPort,
    ver, c.respAddrPtr, c.respPort,
    os, o.state, countSizes, o.numPkts, countSizes, o.numBytesIp, <u64>o.flowLabel,
    o.hasL2, macBytes(mac0, o.l2),
    rs, r.state, countSizes, r.numPkts, countSizes, r.numBytesIp, <u64>r.flowLabel,
    r.hasL2, macBytes(mac1, r.l2),
    c.startTime, c.lastTime - c.startTime,
    c.historyPtr, c.histLen,
    c.vlan >= 0, <i64>c.vlan, c.innerVlan >= 0, <i64>c.innerVlan,
    c.missedBytes,
    connState(o.state, r.state, os, rs, c.historyPtr, c.histLen),
    c.tunnelsPtr, c.tunnelCount,
  );
  c.snapOff = off;
  c.snapLen = snapshotEnd() - off;
}

/** The current unit's snapshot of `ptr`: its offset (wantOff) or length. */
export function snapOwner(ptr: usize, wantOff: bool): u32 {
  const c = changetype<Connection>(ptr);
  return wantOff ? c.snapOff : c.snapLen;
}

