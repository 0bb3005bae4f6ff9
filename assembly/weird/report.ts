/**
 * Raising weirds (TA §19): every connection weird marks the connection ("has had a weird", which gates
 * possible_split_routing and TCP_scale_range) and is counted; emission is sampled per connection and name:
 * the first `weird_sampling_threshold`, then every `weird_sampling_rate`-th, restarting after
 * `weird_sampling_duration_s`. Flow and net weirds are sampled per name over the whole run (Zeek keys flow
 * weirds by address pair; synack keeps memory flat instead).
 */
import { Connection, WEIRD_SLOTS } from '../conn/connection';
import { Packet } from '../decode/packet';
import { emit_conn_weird, emit_flow_weird, emit_net_weird } from '../events/emit.generated';
import { unitTime, subscribed, raisedUndelivered } from '../events/stage';
import { weirdThreshold, weirdRate, weirdDuration } from '../options';
import { bumpStat } from '../stats';
import { Stat, EventId } from '../schema.generated';

/** Zeek's weird `source` argument. */
export namespace Source {
  // @ts-ignore: decorator
  @inline export const CORE: u8 = 0;
  // @ts-ignore: decorator
  @inline export const TCP: u8 = 1;
}

/** Decides whether occurrence (count after increment) is reported; updates count/start at `cntAt`/`tAt`. */
function permit(cntAt: usize, tAt: usize): bool {
  const now = unitTime;
  const count = <u64>load<u32>(cntAt) + 1;
  store<u32>(cntAt, <u32>count);
  if (count == 1) store<f64>(tAt, now);
  if (count <= weirdThreshold) return true;
  if (count == weirdThreshold + 1) {
    store<f64>(tAt, now);
  } else if (now - load<f64>(tAt) > weirdDuration) {
    store<u32>(cntAt, 1);
    store<f64>(tAt, now);
    return true;
  }
  return weirdRate > 0 && (count - weirdThreshold) % weirdRate == 0;
}

@inline function slotId(c: Connection, i: i32): u16 {
  return load<u16>(changetype<usize>(c) + offsetof<Connection>('weirdIds') + (<usize>i << 1));
}

export function connWeird(c: Connection, id: u16, source: u8, addl: usize = 0, addlLen: u32 = 0): void {
  c.hadWeird = true;
  bumpStat(Stat.weirds);
  const base = changetype<usize>(c);
  let slot = -1;
  for (let i = 0; i < WEIRD_SLOTS; i++) {
    const s = slotId(c, i);
    if (s == id) { slot = i; break; }
    if (s == 0) {
      store<u16>(base + offsetof<Connection>('weirdIds') + (<usize>i << 1), id);
      slot = i;
      break;
    }
  }
  if (slot >= 0 && !permit(
    base + offsetof<Connection>('weirdCnt0') + (<usize>slot << 2),
    base + offsetof<Connection>('weirdT0') + (<usize>slot << 3),
  )) return;
  emit_conn_weird(base, id, addl, addlLen, source);
  // Zeek's reporter builds the connection record for a weird even when no script handles conn_weird, so
  // the weird refreshes what this unit's other events of the connection show (events.md §1.2).
  if (!subscribed(EventId.conn_weird)) raisedUndelivered(base);
}

const NAMES: i32 = 256;
const globalCounts = new StaticArray<u32>(NAMES);
const globalTimes = new StaticArray<f64>(NAMES);

@inline function permitGlobal(id: u16): bool {
  const i = <i32>id & (NAMES - 1);
  return permit(changetype<usize>(globalCounts) + (<usize>i << 2), changetype<usize>(globalTimes) + (<usize>i << 3));
}

export function flowWeird(p: Packet, id: u16, source: u8): void {
  bumpStat(Stat.weirds);
  if (!permitGlobal(id)) return;
  emit_flow_weird(id, p.ipVersion, p.srcPtr, p.ipVersion, p.dstPtr, 0, 0, source);
}

export function netWeird(id: u16, source: u8): void {
  bumpStat(Stat.weirds);
  if (!permitGlobal(id)) return;
  emit_net_weird(id, 0, 0, source);
}
