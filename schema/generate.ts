/**
 * Writes every *.generated.ts file from the schema tables. `--check` exits 1 when a file on disk differs
 * (the test suite runs it so a stale generated file fails CI).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEIRDS } from './weirds.ts';
import { RUN_STATUS, CAPTURE_ERRORS, STATS } from './status.ts';
import { EVENTS } from './events.ts';
import { OPTIONS } from './options.ts';
import { RECORD_FLAG_CONN, RECORD_FLAG_SAME_SNAPSHOT, RECORD_HEADER_BYTES } from './ring.ts';
import { asEmit } from './gen/as-emit.ts';
import { tsTypes } from './gen/ts-types.ts';
import { tsReader } from './gen/ts-reader.ts';
import { tsEncoder } from './gen/ts-encoder.ts';
import { tsOptions } from './gen/ts-options.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
import { header } from './gen/common.ts';

/** AssemblyScript constants: weird ids, run statuses, capture errors, event ids, record framing, option ids. */
function asConstants(): string {
  const out: string[] = [header];
  out.push('/** Weird ids (schema/weirds.ts). */');
  out.push('export namespace Weird {');
  const seen = new Set<string>();
  for (const w of WEIRDS) {
    // A name used in two scopes gets a scope suffix on the second entry.
    const id = seen.has(w.name) ? `${w.name}_${w.scope}` : w.name;
    seen.add(w.name);
    out.push(`  /** ${w.doc} */`);
    out.push(`  // @ts-ignore: decorator\n  @inline export const ${id}: u16 = ${w.id};`);
  }
  out.push('}\n');
  out.push('/** Statuses returned by run() and finish(). */');
  out.push('export namespace RunStatus {');
  for (const s of RUN_STATUS) out.push(`  // @ts-ignore: decorator\n  @inline export const ${s.name}: i32 = ${s.id};`);
  out.push('}\n');
  out.push('/** Capture error codes (messages live on the host side). */');
  out.push('export namespace CaptureError {');
  for (const e of CAPTURE_ERRORS) out.push(`  // @ts-ignore: decorator\n  @inline export const ${e.name}: i32 = ${e.id};`);
  out.push('}\n');
  out.push('/** Indexes of the f64 counters at statsPtr(). */');
  out.push('export namespace Stat {');
  for (const s of STATS) out.push(`  // @ts-ignore: decorator\n  @inline export const ${s.name}: i32 = ${s.id};`);
  out.push(`  // @ts-ignore: decorator\n  @inline export const COUNT: i32 = ${STATS.length};`);
  out.push('}\n');
  out.push('/** Event ids (schema/events.ts). */');
  out.push('export namespace EventId {');
  for (const e of EVENTS) out.push(`  // @ts-ignore: decorator\n  @inline export const ${e.name}: u16 = ${e.id};`);
  out.push(`  // @ts-ignore: decorator\n  @inline export const MAX: u16 = ${Math.max(...EVENTS.map((e) => e.id))};`);
  out.push('}\n');
  out.push('/** Ring record framing (schema/ring.ts). */');
  out.push('export namespace RecordFormat {');
  out.push(`  // @ts-ignore: decorator\n  @inline export const HEADER_BYTES: u32 = ${RECORD_HEADER_BYTES};`);
  out.push(`  // @ts-ignore: decorator\n  @inline export const FLAG_CONN: u16 = ${RECORD_FLAG_CONN};`);
  out.push(`  // @ts-ignore: decorator\n  @inline export const FLAG_SAME_SNAPSHOT: u16 = ${RECORD_FLAG_SAME_SNAPSHOT};`);
  out.push('}\n');
  out.push('/** Option ids (schema/options.ts); numeric options go through setOption(id, value), lists by id. */');
  out.push('export namespace Opt {');
  for (const o of OPTIONS) if (!o.host) out.push(`  // @ts-ignore: decorator\n  @inline export const ${o.name}: u32 = ${o.id};`);
  out.push(`  // @ts-ignore: decorator\n  @inline export const MAX: u32 = ${Math.max(...OPTIONS.map((o) => o.id))};`);
  out.push('}\n');
  out.push('/** Defaults of the numeric options, indexed by option id. */');
  const defs = new Array(Math.max(...OPTIONS.map((o) => o.id)) + 1).fill(0);
  for (const o of OPTIONS) if (o.kind === 'bool' || o.kind === 'count' || o.kind === 'seconds') defs[o.id] = Number(o.default);
  out.push(`export const OPTION_DEFAULTS: StaticArray<f64> = [${defs.join(', ')}];\n`);
  return out.join('\n');
}

/** TypeScript tables for the hosts. */
function tsConstants(): string {
  const out: string[] = [header];
  out.push(`/** Weird names by id. */\nexport const WEIRD_NAMES: Record<number, string> = {`);
  for (const w of WEIRDS) out.push(`  ${w.id}: ${JSON.stringify(w.name)},`);
  out.push('};\n');
  out.push(`/** Run statuses. */\nexport const enum RunStatus {`);
  for (const s of RUN_STATUS) out.push(`  ${s.name} = ${s.id},`);
  out.push('}\n');
  out.push(`/** Names of the f64 counters at statsPtr(), by index. */\nexport const STAT_NAMES = ${JSON.stringify(STATS.map((s) => s.name))} as const;\n`);
  out.push(`/** Capture error messages by code. */\nexport const CAPTURE_ERROR_MESSAGES: Record<number, string> = {`);
  for (const e of CAPTURE_ERRORS) out.push(`  ${e.id}: ${JSON.stringify(e.message)},`);
  out.push('};\n');
  return out.join('\n');
}

export const FILES: Record<string, () => string> = {
  'assembly/schema.generated.ts': asConstants,
  'bindings/core/constants.generated.ts': tsConstants,
  'assembly/events/emit.generated.ts': asEmit,
  'bindings/core/events.generated.ts': tsTypes,
  'bindings/core/records.generated.ts': tsReader,
  'bindings/core/options.generated.ts': tsOptions,
  'tests/support/encode.generated.ts': tsEncoder,
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [rel, make] of Object.entries(FILES)) {
  const path = join(root, rel);
  const text = make();
  const old = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (old === text) continue;
  if (check) {
    console.error(`stale generated file: ${rel} (run npm run generate)`);
    stale++;
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${rel}`);
  }
}
if (stale) process.exit(1);
