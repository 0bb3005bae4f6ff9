/**
 * expected.events.txt through the public event API: for every conformance case that has one, its renderer
 * (cases.ts) subscribes to the events the Zeek script handled, runs `analyze` with the case's options, prints
 * what the script printed, applies the case's masking and compares line by line, exactly. A mismatch fails
 * unless tests/conformance/known-mismatches.json lists the case under "events_txt" with a reason.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AnalyzerOptions } from '../../bindings/core/api.ts';
import { analyze } from '../../bindings/node.ts';
import { RENDERERS } from './cases.ts';
import { mask } from './zeek-print.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CASES = join(ROOT, '..', 'shared', 'conformance', 'cases');
const WASM = join(ROOT, 'build', 'synack.wasm');
const KNOWN_FILE = join(ROOT, 'tests', 'conformance', 'known-mismatches.json');

interface CaseJson {
  trace: string;
  options?: Record<string, unknown>;
  events_masking: string;
}

const cases = existsSync(CASES)
  ? readdirSync(CASES).filter((n) => existsSync(join(CASES, n, 'expected.events.txt'))).sort()
  : [];
const known: Record<string, string> = existsSync(KNOWN_FILE) ? JSON.parse(readFileSync(KNOWN_FILE, 'utf8')).events_txt ?? {} : {};
const skip = !existsSync(WASM) ? 'core not built (npm run build)' : cases.length === 0 ? 'conformance corpus missing' : false;

/** The case's printed lines as synack renders them, masked. */
async function render(name: string, cj: CaseJson): Promise<string[]> {
  const r = RENDERERS[name]();
  const options = { ...(cj.options ?? {}), subscribe: r.subscribe } as AnalyzerOptions;
  const out = [...(r.header ?? [])];
  for await (const e of analyze(join(CASES, name, cj.trace), options)) out.push(...r.event(e));
  return out.map((l) => mask(cj.events_masking, l));
}

/** Lines of a text file without the final newline's empty line. */
function lines(text: string): string[] {
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

test('every events.txt case has a renderer', { skip }, () => {
  assert.deepEqual(cases.filter((n) => !(n in RENDERERS)), []);
});

for (const name of cases) {
  test(`events.txt ${name}`, { skip: skip || !(name in RENDERERS) }, async () => {
    const cj = JSON.parse(readFileSync(join(CASES, name, 'case.json'), 'utf8')) as CaseJson;
    const expected = lines(readFileSync(join(CASES, name, 'expected.events.txt'), 'utf8'));
    const actual = await render(name, cj);
    const n = Math.max(expected.length, actual.length);
    let same = 0;
    const diffs: string[] = [];
    for (let i = 0; i < n; i++) {
      if (expected[i] === actual[i]) same++;
      else if (diffs.length < 5) diffs.push(`line ${i + 1}:\n  expected ${JSON.stringify(expected[i])}\n  actual   ${JSON.stringify(actual[i])}`);
    }
    const ok = same === expected.length && actual.length === expected.length;
    const note = ok ? (known[name] !== undefined ? ' (fixed: remove from known-mismatches events_txt)' : '') : known[name] !== undefined ? ` (known: ${known[name]})` : ' MISMATCH';
    console.log(`events.txt ${name}: ${same}/${expected.length} lines match${actual.length !== expected.length ? ` (${actual.length} printed)` : ''}${note}`);
    if (!ok && known[name] === undefined) assert.fail(`${name}: printed lines differ from Zeek's\n${diffs.join('\n')}`);
  });
}
