/** Generates bindings/core/options.generated.ts: the typed option names and the option table for the hosts. */
import { OPTIONS } from '../options.ts';
import { header } from './common.ts';

const TS: Record<string, string> = { bool: 'boolean', count: 'number', seconds: 'number', ports: 'number[]', nets: 'string[]' };

export function tsOptions(): string {
  const out: string[] = [header];
  out.push('/** Analyzer settings (schema/options.ts): Zeek\'s names and defaults; durations in seconds. */');
  out.push('export interface OptionValues {');
  for (const o of OPTIONS) {
    out.push(`  /** ${o.doc} (default ${JSON.stringify(o.default).replace(/,/g, ', ')}) */`);
    out.push(`  ${o.name}?: ${TS[o.kind]};`);
  }
  out.push('}\n');
  out.push('/** One option of the table. */');
  out.push("export interface OptionInfo {\n  id: number;\n  name: keyof OptionValues;\n  kind: 'bool' | 'count' | 'seconds' | 'ports' | 'nets';\n  default: boolean | number | number[] | string[];\n  /** Used by the bindings only, never sent to the core. */\n  host: boolean;\n  /** Upper bound of a count. */\n  max?: number;\n  doc: string;\n}\n");
  out.push('/** The option table. */');
  out.push('export const OPTION_INFO: readonly OptionInfo[] = [');
  for (const o of OPTIONS) {
    const max = o.max !== undefined ? `, max: ${o.max}` : '';
    out.push(`  { id: ${o.id}, name: '${o.name}', kind: '${o.kind}', default: ${JSON.stringify(o.default)}, host: ${!!o.host}${max}, doc: ${JSON.stringify(o.doc)} },`);
  }
  out.push('];');
  out.push('');
  return out.join('\n');
}
