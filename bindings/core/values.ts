/** Value types shared by the generated event types and the hand-written readers and writers. */

/** A Zeek `count`: a number when exact (below 2^53), a bigint above. */
export type Count = number | bigint;

/** Zeek's `TCP::Option` (events.md §2.5): `kind` and `length` always, the other fields only when set. */
export interface TcpOption {
  kind: number;
  length: number;
  data?: Uint8Array;
  mss?: number;
  window_scale?: number;
  sack?: number[];
  send_timestamp?: number;
  echo_timestamp?: number;
  rate?: number;
  ttl_diff?: number;
  qs_nonce?: number;
}
