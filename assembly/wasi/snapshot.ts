/**
 * The connection snapshot at the end of a ring record (schema/events.ts RECORDS 'connection'; gen-tables.ts
 * fails the build when that layout changes): read once into pointers and values, then written as the events
 * `c` object or a conn.log row. A record with the same-snapshot flag (schema/ring.ts) shows the snapshot of the
 * latest record that carried one, so that record is kept: copied, because ring bytes are reused once the tail
 * advances, and read only when a line needs it.
 */
import { rdBool, rdU8, rdU16, rdU32, rdU64, rdI64, rdF64, rdSkip, seek } from './cursor';
import { setMuted } from './out';
import { writeArgs } from './tables.generated';
import { internalError } from './fail';

export let uidPtr: usize = 0;
export let origVer: u32 = 0, respVer: u32 = 0;
export let origH: usize = 0, respH: usize = 0;
export let origP: u32 = 0, respP: u32 = 0;
export let origSize: u64 = 0, respSize: u64 = 0;
export let origState: u32 = 0, respState: u32 = 0;
export let origPktsSet = false, respPktsSet = false, origIpSet = false, respIpSet = false;
export let origPkts: u64 = 0, respPkts: u64 = 0, origIp: u64 = 0, respIp: u64 = 0;
export let startTime: f64 = 0, duration: f64 = 0;
export let historyPtr: usize = 0;
export let historyLen: u32 = 0;
export let missedBytes: u64 = 0;
export let connState: u32 = 0;
/** Tunnel parent uids: count and the first of `count` 12-byte entries. */
export let tunnelCount: u32 = 0;
export let tunnelPtr: usize = 0;

export function readSnapshot(): void {
  uidPtr = rdSkip(12);
  origVer = rdU8(); origH = rdSkip(16); origP = rdU16();
  respVer = rdU8(); respH = rdSkip(16); respP = rdU16();
  origSize = rdU64(); origState = rdU8();
  origPktsSet = rdBool(); if (origPktsSet) origPkts = rdU64();
  origIpSet = rdBool(); if (origIpSet) origIp = rdU64();
  rdU64(); // flow label
  if (rdBool()) rdSkip(6); // l2 addr
  respSize = rdU64(); respState = rdU8();
  respPktsSet = rdBool(); if (respPktsSet) respPkts = rdU64();
  respIpSet = rdBool(); if (respIpSet) respIp = rdU64();
  rdU64();
  if (rdBool()) rdSkip(6);
  startTime = rdF64(); duration = rdF64();
  historyLen = rdU32(); historyPtr = rdSkip(historyLen);
  if (rdBool()) rdI64(); // vlan
  if (rdBool()) rdI64(); // inner_vlan
  missedBytes = rdU64();
  connState = rdU8();
  tunnelCount = rdU8();
  tunnelPtr = rdSkip(tunnelCount * 12);
}

let kept: usize = 0;
let keptCap: u32 = 0;
let keptId: u32 = 0;
let hasKept = false;
let keptRead = false;

/** Notes a record with a connection (`same`: its flags have the same-snapshot bit). */
export function noteRecord(rec: usize, len: u32, id: u32, same: bool): void {
  if (same) {
    if (!hasKept) internalError('ring record repeats a snapshot, but none came before it');
    return;
  }
  if (len > keptCap) {
    if (kept != 0) heap.free(kept);
    keptCap = max(len, 256);
    kept = heap.alloc(keptCap);
  }
  memory.copy(kept, rec, len);
  keptId = id;
  hasKept = true;
  keptRead = false;
}

/** Reads the snapshot of the record noted last (after its arguments, which are skipped). */
export function readNoted(): void {
  if (keptRead) return;
  seek(kept + 20);
  setMuted(true);
  writeArgs(keptId);
  setMuted(false);
  readSnapshot();
  keptRead = true;
}
