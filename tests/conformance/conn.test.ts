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
  const total = matchCount((await compare('conncompare.mjs', [expected, actual, '--quiet'])).stdout, 'rows')?.[1] ?? 0;
  if (run.code !== 0) return { c, rows: [0, total], matches: false, detail: `synack exited ${run.code}: ${run.stderr.trim()}` };
  const cmp = await compare('conncompare.mjs', [expected, actual]);
  const rows = matchCount(cmp.stdout, 'rows') ?? [0, total];
  return { c, rows, matches: cmp.code === 0, detail: cmp.stdout.trim() };
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
