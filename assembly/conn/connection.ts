/**
 * A TCP connection: key, oriented id, the two endpoints (inline), history, timers' generations and the
 * flags of TA §7/§11. Connections live in fixed slabs (conn/pool.ts) so a stale timer can always read one.
 */
import { Endpoint } from './endpoint';

export const HISTORY_MAX: u32 = 120;

export namespace TimerKind {
  // @ts-ignore: decorator
  @inline export const EXPIRE: u8 = 0;
  // @ts-ignore: decorator
  @inline export const ATTEMPT: u8 = 1;
  // @ts-ignore: decorator
  @inline export const PARTIAL_CLOSE: u8 = 2;
  // @ts-ignore: decorator
  @inline export const RESET: u8 = 3;
  // @ts-ignore: decorator
  @inline export const CLOSE_DELETE: u8 = 4;
  // @ts-ignore: decorator
  @inline export const INACTIVITY: u8 = 5;
  // @ts-ignore: decorator
  @inline export const STATUS: u8 = 6;
  // @ts-ignore: decorator
  @inline export const COUNT: u8 = 7;
}

/** Per-connection weird sampling slots (TA §19.2); names beyond these are reported unsampled. */
export const WEIRD_SLOTS: i32 = 6;

@final @unmanaged
export class Connection {
  // Fields every packet reads come first (key, oriented id, roles, flags), so that a packet touches as few
  // cache lines of its connection as possible; groups read by offset (timer generations, weird slots,
  // tunnels) stay contiguous.

  // ---- canonical key (TA §4.1): lower address first ----
  keyA0: u64; keyA1: u64;
  keyB0: u64; keyB1: u64;
  keyPortA: u16; keyPortB: u16;
  hash: u32;
  /** Serial number of this incarnation (0 = free slot); timers carry it. */
  serial: u32;

  // ---- oriented id (after flips) ----
  origPort: u16; respPort: u16;
  origA0: u64; origA1: u64;
  respA0: u64; respA1: u64;

  /** Current originator / responder: pointers to ep0/ep1. */
  orig: Endpoint;
  resp: Endpoint;
  lastTime: f64;

  isActive: bool;
  isPartial: bool;
  closeDeferred: bool;
  deferredGenEvent: bool;
  hadWeird: bool;
  firstAckDone: bool;
  removed: bool;
  portTimeoutPending: bool;
  /** "first packet seen", per role (TA §7.2). */
  origSeen: bool;
  respSeen: bool;
  ipVersion: u8;

  /** History "seen" bits, per role (TA §9.1). */
  histSeen: u32;
  histLen: u32;
  /** Timer generations, one per TimerKind; bumping one cancels the scheduled timer of that kind. */
  timerGen0: u32; timerGen1: u32; timerGen2: u32; timerGen3: u32; timerGen4: u32; timerGen5: u32; timerGen6: u32;
  /** Live queue entries per TimerKind (timers/timer-queue.ts counts the dead ones with them). */
  timerLive0: u32; timerLive1: u32; timerLive2: u32; timerLive3: u32; timerLive4: u32; timerLive5: u32; timerLive6: u32;
  inactivityTimeout: f64;
  /** The endpoint that was the originator when the connection was set up: TCPSTATS keeps its roles. */
  statsOrig: Endpoint;
  /** Unit number and place of this connection's latest snapshot (events/stage.ts). */
  snapUnit: u32;
  snapOff: u32;
  snapLen: u32;

  uidLo: u64;
  uidHi: u32;
  startTime: f64;
  missedBytes: u64;
  vlan: i32;
  innerVlan: i32;

  /** Weird sampling: weird id, count and first time per slot. */
  weirdIds: u64;
  weirdIds2: u32;
  weirdCnt0: u32; weirdCnt1: u32; weirdCnt2: u32; weirdCnt3: u32; weirdCnt4: u32; weirdCnt5: u32;
  weirdT0: f64; weirdT1: f64; weirdT2: f64; weirdT3: f64; weirdT4: f64; weirdT5: f64;
  /** Encapsulation of the first packet (Zeek's c$tunnel): count and 12-byte ids (u64 low, u32 high). */
  tunnelCount: u32;
  tunnels0: u64; tunnels1: u64; tunnels2: u64; tunnels3: u64; tunnels4: u64; tunnels5: u64;
  @inline get tunnelsPtr(): usize { return changetype<usize>(this) + offsetof<Connection>('tunnels0'); }
  /** Next connection in the graveyard list (removed, freed at the end of the unit). */
  nextFree: usize;

  // The two endpoints and HISTORY_MAX history bytes follow the struct in the same slot.
  @inline get ep0(): Endpoint { return changetype<Endpoint>(changetype<usize>(this) + offsetof<Connection>()); }
  @inline get ep1(): Endpoint {
    return changetype<Endpoint>(changetype<usize>(this) + offsetof<Connection>() + offsetof<Endpoint>());
  }
  @inline get historyPtr(): usize {
    return changetype<usize>(this) + offsetof<Connection>() + (offsetof<Endpoint>() << 1);
  }
  @inline get origAddrPtr(): usize { return changetype<usize>(this) + offsetof<Connection>('origA0'); }
  @inline get respAddrPtr(): usize { return changetype<usize>(this) + offsetof<Connection>('respA0'); }

  @inline timerGen(kind: u8): u32 {
    return load<u32>(changetype<usize>(this) + offsetof<Connection>('timerGen0') + (<usize>kind << 2));
  }
  /** Where the live-entry count of `kind` is. */
  @inline timerLiveAt(kind: u8): usize {
    return changetype<usize>(this) + offsetof<Connection>('timerLive0') + (<usize>kind << 2);
  }
  @inline bumpTimerGen(kind: u8): u32 {
    const at = changetype<usize>(this) + offsetof<Connection>('timerGen0') + (<usize>kind << 2);
    const g = load<u32>(at) + 1;
    store<u32>(at, g);
    return g;
  }
}

/** Bytes of one connection slot: the struct with its two endpoints inline and the history area. */
// @ts-ignore: decorator
@inline export function connectionBytes(): usize {
  return (offsetof<Connection>() + (offsetof<Endpoint>() << 1) + <usize>HISTORY_MAX + 7) & ~7;
}
