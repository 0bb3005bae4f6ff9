/**
 * Field types of the event schema. Each has one fixed wire encoding in a ring record
 * (little-endian, no padding), one AssemblyScript parameter form and one TypeScript value form.
 *
 * | type      | wire                          | AS params                  | TS value            |
 * |-----------|-------------------------------|----------------------------|---------------------|
 * | bool      | u8 (0/1)                      | v: bool                    | boolean             |
 * | count     | u64                           | v: u64                     | number (exact < 2^53) or bigint above |
 * | int       | i64                           | v: i64                     | number              |
 * | time      | f64 seconds                   | v: f64                     | number              |
 * | tcpflags  | u8 bits (FIN1 SYN2 RST4 PSH8 ACK16 URG32) | v: u8          | string "SFRAPU" order |
 * | bytes     | u32 length + bytes            | ptr: usize, len: u32       | Uint8Array          |
 * | text      | u32 length + bytes (UTF-8/raw)| ptr: usize, len: u32       | string              |
 * | addr      | u8 version (4|6) + 16 bytes (IPv4 as ::ffff:a.b.c.d) | ver: u8, ptr: usize | string |
 * | weird     | u16 weird id (schema/weirds.ts) | v: u16                   | string (Zeek's name)|
 * | source    | u8 (0 = "", 1 = "TCP")        | v: u8                      | string              |
 * | options   | u32 length + raw TCP option bytes (after the fixed header) | ptr: usize, len: u32 | TcpOption[] |
 * | port      | u16                           | v: u16                     | number              |
 * | state     | u8 endpoint state 0..6        | v: u8                      | number (TCP_INACTIVE=0 … TCP_RESET=6) |
 * | connstate | u8 index into CONN_STATES     | v: u8                      | string ("S0", "SF", …) |
 * | uid       | u64 low + u32 high (96 bits)  | lo: u64, hi: u32           | string "C" + base62 |
 * | uids      | u8 count + 12 bytes per uid   | ptr: usize, count: u32     | string[]            |
 * | mac       | 6 bytes                       | ptr: usize                 | string "aa:bb:cc:dd:ee:ff" |
 * | record:R  | the fields of record R in order | each field's params, prefixed `<name>_` | object |
 *
 * An `optional` field is preceded by a u8 presence byte; its AS params gain a leading `<name>_set: bool`.
 */
export type FieldType =
  | 'bool' | 'count' | 'int' | 'time' | 'tcpflags' | 'bytes' | 'text' | 'addr' | 'weird' | 'source' | 'options'
  | 'port' | 'state' | 'connstate' | 'uid' | 'uids' | 'mac'
  | `record:${string}`;

export interface Field {
  /** Zeek's argument or field name (the JSON key). */
  name: string;
  type: FieldType;
  optional?: boolean;
  doc?: string;
}

export interface RecordType {
  name: string;
  doc: string;
  fields: Field[];
}

export interface EventDef {
  /** Stable numeric id used in ring records; never reuse a retired id. */
  id: number;
  /** Zeek's event name, exactly. */
  name: string;
  /** Whether the event carries the connection argument `c` (a snapshot follows the arguments). */
  conn: boolean;
  /** Arguments other than `c`, in Zeek's order. */
  args: Field[];
  doc: string;
  /** In Zeek's default script set (what `synack conn` subscribes to). */
  defaultOn?: boolean;
  /** synack's own plumbing between core and host (not a Zeek event); hosts subscribe to it when needed. */
  internal?: boolean;
}
