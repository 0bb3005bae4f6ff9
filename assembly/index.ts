/**
 * The core's export surface: options before init(), streamed input, run()/finish(), the event ring and
 * counters. Nothing else in assembly/ becomes a wasm export.
 */
import {
  setOptionValue, clearPortList, setPortFlag, addNet as addNetAt, clearNets, loadOptions, maxOldSegments,
  extractContents,
} from './options';
import { contentsFailed } from './reassembly/contents';
import { closeUnitNow } from './run';
import { setSubscribed, setDelivered, subscribed } from './events/stage';
import { setKeepBytes } from './reassembly/block';
import { ringInit, ringBase } from './ring/ring';
import { tableInit } from './conn/table';
import { stats } from './stats';
import { Opt, EventId } from './schema.generated';
import { captureErrorCode, captureErrorOffset, captureErrorValue } from './capture/reader';

export { inputSpace, inputWritePtr, inputCommit, inputSlab, inputSlabBytes, inputSlabCommit } from './capture/input';
export { run, finish } from './run';
export { abortInfo } from './util/abort';

const RING_CAPACITY: u32 = 4 << 20;
const scratch = memory.data(64);

export function scratchPtr(): usize { return scratch; }

export function setOption(id: u32, value: f64): void { setOptionValue(id, value); }

export function clearList(id: u32): void {
  if (id == Opt.ignore_checksums_nets) clearNets();
  else clearPortList(id);
}

export function setPort(listId: u32, port: u32, on: i32): void { setPortFlag(listId, port, on != 0); }

export function addNet(listId: u32, prefixLen: u32): void {
  if (listId == Opt.ignore_checksums_nets) addNetAt(scratch, prefixLen);
}

/** 0: off; 1: subscribed and delivered; 2: subscribed, records not delivered (they still refresh snapshots). */
export function subscribe(eventId: u32, mode: i32): void {
  setSubscribed(eventId, mode != 0);
  if (mode == 2) setDelivered(eventId, false);
}

let initialized = false;

export function init(): i32 {
  if (initialized) return 1;
  initialized = true;
  loadOptions();
  ringInit(RING_CAPACITY);
  tableInit(1024);
  if (extractContents) {
    setSubscribed(EventId.contents_file_write, true);
    setSubscribed(EventId.contents_file_close, true);
  }
  setKeepBytes(subscribed(EventId.tcp_contents) || subscribed(EventId.rexmit_inconsistency) || maxOldSegments > 0 ||
    extractContents);
  return 0;
}

export function ringPtr(): usize { return ringBase; }
export function statsPtr(): usize { return changetype<usize>(stats); }
export function errorCode(): i32 { return captureErrorCode(); }
export function errorOffset(): f64 { return <f64>captureErrorOffset(); }
export function errorValue(): f64 { return <f64>captureErrorValue(); }

/**
 * The host's contents sink for the side named by a contents_file_write handle failed (`gap`: while writing
 * a gap marker). Raises contents_file_write_failure now; returns 0, or 1 when the connection is gone.
 */
export function contentsWriteFailed(handleHi: u32, serial: u32, gap: i32): i32 {
  const ok = contentsFailed(handleHi, serial, gap != 0);
  closeUnitNow();
  return ok ? 0 : 1;
}
