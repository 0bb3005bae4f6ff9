/**
 * Event-stream conformance: `synack events --json` with each case's options plus the corpus script's settings
 * (deliver all contents, TCPSTATS), subscribed to the corpus's event list minus `events_omitted`, compared by
 * eventcompare.mjs with and without `--ignore-c`. A case fails only when the full comparison mismatches and it is
 * not listed in known-mismatches.json.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compare, knownMismatches, listCases, matchCount, pct, pool, setArgs, synack, TMP, verdict, WASM, type Case } from './support.ts';

/** The events the corpus's Zeek script handled (conformance/README.md "Which events"). */
export const CORPUS_EVENTS = [
  'new_connection', 'connection_state_remove', 'connection_timeout', 'connection_reused', 'connection_flipped',
  'content_gap', 'rexmit_inconsistency', 'conn_weird', 'new_connection_contents', 'connection_attempt',
  'connection_established', 'partial_connection', 'connection_partial_close', 'connection_finished',
  'connection_half_finished', 'connection_rejected', 'connection_reset', 'connection_pending', 'connection_SYN_packet',
  'connection_first_ACK', 'connection_EOF', 'tcp_packet', 'tcp_option', 'tcp_options', 'tcp_contents', 'tcp_rexmit',
  'tcp_multiple_checksum_errors', 'tcp_multiple_zero_windows', 'tcp_multiple_retransmissions', 'tcp_multiple_gap',
  'contents_file_write_failure',
];

const SCRIPT_SETTINGS = ['tcp_content_deliver_all_orig=true', 'tcp_content_deliver_all_resp=true', 'tcpstats_enabled=true'];

interface Result {
  c: Case;
  full: [number, number];
  noC: [number, number];
  matches: boolean;
  detail: string;
}

async function runCase(c: Case): Promise<Result> {
  const actual = join(TMP, `${c.name}.events.jsonl`);
  const expected = join(c.dir, 'expected.events.jsonl');
  const only = CORPUS_EVENTS.filter((e) => !c.eventsOmitted.includes(e)).join(',');
  const args = ['events', c.trace, '--json', ...setArgs(c.options), ...SCRIPT_SETTINGS.flatMap((s) => ['--set', s]), '--only', only];
  const run = await synack(args, actual);
  const cmp = await compare('eventcompare.mjs', [expected, actual, '--max', '3']);
  const noC = await compare('eventcompare.mjs', [expected, actual, '--ignore-c', '--max', '0']);
  const full = matchCount(cmp.stdout, 'events') ?? [0, 0];
  const detail = run.code !== 0 ? `synack exited ${run.code}: ${run.stderr.trim()}` : cmp.stdout.trim();
  return { c, full, noC: matchCount(noC.stdout, 'events') ?? [0, 0], matches: run.code === 0 && cmp.code === 0, detail };
}

test('event stream conformance', async (t) => {
  if (!existsSync(WASM)) {
    t.skip(`${WASM} is missing: run npm run build`);
    return;
  }
  const known = knownMismatches('events');
  const results = await pool(listCases('expected.events.jsonl'), runCase);
  const sum = [0, 0, 0, 0];
  let casesOk = 0, casesOkNoC = 0;
  for (const r of results) {
    sum[0] += r.full[0]; sum[1] += r.full[1]; sum[2] += r.noC[0]; sum[3] += r.noC[1];
    if (r.matches) casesOk++;
    if (r.noC[0] === r.noC[1]) casesOkNoC++;
    const v = verdict(r.matches, known[r.c.name]);
    const cols = `${`${r.full[0]}/${r.full[1]}`.padStart(13)}  ignore-c ${`${r.noC[0]}/${r.noC[1]}`.padStart(13)}`;
    console.log(`events ${r.c.name.padEnd(28)} ${cols}  ${v.note}`);
  }
  console.log(`events: ${sum[0]}/${sum[1]} match (${pct(sum[0], sum[1])}%), cases: ${casesOk}/${results.length}`);
  console.log(`events (ignore-c): ${sum[2]}/${sum[3]} match (${pct(sum[2], sum[3])}%), cases: ${casesOkNoC}/${results.length}`);
  for (const r of results) {
    await t.test(r.c.name, () => {
      const v = verdict(r.matches, known[r.c.name]);
      assert.ok(!v.fail, `${r.c.name}: events differ from Zeek's\n${r.detail}`);
    });
  }
});
