/**
 * One side of a TCP connection (TA §6): sequence state, close bookkeeping, history de-duplication,
 * scaled counters, packet counters and the side's reassembler. Lives inline in its Connection; flips swap
 * which of the two is the originator, never their contents.
 */
export namespace State {
  // @ts-ignore: decorator
  @inline export const INACTIVE: u8 = 0;
  // @ts-ignore: decorator
  @inline export const SYN_SENT: u8 = 1;
  // @ts-ignore: decorator
  @inline export const SYN_ACK_SENT: u8 = 2;
  // @ts-ignore: decorator
  @inline export const PARTIAL: u8 = 3;
  // @ts-ignore: decorator
  @inline export const ESTABLISHED: u8 = 4;
  // @ts-ignore: decorator
  @inline export const CLOSED: u8 = 5;
  // @ts-ignore: decorator
  @inline export const RESET: u8 = 6;
}

@inline export function isHandshake(s: u8): bool { return s <= State.SYN_ACK_SENT; }

@final @unmanaged
export class Endpoint {
  // Fields every packet reads come first, so that a packet touches as few cache lines as possible.
  state: u8;
  prevState: u8;
  didClose: bool;
  hasL2: bool;
  hasReassembler: bool;
  skip: bool;
  hadGap: bool;
  didEOF: bool;
  deliver: bool;
  /** A contents file is attached (reassembly/contents.ts). */
  contents: bool;
  /** Initial sequence number (a 32-bit value). */
  isn: u32;
  lastSeq: u32;
  seqWraps: u32;
  ackSeq: u32;
  ackWraps: u32;
  window: u32;
  windowScale: u32;
  windowSeq: u32;
  windowAckSeq: u32;
  finCnt: u32;
  rstCnt: u32;
  /** Time of this side's last processed packet (0 = none). */
  lastTime: f64;
  numPkts: u64;
  numBytesIp: u64;

  // ---- reassembler (reassembly/) ----
  /** Sorted singly-linked list of held blocks. */
  blocks: usize;
  lastBlock: usize;
  /** Next relative position to deliver; everything below `trim` is forgotten. */
  lastReassem: i64;
  trim: i64;
  buffered: u64;
  /** Old (acknowledged) blocks kept for inconsistency checks, most recent last. */
  oldBlocks: usize;
  oldCount: u32;

  /** Relative position one past the last FIN. */
  finSeq: i64;
  histLastSyn: i64;
  histLastFin: i64;
  histLastRst: i64;
  /** Scaled counters (TA §9.3): count and next threshold, for checksum, rexmit, zero window, gap. */
  chkCnt: u32; chkThr: u32;
  rexCnt: u32; rexThr: u32;
  zwCnt: u32; zwThr: u32;
  gapCnt: u32; gapThr: u32;
  flowLabel: u32;
  /** MAC of this side from the connection's first packet (48 bits). */
  l2: u64;

  // ---- TCPSTATS (TA §12.2) ----
  stPkts: u64;
  stRxmit: u64;
  stRxmitBytes: u64;
  stInOrder: u64;
  stOO: u64;
  stRepl: u64;
  stEndian: u32;
  stLastId: u32;
  stMaxTop: i64;

  reset(): void {
    memory.fill(changetype<usize>(this), 0, offsetof<Endpoint>());
    this.initZeroed();
  }

  /** The non-zero initial values, for an endpoint whose bytes are already zero (a fresh connection slot). */
  initZeroed(): void {
    this.chkThr = 1;
    this.rexThr = 1;
    this.zwThr = 1;
    this.gapThr = 1;
    this.lastReassem = 1;
    this.trim = 1;
  }

  /** TA §14 endpoint size (logical bytes sent). */
  size(peer: Endpoint): u64 {
    if (this.prevState == State.SYN_SENT && this.state == State.RESET && peer.state == State.INACTIVE &&
        !this.noDataAcked()) return 0;
    const top = (<u64>this.seqWraps << 32) + <u64>this.lastSeq;
    const a = (<u64>this.ackWraps << 32) + <u64>this.ackSeq;
    let size = max(top, a) - <u64>this.isn;
    if (size != 0) size -= 1;
    if (this.finCnt > 0 && size != 0) size -= 1;
    return size;
  }

  /** Nothing of this side acknowledged yet (ack_seq equals isn or isn + 1). */
  @inline noDataAcked(): bool {
    const a = (<u64>this.ackWraps << 32) + <u64>this.ackSeq;
    return a == <u64>this.isn || a == <u64>this.isn + 1;
  }

  setState(s: u8): void {
    if (s != this.state) {
      this.prevState = this.state;
      this.state = s;
    }
  }
}
