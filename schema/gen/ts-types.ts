/** Generates bindings/core/events.generated.ts: the event types, the SynackEvent union and the event list. */
import { CONN_STATES, ENDPOINT_STATES, EVENTS, RECORDS } from '../events.ts';
import type { Field } from '../types.ts';
import { connPath, header, key, pascal, tsType } from './common.ts';

function member(f: Field, indent = '  '): string {
  const doc = f.doc ? `${indent}/** ${f.doc} */\n` : '';
  return `${doc}${indent}${key(f.name)}${f.optional ? '?' : ''}: ${tsType(f.type)};`;
}

/** ConnId, Endpoint and Connection from the flat record 'connection' (orig_/resp_ fields nest). */
function connectionTypes(): string[] {
  const fields = RECORDS.find((r) => r.name === 'connection')!.fields;
  const id: string[] = [], orig: Field[] = [], resp: Field[] = [], top: Field[] = [];
  for (const f of fields) {
    const path = connPath(f.name);
    const short = { ...f, name: path[path.length - 1] };
    if (path[0] === 'id') id.push(member(short));
    else if (path[0] === 'orig') orig.push(short);
    else if (path[0] === 'resp') resp.push(short);
    else top.push(f);
  }
  const sig = (fs: Field[]) => fs.map((f) => `${f.name}${f.optional ? '?' : ''}:${f.type}`).join(',');
  if (sig(orig) !== sig(resp)) throw new Error('schema: connection orig_* and resp_* fields differ');
  return [
    '/** Zeek conn_id (events.md §2.1). */',
    'export interface ConnId {', ...id, '  proto: 6;', '}\n',
    '/** Zeek endpoint (events.md §2.2); `state` is 0–6 (ENDPOINT_STATES). */',
    'export interface Endpoint {', ...orig.map((f) => member(f)), '}\n',
    '/** Zeek connection as handlers see it (events.md §2.3), plus synack\'s missed_bytes and conn_state. */',
    'export interface Connection {', '  id: ConnId;', '  orig: Endpoint;', '  resp: Endpoint;', ...top.map((f) => member(f)), '}\n',
  ];
}

function fieldInfo(f: Field): string {
  return `{ name: '${f.name}', type: '${f.type}', optional: ${!!f.optional} }`;
}

export function tsTypes(): string {
  const out: string[] = [header];
  out.push("import type { Count, TcpOption } from './values.ts';\n");
  out.push('export type { Count, TcpOption };\n');
  out.push('/** conn_state codes, by wire index. */');
  out.push(`export const CONN_STATES = ${JSON.stringify(CONN_STATES)} as const;`);
  out.push('export type ConnState = (typeof CONN_STATES)[number];\n');
  out.push('/** Zeek endpoint state names, by numeric state. */');
  out.push(`export const ENDPOINT_STATES = ${JSON.stringify(ENDPOINT_STATES)} as const;\n`);
  out.push(...connectionTypes());
  for (const r of RECORDS) {
    if (r.name === 'connection') continue;
    out.push(`/** ${r.doc} */`);
    out.push(`export interface ${pascal(r.name)} {`, ...r.fields.map((f) => member(f)), '}\n');
  }
  for (const e of EVENTS) {
    out.push(`/** ${e.doc} */`);
    out.push(`export interface ${pascal(e.name)}Event {`);
    out.push(`  name: '${e.name}';`, '  /** Network time when Zeek would dispatch the event. */', '  ts: number;');
    out.push('  /** 1-based number of the packet that caused the event (the last one for end-of-input events). */', '  frame: number;');
    for (const a of e.args) out.push(member(a));
    if (e.conn) out.push('  c: Connection;');
    out.push('}\n');
  }
  out.push('/** Every event synack reports, discriminated on `name`. */');
  out.push(`export type SynackEvent =\n  | ${EVENTS.map((e) => `${pascal(e.name)}Event`).join('\n  | ')};\n`);
  out.push('/** Zeek event names synack reports. */');
  out.push("export type EventName = SynackEvent['name'];\n");
  out.push('/** The event of a given name. */');
  out.push('export type EventOf<N extends EventName> = Extract<SynackEvent, { name: N }>;\n');
  out.push('/** An argument or record field in the event table: Zeek\'s name and the schema type (schema/types.ts). */');
  out.push('export interface FieldInfo {\n  name: string;\n  type: string;\n  optional: boolean;\n}\n');
  out.push('/** Fields of the records used as event arguments (not connection). */');
  out.push('export const RECORD_FIELDS: Readonly<Record<string, readonly FieldInfo[]>> = {');
  for (const r of RECORDS) {
    if (r.name === 'connection') continue;
    out.push(`  ${r.name}: [${r.fields.map(fieldInfo).join(', ')}],`);
  }
  out.push('};\n');
  out.push('/** One row of the event table. */');
  out.push('export interface EventInfo {\n  id: number;\n  name: EventName;\n  /** Carries the connection `c`. */\n  conn: boolean;\n  /** In Zeek\'s default script set (subscribed by default). */\n  defaultOn: boolean;\n  /** Arguments other than `c`, in Zeek\'s order. */\n  args: readonly FieldInfo[];\n  doc: string;\n}\n');
  out.push('/** The event table (schema/events.ts). */');
  out.push('export const EVENT_INFO: readonly EventInfo[] = [');
  for (const e of EVENTS) {
    out.push(`  { id: ${e.id}, name: '${e.name}', conn: ${e.conn}, defaultOn: ${!!e.defaultOn}, args: [${e.args.map(fieldInfo).join(', ')}], doc: ${JSON.stringify(e.doc)} },`);
  }
  out.push('];\n');
  out.push('/** Names of the events in Zeek\'s default script set. */');
  out.push(`export const DEFAULT_EVENTS: readonly EventName[] = ${JSON.stringify(EVENTS.filter((e) => e.defaultOn).map((e) => e.name))};`);
  out.push('');
  return out.join('\n');
}
