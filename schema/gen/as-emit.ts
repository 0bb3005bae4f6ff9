/** Generates assembly/events/emit.generated.ts: one emit_<event> per event plus the connection snapshot writer. */
import { EVENTS } from '../events.ts';
import { asParams, asPuts, connFields, flatten, header, type Flat } from './common.ts';

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
  out.push("import { subscribed, beginEvent, endEvent, putBool, putU8, putU16, putU32, putU64, putI64, putF64, putBytes, putRaw } from './stage';\n");
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
  out.push('/** Writes the fields of the connection snapshot (called between the stage\'s snapshot brackets). */');
  out.push(signature('writeSnapshot_connection', params(cf)));
  out.push(...body(cf, '  '));
  out.push('}');
  out.push('');
  return out.join('\n');
}
