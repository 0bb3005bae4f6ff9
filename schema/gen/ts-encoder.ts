/** Generates tests/support/encode.generated.ts: typed events → ring records, to test the readers without the core. */
import { EVENTS, RECORDS } from '../events.ts';
import type { Field } from '../types.ts';
import { connFields, connPath, header, key, pascal } from './common.ts';

/** Statement writing value `v` of a (non-record) type with Writer `w`. */
function writeStmt(type: string, v: string): string {
  if (type.startsWith('record:')) return `write_${type.slice(7)}(w, ${v});`;
  const m: Record<string, string> = {
    bool: 'bool', count: 'count', int: 'int', time: 'f64', tcpflags: 'tcpflags', bytes: 'bytes', text: 'text',
    addr: 'addr', weird: 'weird', source: 'source', options: 'options', port: 'u16', state: 'u8', connstate: 'connstate',
    uid: 'uid', uids: 'uids', mac: 'mac',
  };
  if (!m[type]) throw new Error(`schema: unknown type ${type}`);
  return `w.${m[type]}(${v});`;
}

function fieldStmt(f: Field, v: string): string {
  if (!f.optional) return `  ${writeStmt(f.type, v)}`;
  return `  w.bool(${v} !== undefined);\n  if (${v} !== undefined) ${writeStmt(f.type, v)}`;
}

const access = (base: string, path: string[]) => base + path.map((p) => (key(p) === p ? `.${p}` : `[${key(p)}]`)).join('');

export function tsEncoder(): string {
  const out: string[] = [header];
  out.push("import { Writer } from './writer.ts';");
  out.push("import type * as T from '../../bindings/core/events.generated.ts';\n");
  out.push('/** Writes the connection snapshot fields of `c`. */');
  out.push('export function writeConnection(w: Writer, c: T.Connection): void {');
  for (const f of connFields()) out.push(fieldStmt({ name: f.name, type: f.type, optional: f.optional }, access('c', connPath(f.name))));
  out.push('}\n');
  for (const rec of RECORDS) {
    if (rec.name === 'connection') continue;
    out.push(`function write_${rec.name}(w: Writer, v: T.${pascal(rec.name)}): void {`);
    for (const f of rec.fields) out.push(fieldStmt(f, access('v', [f.name])));
    out.push('}\n');
  }
  out.push('/** Event ids by name. */');
  out.push(`export const EVENT_IDS: Record<T.EventName, number> = { ${EVENTS.map((e) => `${e.name}: ${e.id}`).join(', ')} };\n`);
  out.push('/** Writes the arguments (and the snapshot, for events with a connection, unless `snapshot` is false) of `e`. */');
  out.push('export function writeArgs(w: Writer, e: T.SynackEvent, snapshot = true): void {');
  out.push('  switch (e.name) {');
  for (const e of EVENTS) {
    out.push(`    case '${e.name}':`);
    for (const a of e.args) out.push('  ' + fieldStmt(a, access('e', [a.name])).replace(/\n/g, '\n  '));
    if (e.conn) out.push('      if (snapshot) writeConnection(w, e.c);');
    out.push('      break;');
  }
  out.push('  }');
  out.push('}\n');
  out.push('/** Whether records of the event carry a connection snapshot. */');
  out.push(`export const HAS_CONN: Record<T.EventName, boolean> = { ${EVENTS.map((e) => `${e.name}: ${e.conn}`).join(', ')} };\n`);
  out.push('/**');
  out.push(' * A whole ring record (header, arguments, snapshot, padding) for `e`; with `sameSnapshot` the record has the');
  out.push(' * same-snapshot flag instead of the snapshot bytes (schema/ring.ts).');
  out.push(' */');
  out.push('export function encodeRecord(e: T.SynackEvent, sameSnapshot = false): Uint8Array {');
  out.push('  const w = new Writer();');
  out.push('  w.begin(EVENT_IDS[e.name], HAS_CONN[e.name], e.frame, e.ts, sameSnapshot);');
  out.push('  writeArgs(w, e, !sameSnapshot);');
  out.push('  return w.finish();');
  out.push('}');
  out.push('');
  return out.join('\n');
}
