/**
 * `npm run bench:hosts -- [--packets N] [--file FILE] [--rounds R]`: wall time of whole analyses on each host and
 * mode. Prints only.
 *   1. conn.log (JSON lines, Zeek's default events) of the benchmark capture (bench/captures.ts, generated and
 *      cached as for `npm run bench`; --file for another capture): Node and headless Chromium, each in-thread and
 *      in worker mode. Node reads the file; the page reads the HTTP response body as a stream.
 *   2. Every event subscribed, events JSON and conn.log JSON digested, on real/small: the same four.
 * Each figure is the best of R rounds (default 3); the ratios are to Node in-thread. Uses the built bundles (dist/).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ChromiumSession, chromiumMissing } from '../tests/hosts/chromium.ts';
import { digestEvents, nodeSha256, settingsOptions } from '../tests/hosts/digest.ts';
import { ROOT, SHARED } from '../tests/hosts/paths.ts';
import { DEFAULT_PACKETS, cachedCapture } from './captures.ts';
import { generate } from './gen.ts';

const { values: args } = parseArgs({
  options: {
    packets: { type: 'string', default: String(DEFAULT_PACKETS) },
    seed: { type: 'string', default: '1' },
    file: { type: 'string' },
    rounds: { type: 'string', default: '3' },
  },
});
const ROUNDS = Number(args.rounds);
// The built bundle, as users run it (and as the page runs dist/browser.mjs): from source, a Node worker would
// also compile the TypeScript of the worker side through tsx on every start.
const { analyze, connLog } = (await import(pathToFileURL(join(ROOT, 'dist', 'node.mjs')).href)) as typeof import('../bindings/node.ts');
const real = join(SHARED, 'real', 'small', 'small.pcap');

function benchCapture(): string {
  if (args.file) return args.file;
  const packets = Number(args.packets), seed = Number(args.seed);
  const { path, cached } = cachedCapture(packets, seed);
  if (!cached) {
    console.log(`generating ${path} (${packets.toLocaleString()} packets)…`);
    generate({ packets, path, seed });
  }
  return path;
}

async function best(fn: () => Promise<number>): Promise<number> {
  let m = Infinity;
  for (let i = 0; i < ROUNDS; i++) m = Math.min(m, await fn());
  return m;
}

type Row = [label: string, ms: number, note: string];

function print(title: string, rows: Row[]): void {
  console.log(title);
  const base = rows[0][1];
  for (const [name, ms, note] of rows) {
    console.log(`  ${name.padEnd(18)} ${ms.toFixed(0).padStart(7)} ms  ${(ms / base).toFixed(2)}× node in-thread  ${note}`);
  }
}

const file = benchCapture();
const mb = (statSync(file).size / 1e6).toFixed(0);
const missing = chromiumMissing();
const session = missing ? null : await ChromiumSession.open();
if (missing) console.log(`chromium: skipped (${missing})`);

try {
  // 1. conn.log of the benchmark capture.
  const conn: Row[] = [];
  for (const worker of [false, true]) {
    let lines = 0;
    const ms = await best(async () => {
      const t0 = performance.now();
      lines = 0;
      for await (const t of connLog(file, { format: 'json', worker })) for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) lines++;
      return performance.now() - t0;
    });
    conn.push([`node ${worker ? 'worker' : 'in-thread'}`, ms, `${lines.toLocaleString()} lines`]);
  }
  for (const worker of [false, true]) {
    if (!session) break;
    let r = { mode: '', lines: 0 };
    const ms = await best(async () => { const x = await session.connLog(file, worker); r = x; return x.ms; });
    if (r.mode !== (worker ? 'worker' : 'in-thread')) throw new Error(`chromium ran ${r.mode}`);
    conn.push([`chromium ${worker ? 'worker' : 'in-thread'}`, ms, `${r.lines.toLocaleString()} lines`]);
  }
  print(`hosts bench 1: conn.log JSON of ${file} (${mb} MB), best of ${ROUNDS}`, conn);

  // 2. Every event, digested, on real traffic.
  const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
  const sha256 = nodeSha256(createHash);
  const all: Row[] = [];
  for (const worker of [false, true]) {
    all.push([`node ${worker ? 'worker' : 'in-thread'}`, await best(async () => {
      const t0 = performance.now();
      await digestEvents(analyze(real, { ...settingsOptions({}), worker }), sha1, sha256);
      return performance.now() - t0;
    }), '']);
  }
  for (const worker of [false, true]) {
    if (!session) break;
    all.push([`chromium ${worker ? 'worker' : 'in-thread'}`, await best(async () => (await session.run(real, {}, undefined, worker)).ms), '']);
  }
  print(`hosts bench 2: every event, events + conn.log JSON digested, ${real}, best of ${ROUNDS}`, all);
  const ratio = (rows: Row[], a: string, b: string) => rows.find((r) => r[0] === a)![1] / rows.find((r) => r[0] === b)![1];
  if (session) {
    console.log(`\nsummary: chromium/node in-thread ${ratio(conn, 'chromium in-thread', 'node in-thread').toFixed(2)}× (target ≤ 1.5×); ` +
      `worker/in-thread node ${ratio(conn, 'node worker', 'node in-thread').toFixed(2)}×, chromium ${ratio(conn, 'chromium worker', 'chromium in-thread').toFixed(2)}× ` +
      `(target ≤ 1×) on the benchmark capture; every event on real/small: worker/in-thread node ${ratio(all, 'node worker', 'node in-thread').toFixed(2)}×, ` +
      `chromium ${ratio(all, 'chromium worker', 'chromium in-thread').toFixed(2)}×`);
  }
} finally {
  await session?.close();
}
