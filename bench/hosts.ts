/**
 * `node --import tsx bench/hosts.ts [FILE]`: wall time of one analysis (every event subscribed, events JSON and
 * conn.log JSON digested) on Node and in headless Chromium, in-thread and in worker mode. Prints only.
 * Default FILE: ../shared/conformance/real/small/small.pcap.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { analyze } from '../bindings/node.ts';
import { ChromiumSession, chromiumMissing } from '../tests/hosts/chromium.ts';
import { digestEvents, settingsOptions } from '../tests/hosts/digest.ts';
import { SHARED } from '../tests/hosts/paths.ts';

const file = process.argv[2] ?? join(SHARED, 'real', 'small', 'small.pcap');
const ROUNDS = 3;
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const sha256 = async (t: string) => createHash('sha256').update(t).digest('hex');

async function best(fn: () => Promise<number>): Promise<number> {
  let m = Infinity;
  for (let i = 0; i < ROUNDS; i++) m = Math.min(m, await fn());
  return m;
}

const rows: [string, number][] = [];
for (const worker of [false, true]) {
  rows.push([`node ${worker ? 'worker' : 'in-thread'}`, await best(async () => {
    const t0 = performance.now();
    await digestEvents(analyze(file, { ...settingsOptions({}), worker }), sha1, sha256);
    return performance.now() - t0;
  })]);
}
const missing = chromiumMissing();
if (missing) console.log(`chromium: skipped (${missing})`);
else {
  const s = await ChromiumSession.open();
  try {
    for (const worker of [false, true]) {
      rows.push([`chromium ${worker ? 'worker' : 'in-thread'}`, await best(async () => (await s.run(file, {}, undefined, worker)).ms)]);
    }
  } finally {
    await s.close();
  }
}
const base = rows[0][1];
console.log(`hosts bench: ${file} (best of ${ROUNDS}; all events subscribed, events + conn.log JSON digested)`);
for (const [name, ms] of rows) console.log(`  ${name.padEnd(18)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / base).toFixed(2)}× node in-thread`);
