/**
 * conn.log conformance: `synack conn --json` with each case's options against expected.conn.jsonl, compared by the
 * corpus's conncompare.mjs. Prints one line per case and the totals; a case fails only when it mismatches and is
 * not listed in known-mismatches.json.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compare, knownMismatches, listCases, matchCount, pct, pool, setArgs, synack, TMP, verdict, WASM, type Case } from './support.ts';

interface Result {
  c: Case;
  rows: [number, number];
  matches: boolean;
  detail: string;
}

async function runCase(c: Case): Promise<Result> {
  const actual = join(TMP, `${c.name}.conn.jsonl`);
  const expected = join(c.dir, 'expected.conn.jsonl');
  const run = await synack(['conn', c.trace, '--json', ...setArgs(c.options)], actual);
  const quiet = await compare('conncompare.mjs', [expected, actual, '--quiet']);
  const rows = matchCount(quiet.stdout, 'rows') ?? [0, 0];
  const matches = run.code === 0 && quiet.code === 0;
  if (matches) return { c, rows, matches, detail: '' };
  const detail = run.code !== 0 ? `synack exited ${run.code}: ${run.stderr.trim()}` : (await compare('conncompare.mjs', [expected, actual])).stdout.trim();
  return { c, rows, matches, detail };
}

test('conn.log conformance', async (t) => {
  if (!existsSync(WASM)) {
    t.skip(`${WASM} is missing: run npm run build`);
    return;
  }
  const known = knownMismatches('conn');
  const results = await pool(listCases('expected.conn.jsonl'), runCase);
  let rowsOk = 0, rowsAll = 0, casesOk = 0;
  for (const r of results) {
    rowsOk += r.rows[0];
    rowsAll += r.rows[1];
    if (r.matches) casesOk++;
    const v = verdict(r.matches, known[r.c.name]);
    console.log(`conn ${r.c.name.padEnd(28)} ${`${r.rows[0]}/${r.rows[1]}`.padStart(7)} rows  ${v.note}`);
  }
  console.log(`conn rows: ${rowsOk}/${rowsAll} match (${pct(rowsOk, rowsAll)}%), cases: ${casesOk}/${results.length}`);
  for (const r of results) {
    await t.test(r.c.name, () => {
      const v = verdict(r.matches, known[r.c.name]);
      assert.ok(!v.fail, `${r.c.name}: conn rows differ from Zeek's\n${r.detail}`);
    });
  }
});
