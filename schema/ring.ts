/**
 * Ring layout and record framing, shared by the core's writer (assembly/ring, assembly/events) and the hosts'
 * reader (bindings/core/ring-reader.ts).
 *
 * At ringPtr(): a 16-byte header of u32 little-endian words, then `capacity` data bytes (a power of two).
 *   word 0 `head`  — bytes ever written, mod 2^32 (producer only)
 *   word 1 `tail`  — bytes ever consumed, mod 2^32 (consumer only)
 *   word 2 `capacity`
 *   word 3 `flags` — bit 0: the producer is waiting for space (shared-memory mode)
 * used = head - tail (u32); a record starts at data + (tail & (capacity - 1)).
 *
 * Records are 4-byte aligned and never split. When a record does not fit before the end of the data area the
 * producer writes the u32 WRAP_MARKER there (there is always room: offsets are multiples of 4) and continues at
 * offset 0; the skipped bytes count as used. The producer may wrap earlier: it places a unit's records in one
 * stretch when they fit, and it goes back to offset 0 when the consumer has taken everything (fewer pages touched).
 *
 * Record: u32 length (whole record, multiple of 4, padding included) | u16 event id | u16 flags | u32 frame
 * (1-based packet number that caused the event; for end-of-input events the last frame) | f64 ts (network time) |
 * arguments in schema order (schema/types.ts) | [connection snapshot: the fields of RECORDS 'connection' in
 * order] | zero padding to 4.
 *
 * Flags: bit 0 (RECORD_FLAG_CONN) the event has a connection argument; bit 1 (RECORD_FLAG_SAME_SNAPSHOT, only
 * with bit 0) the snapshot is not repeated: the record's connection is the one of the latest earlier record
 * that carried a snapshot, and shows that snapshot. Events of one connection in one unit (a packet or a timer)
 * all show the same snapshot (events.md §1.2), so the core writes it once per run of such records. Readers
 * keep the latest snapshot across drains (its ring bytes are reused once the tail advances).
 */
export const RING_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 20;
export const WRAP_MARKER = 0xffffffff;
export const RECORD_FLAG_CONN = 1;
export const RECORD_FLAG_SAME_SNAPSHOT = 2;
