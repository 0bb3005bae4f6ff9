/** Generates bindings/core/records.generated.ts: one reader per event id, the lazy connection snapshot. */
import { EVENTS, RECORDS } from '../events.ts';
import type { Field } from '../types.ts';
import { connFields, connPath, header, key, pascal, type Flat } from './common.ts';

/** Expression reading one value of a (non-record) type from Reader `r`. */
function readExpr(type: string): string {
  switch (type) {
    case 'bool': return 'r.bool()';
    case 'count': return 'r.count()';
    case 'int': return 'r.int()';
    case 'time': return 'r.f64()';
    case 'tcpflags': return 'formatTcpFlags(r.u8v())';
    case 'bytes': return 'r.bytes()';
    case 'text': return 'r.text()';
    case 'addr': return 'r.addr()';
    case 'weird': return 'weirdName(r.u16())';
    case 'source': return "(r.u8v() === 1 ? 'TCP' : '')";
    case 'options': return 'r.options()';
    case 'port': return 'r.u16()';
    case 'state': return 'r.u8v()';
    case 'connstate': return 'CONN_STATES[r.u8v()]';
    case 'uid': return 'r.uid()';
    case 'uids': return 'r.uids()';
    case 'mac': return 'r.mac()';
  }
  if (type.startsWith('record:')) return `read_${type.slice(7)}(r)`;
  throw new Error(`schema: unknown type ${type}`);
}

/** Expression for a field, with the presence byte of an optional one. */
function fieldExpr(f: Field | Flat): string {
  return f.optional ? `(r.bool() ? ${readExpr(f.type)} : undefined)` : readExpr(f.type);
}

function connectionReader(): string[] {
  const flats = connFields();
  const out = ['/** Reads the connection snapshot (record \'connection\'). */', 'export function readConnection(r: Reader): T.Connection {'];
  for (const f of flats) out.push(`  const ${f.name} = ${fieldExpr(f)};`);
  const groups: Record<string, string[]> = { id: [], orig: [], resp: [] };
  const top: string[] = [];
  for (const f of flats) {
    const p = connPath(f.name);
    if (p.length === 2) groups[p[0]].push(`${p[1]}: ${f.name}`);
    else top.push(f.name);
  }
  out.push('  return {');
  out.push(`    id: { ${groups.id.join(', ')}, proto: 6 },`);
  out.push(`    orig: { ${groups.orig.join(', ')} },`);
  out.push(`    resp: { ${groups.resp.join(', ')} },`);
  out.push(`    ${top.join(', ')},`);
  out.push('  };', '}\n');
  return out;
}

/**
 * A snapshot field as RawConnection holds it: numbers as they are, anything with a text form as the byte position
 * of its wire value in the reader's bytes (the writer that wants the text makes it there, with no string between).
 */
function rawField(f: Flat): [string, string] {
  const [ty, expr] = ((): [string, string] => {
    switch (f.type) {
      case 'bool': return ['boolean', 'r.bool()'];
      case 'count': return ['Count', 'r.count()'];
      case 'int': return ['number', 'r.int()'];
      case 'time': return ['number', 'r.f64()'];
      case 'port': return ['number', 'r.u16()'];
      case 'state': return ['number', 'r.u8v()'];
      case 'connstate': return ['number', 'r.u8v()'];
      case 'addr': return ['number', 'r.skip(17)'];
      case 'uid': return ['number', 'r.skip(12)'];
      case 'mac': return ['number', 'r.skip(6)'];
      case 'text': return ['number', 'r.skipSized()'];
      case 'uids': return ['number', 'r.skipUids()'];
    }
    throw new Error(`schema: no raw form for a connection field of type ${f.type}`);
  })();
  return f.optional ? [`${ty} | undefined`, `(r.bool() ? ${expr} : undefined)`] : [ty, expr];
}

function rawConnectionReader(): string[] {
  const flats = connFields();
  const out = [
    '/**',
    ' * The connection snapshot undecoded: counts, times and ports as values, an address, uid, MAC, text or uid list as',
    ' * the byte position of its wire form (schema/types.ts) in the bytes of the reader that filled it. For writers that',
    ' * turn a snapshot straight into text (conn.log rows) without making the Connection object.',
    ' */',
    'export interface RawConnection {',
  ];
  for (const f of flats) out.push(`  ${f.name}: ${rawField(f)[0]};`);
  out.push('}\n');
  out.push('/** A RawConnection to be filled by readConnectionRaw (every field present, so all share one shape). */');
  out.push('export function newRawConnection(): RawConnection {');
  out.push(`  return { ${flats.map((f) => `${f.name}: ${f.type === 'bool' ? 'false' : '0'}`).join(', ')} };`);
  out.push('}\n');
  out.push('/** Reads the connection snapshot at `r` into `o` (RawConnection). */');
  out.push('export function readConnectionRaw(r: Reader, o: RawConnection): void {');
  for (const f of flats) out.push(`  o.${f.name} = ${rawField(f)[1]};`);
  out.push('}\n');
  return out;
}

const CONN_EVENT = `/**
 * Events with a connection: \`c\` is decoded on first access from a private copy of the snapshot bytes (the ring
 * bytes are reused once the tail advances). Events showing the same snapshot share the copy; each decodes its own
 * object.
 */
class ConnEvent {
  #snap: SnapshotRef | null;
  #c: T.Connection | null = null;
  constructor(public name: T.EventName, public ts: number, public frame: number, snap: SnapshotRef) {
    this.#snap = snap;
  }
  get c(): T.Connection {
    if (this.#c === null) {
      this.#c = readConnection(this.#snap!.at());
      this.#snap = null;
    }
    return this.#c;
  }
  /** Fills \`o\` from the snapshot while \`c\` has not been decoded, returning the reader holding its bytes; else null. */
  raw(o: RawConnection): Reader | null {
    if (this.#snap === null) return null;
    const r = this.#snap.at();
    readConnectionRaw(r, o);
    return r;
  }
  toJSON(): object {
    return { ...this, c: this.c };
  }
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return this.toJSON();
  }
}
`;

export function tsReader(): string {
  const out: string[] = [header];
  out.push("import type { Reader, SnapshotRef } from './wire.ts';");
  out.push("import { formatTcpFlags } from './format.ts';");
  out.push("import { WEIRD_NAMES } from './constants.generated.ts';");
  out.push("import { SynackInternalError } from './errors.ts';");
  out.push("import { RECORD_FLAG_CONN, RECORD_FLAG_SAME_SNAPSHOT, RECORD_HEADER_BYTES } from '../../schema/ring.ts';");
  out.push("import { CONN_STATES } from './events.generated.ts';");
  out.push("import type * as T from './events.generated.ts';");
  out.push("import type { Count } from './values.ts';\n");
  out.push('function weirdName(id: number): string {');
  out.push('  const n = WEIRD_NAMES[id];');
  out.push('  if (n === undefined) throw new SynackInternalError(`ring record names unknown weird id ${id}`);');
  out.push('  return n;');
  out.push('}\n');
  out.push(...connectionReader());
  for (const rec of RECORDS) {
    if (rec.name === 'connection') continue;
    out.push(`function read_${rec.name}(r: Reader): T.${pascal(rec.name)} {`);
    out.push('  return {');
    for (const f of rec.fields) out.push(`    ${key(f.name)}: ${fieldExpr(f)},`);
    out.push('  };', '}\n');
  }
  out.push(...rawConnectionReader());
  out.push(CONN_EVENT);
  out.push(`/**
 * The undecoded snapshot of an event with a connection whose \`c\` nobody has read yet (RawConnection), with the
 * reader holding its bytes; null otherwise (the caller then uses \`c\`).
 */
export function rawSnapshot(e: T.SynackEvent, o: RawConnection): Reader | null {
  return e instanceof ConnEvent ? e.raw(o) : null;
}
`);
  out.push('type Read = (r: Reader, ts: number, frame: number, end: number, same: boolean) => T.SynackEvent;\n');
  for (const e of EVENTS) {
    const ty = `T.${pascal(e.name)}Event`;
    out.push(`function read_${e.name}(r: Reader, ts: number, frame: number, end: number${e.conn ? ', same: boolean' : ''}): ${ty} {`);
    if (!e.conn) {
      out.push(`  return { name: '${e.name}', ts, frame, ${e.args.map((a) => `${key(a.name)}: ${fieldExpr(a)}`).join(', ')} };`);
    } else {
      for (const a of e.args) out.push(`  const ${a.name} = ${fieldExpr(a)};`);
      out.push(`  const e = new ConnEvent('${e.name}', ts, frame, r.snapshot(end, same)) as unknown as ${ty};`);
      for (const a of e.args) out.push(`  e.${a.name} = ${a.name};`);
      out.push('  return e;');
    }
    out.push('}\n');
  }
  out.push('const READERS: (Read | undefined)[] = [];');
  out.push('const HAS_CONN: boolean[] = [];');
  for (const e of EVENTS) out.push(`READERS[${e.id}] = read_${e.name}; HAS_CONN[${e.id}] = ${e.conn};`);
  out.push(`
/**
 * Decodes the record at byte \`off\` (its header per schema/ring.ts) into a typed event; \`r\` views the memory
 * holding it. Byte strings and the connection snapshot are copied; a record with the same-snapshot flag gets the
 * copy \`r\` kept from the latest record that carried one.
 */
export function readRecord(r: Reader, off: number): T.SynackEvent {
  const dv = r.dv;
  const len = dv.getUint32(off, true);
  const id = dv.getUint16(off + 4, true);
  const flags = dv.getUint16(off + 6, true);
  const read = READERS[id];
  if (read === undefined) throw new SynackInternalError(\`ring record with unknown event id \${id}\`);
  if (HAS_CONN[id] !== ((flags & RECORD_FLAG_CONN) !== 0)) {
    throw new SynackInternalError(\`ring record of event id \${id} has connection flag \${flags & RECORD_FLAG_CONN}\`);
  }
  const same = (flags & RECORD_FLAG_SAME_SNAPSHOT) !== 0;
  if (same && !HAS_CONN[id]) throw new SynackInternalError(\`ring record of event id \${id} has the same-snapshot flag without a connection\`);
  r.p = off + RECORD_HEADER_BYTES;
  const end = off + len;
  const ev = read(r, dv.getFloat64(off + 12, true), dv.getUint32(off + 8, true), end, same);
  if (r.p > end) throw new SynackInternalError(\`ring record of event id \${id} is shorter than its arguments\`);
  return ev;
}
`);
  return out.join('\n');
}
