/** Generates assembly/events/emit.generated.ts: one emit_<event> per event plus the connection snapshot writer. */
import { EVENTS } from '../events.ts';
import { asParams, asPuts, connFields, flatten, header, wireSize, type Flat } from './common.ts';

function params(flats: Flat[]): string[] {
  const out: string[] = [];
  for (const f of flats) {
    if (f.optional) out.push(`${f.name}_set: bool`);
    out.push(...asParams(f));
  }
  return out;
}

function body(flats: Flat[], indent: string): string[] {
  const out: string[] = [];
  for (const f of flats) {
    if (f.optional) {
      // Optional: a presence byte, then the value only when present.
      out.push(`${indent}putBool(${f.name}_set);`);
      out.push(`${indent}if (${f.name}_set) { ${asPuts(f).join(' ')} }`);
    } else {
      for (const p of asPuts(f)) out.push(indent + p);
    }
  }
  return out;
}

function signature(name: string, ps: string[]): string {
  const one = `export function ${name}(${ps.join(', ')}): void {`;
  if (one.length <= 120) return one;
  return `export function ${name}(\n  ${ps.join(',\n  ')},\n): void {`;
}

export function asEmit(): string {
  const out: string[] = [header];
  out.push('/**');
  out.push(' * Event writers: each checks the subscription, then writes the record header and the arguments in schema');
  out.push(' * order (schema/types.ts wire forms; an optional value follows its presence byte only when present).');
  out.push(' * Records of events with a connection get its snapshot appended by the stage (stage.ts endUnit).');
  out.push(' */');
  out.push("import { EventId } from '../schema.generated';");
  out.push("import { subscribed, beginEvent, endEvent, putBool, putU8, putU16, putU32, putU64, putI64, putF64, putBytes, putRaw, snapshotRoom, snapshotCommit } from './stage';");
  out.push("import { copySmall } from '../util/copy';\n");
  for (const e of EVENTS) {
    const flats = flatten(e.args);
    const ps = [...(e.conn ? ['c: usize'] : []), ...params(flats)];
    out.push(`/** ${e.doc} */`);
    out.push(signature(`emit_${e.name}`, ps));
    out.push(`  if (!subscribed(EventId.${e.name})) return;`);
    out.push(`  beginEvent(EventId.${e.name}, ${e.conn ? 'c' : '0'});`);
    out.push(...body(flats, '  '));
    out.push('  endEvent();');
    out.push('}\n');
  }
  const cf = connFields();
  out.push('/**');
  out.push(' * Writes the connection snapshot into the stage\'s snapshot area and returns its offset there. Taken once per');
  out.push(' * packet when events are on, so it reserves room once and stores at constant offsets between the');
  out.push(' * variable-length fields instead of calling a put… per field.');
  out.push(' */');
  out.push(signature('writeSnapshot_connection', params(cf)).replace('): void {', '): u32 {'));
  out.push(...directBody(cf));
  out.push('}');
  out.push('');
  return out.join('\n');
}

/** Stores of one fixed-size scalar at `p + k`; returns its size. */
function directStores(f: Flat, k: number, out: string[], indent: string): number {
  const n = f.name;
  const at = (o: number) => (o === 0 ? '' : `, ${o}`);
  switch (f.type) {
    case 'bool': out.push(`${indent}store<u8>(p, <u8>${n}${at(k)});`); return 1;
    case 'count': out.push(`${indent}store<u64>(p, ${n}${at(k)});`); return 8;
    case 'int': out.push(`${indent}store<i64>(p, ${n}${at(k)});`); return 8;
    case 'time': out.push(`${indent}store<f64>(p, ${n}${at(k)});`); return 8;
    case 'tcpflags': case 'source': case 'state': case 'connstate': out.push(`${indent}store<u8>(p, ${n}${at(k)});`); return 1;
    case 'weird': case 'port': out.push(`${indent}store<u16>(p, ${n}${at(k)});`); return 2;
    case 'uid':
      out.push(`${indent}store<u64>(p, ${n}_lo${at(k)});`, `${indent}store<u32>(p, ${n}_hi${at(k + 8)});`);
      return 12;
    case 'addr':
      out.push(`${indent}store<u8>(p, ${n}_ver${at(k)});`);
      out.push(`${indent}store<u64>(p, load<u64>(${n}_ptr)${at(k + 1)});`, `${indent}store<u64>(p, load<u64>(${n}_ptr, 8)${at(k + 9)});`);
      return 17;
    case 'mac':
      out.push(`${indent}store<u32>(p, load<u32>(${n}_ptr)${at(k)});`, `${indent}store<u16>(p, load<u16>(${n}_ptr, 4)${at(k + 4)});`);
      return 6;
    default: throw new Error(`schema: no direct store for ${f.type}`);
  }
}

/** The snapshot writer's body: one reserve for the largest size, then stores, advancing `p` after variable parts. */
function directBody(flats: Flat[]): string[] {
  let fixed = 0;
  const variable: string[] = [];
  for (const f of flats) {
    const w = wireSize(f.type);
    if (w >= 0) fixed += w + (f.optional ? 1 : 0);
    else if (f.optional) throw new Error(`schema: optional variable-length field ${f.name} in the snapshot`);
    else if (f.type === 'uids') { fixed += 1; variable.push(`${f.name}_count * 12`); }
    else { fixed += 4; variable.push(`${f.name}_len`); }
  }
  const out = [`  const start = snapshotRoom(${[String(fixed), ...variable].join(' + ')});`, '  let p = start;'];
  let k = 0;
  const flush = () => { if (k) out.push(`  p += ${k};`); k = 0; };
  for (const f of flats) {
    if (f.optional) {
      out.push(`  store<u8>(p, <u8>${f.name}_set${k ? `, ${k}` : ''});`);
      k += 1;
      flush();
      const inner: string[] = [];
      const size = directStores(f, 0, inner, '    ');
      out.push(`  if (${f.name}_set) {`, ...inner, `    p += ${size};`, '  }');
    } else if (f.type === 'uids') {
      out.push(`  store<u8>(p, <u8>${f.name}_count${k ? `, ${k}` : ''});`);
      k += 1;
      flush();
      out.push(`  copySmall(p, ${f.name}_ptr, ${f.name}_count * 12);`, `  p += ${f.name}_count * 12;`);
    } else if (wireSize(f.type) < 0) {
      out.push(`  store<u32>(p, ${f.name}_len${k ? `, ${k}` : ''});`);
      k += 4;
      flush();
      out.push(`  copySmall(p, ${f.name}_ptr, ${f.name}_len);`, `  p += ${f.name}_len;`);
    } else {
      k += directStores(f, k, out, '  ');
    }
  }
  flush();
  out.push('  return snapshotCommit(start, p);');
  return out;
}
