/** Generates assembly/events/emit.generated.ts: one emit_<event> per event plus the connection snapshot writer. */
import { EVENTS } from '../events.ts';
import { asParams, connFields, flatten, header, wireSize, type Flat } from './common.ts';

function params(flats: Flat[]): string[] {
  const out: string[] = [];
  for (const f of flats) {
    if (f.optional) out.push(`${f.name}_set: bool`);
    out.push(...asParams(f));
  }
  return out;
}

function signature(name: string, ps: string[], result = 'void', decorate = false): string[] {
  const lead = decorate ? ['// @ts-ignore: decorator', '@inline'] : [];
  const one = `export function ${name}(${ps.join(', ')}): ${result} {`;
  if (one.length <= 120) return [...lead, one];
  return [...lead, `export function ${name}(\n  ${ps.join(',\n  ')},\n): ${result} {`];
}

/** Stores of one fixed-size scalar at `p + k`; returns its size. */
function stores(f: Flat, k: number, out: string[], indent: string): number {
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
    default: throw new Error(`schema: no fixed-size store for ${f.type}`);
  }
}

/** The most bytes `flats` take on the wire, as an AS expression (variable lengths come from the parameters). */
function bound(flats: Flat[]): string {
  let fixed = 0;
  const variable: string[] = [];
  for (const f of flats) {
    const w = wireSize(f.type);
    if (w >= 0) fixed += w + (f.optional ? 1 : 0);
    else if (f.optional) throw new Error(`schema: optional variable-length field ${f.name} is not supported`);
    else if (f.type === 'uids') { fixed += 1; variable.push(`${f.name}_count * 12`); }
    else { fixed += 4; variable.push(`${f.name}_len`); }
  }
  return [String(fixed), ...variable].join(' + ');
}

/**
 * Stores of `flats` from `p` (room reserved by the caller) in schema order (schema/types.ts wire forms; an optional
 * value follows its presence byte only when present): constant offsets, `p` advancing past variable parts.
 */
function body(flats: Flat[]): string[] {
  const out: string[] = [];
  let k = 0;
  const flush = () => { if (k) out.push(`  p += ${k};`); k = 0; };
  const at = () => (k ? `, ${k}` : '');
  for (const f of flats) {
    if (f.optional) {
      out.push(`  store<u8>(p, <u8>${f.name}_set${at()});`);
      k += 1;
      flush();
      const inner: string[] = [];
      const size = stores(f, 0, inner, '    ');
      out.push(`  if (${f.name}_set) {`, ...inner, `    p += ${size};`, '  }');
    } else if (f.type === 'uids') {
      out.push(`  store<u8>(p, <u8>${f.name}_count${at()});`);
      k += 1;
      flush();
      out.push(`  copySmall(p, ${f.name}_ptr, ${f.name}_count * 12);`, `  p += ${f.name}_count * 12;`);
    } else if (wireSize(f.type) < 0) {
      out.push(`  store<u32>(p, ${f.name}_len${at()});`);
      k += 4;
      flush();
      out.push(`  copySmall(p, ${f.name}_ptr, ${f.name}_len);`, `  p += ${f.name}_len;`);
    } else {
      k += stores(f, k, out, '  ');
    }
  }
  flush();
  return out;
}

export function asEmit(): string {
  const out: string[] = [header];
  out.push('/**');
  out.push(' * Event writers: each checks that the event is delivered (a subscribed event that is not still refreshes its');
  out.push(' * connection\'s snapshot, as a raise does), then writes the record header and the arguments in schema');
  out.push(' * order (schema/types.ts wire forms; an optional value follows its presence byte only when present), into');
  out.push(' * room reserved once for the largest size. Records of events with a connection get its snapshot appended by');
  out.push(' * the stage (stage.ts endUnit).');
  out.push(' */');
  out.push("import { EventId } from '../schema.generated';");
  out.push("import { delivered, skipRecord, beginEventRoom, endEventAt, snapshotRoom, snapshotCommit } from './stage';");
  out.push("import { copySmall } from '../util/copy';\n");
  for (const e of EVENTS) {
    const flats = flatten(e.args);
    const ps = [...(e.conn ? ['c: usize'] : []), ...params(flats)];
    out.push(`/** ${e.doc} */`);
    out.push(...signature(`emit_${e.name}`, ps));
    out.push(e.conn ? `  if (skipRecord(EventId.${e.name}, c)) return;` : `  if (!delivered(EventId.${e.name})) return;`);
    const b = body(flats);
    out.push(`  ${b.length ? 'let p' : 'const p'} = beginEventRoom(EventId.${e.name}, ${e.conn ? 'c' : '0'}, ${bound(flats)});`);
    out.push(...b);
    out.push('  endEventAt(p);');
    out.push('}\n');
  }
  const cf = connFields();
  out.push('/**');
  out.push(' * Writes the connection snapshot into the stage\'s snapshot area and returns its offset there (inlined into its');
  out.push(' * one caller: it is taken about once per packet when events are on).');
  out.push(' */');
  out.push(...signature('writeSnapshot_connection', params(cf), 'u32', true));
  out.push(`  const start = snapshotRoom(${bound(cf)});`, '  let p = start;');
  out.push(...body(cf));
  out.push('  return snapshotCommit(start, p);');
  out.push('}');
  out.push('');
  return out.join('\n');
}
