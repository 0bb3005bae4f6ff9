/**
 * Test-only: the flow and net weirds raised by code under test, read back from the event ring as a host
 * would (schema/ring.ts framing: u32 length | u16 id | u16 flags | u32 frame | f64 ts | arguments, the
 * weird id being the first argument).
 */
import { ringInit, ringBase, ringCapacity, RING_HEADER } from "../../../assembly/ring/ring";
import { setSubscribed, endUnit, drainOutbox } from "../../../assembly/events/stage";
import { EventId } from "../../../assembly/schema.generated";

const WRAP: u32 = 0xffffffff;

/** Subscribes flow_weird and net_weird and sets up a ring to read them from. */
export function captureWeirds(): void {
  if (ringBase == 0) ringInit(1 << 16);
  setSubscribed(EventId.flow_weird, true);
  setSubscribed(EventId.net_weird, true);
}

/** Ids of the weirds raised since the last call, in order. */
export function takeWeirds(): u16[] {
  endUnit();
  drainOutbox();
  const out: u16[] = [];
  const cap = ringCapacity();
  const head = load<u32>(ringBase);
  let tail = load<u32>(ringBase, 4);
  while (tail != head) {
    const off = tail & (cap - 1);
    const at = ringBase + RING_HEADER + <usize>off;
    const len = load<u32>(at);
    if (len == WRAP) {
      tail += cap - off;
      continue;
    }
    const id = load<u16>(at, 4);
    if (id == EventId.flow_weird || id == EventId.net_weird) out.push(load<u16>(at, 20));
    tail += len;
  }
  store<u32>(ringBase, tail, 4);
  return out;
}

/** Whether the last takeWeirds() style list holds exactly `want`, in order. */
export function weirdsAre(got: u16[], want: u16[]): bool {
  if (got.length != want.length) return false;
  for (let i = 0; i < got.length; i++) if (got[i] != want[i]) return false;
  return true;
}

/** Readable form for failure messages. */
export function weirdList(got: u16[]): string {
  let s = "[";
  for (let i = 0; i < got.length; i++) s += (i > 0 ? "," : "") + got[i].toString();
  return s + "]";
}
