/**
 * Deterministic connection uids: 96 bits from a keyed mix of the seed and the connection's creation number,
 * formatted by hosts as "C" + base62 like Zeek's. Same input and seed → same uids on every host.
 */
import { seed } from '../options';

let created: u64 = 0;
export let uidLo: u64 = 0;
export let uidHi: u32 = 0;

@inline function splitmix(x: u64): u64 {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

export function nextUid(): void {
  created++;
  const a = splitmix(seed * 0x100000001b3 ^ created);
  uidLo = a;
  uidHi = <u32>splitmix(a ^ seed);
}

export function connectionsCreated(): u64 { return created; }
