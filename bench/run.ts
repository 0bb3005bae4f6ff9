/**
 * `npm run bench` — throughput and memory of the synack core on a generated capture and on real traffic.
 *
 *   npm run bench -- [--packets N] [--flat-packets M] [--seed S] [--events-all] [--no-cli] [--check] [--real FILE]
 *                    [--real-copies K] [--scan P]
 *   (--check lists the weirds the core reports on the generated capture: there must be no checksum errors;
 *   --real-copies sizes the capture made of staggered copies of the real one, bench/replicate.ts; --scan sizes
 *   the SYN scan, one connection per packet, bench/scan.ts; 0 skips it)
 *
 * Every measurement runs in its own child process (bench/measure.ts), so its peak RSS is its own. The core is
 * driven through its wasm exports (bench/core.ts) and compared with a trivial JS pcap reader of the same file
 * (bench/baseline.ts). Generated captures are cached in bench/.cache/ under a hash of the generator sources.
 * The CLI is timed end to end, and for scale beside a C program that only parses headers and counts per
 * connection (bench/reference.c, built when the machine has a C compiler).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WASM_PATH, loadModule, weirdCounts } from './core.ts';
import { DEFAULT_PACKETS, REAL_SMALL, cachedCapture, replicatedCapture, scanCapture } from './captures.ts';
import { referenceBinary, timeReference } from './reference.ts';
import { WEIRDS } from '../schema/weirds.ts';
import type { Measurement, Task } from './measure.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const ROOT = here('../');

const { values: args } = parseArgs({
  options: {
    packets: { type: 'string', default: String(DEFAULT_PACKETS) },
    'flat-packets': { type: 'string' },
    seed: { type: 'string', default: '1' },
    'events-all': { type: 'boolean', default: false },
    'no-cli': { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    real: { type: 'string', default: REAL_SMALL },
    'real-copies': { type: 'string', default: '26' },
    scan: { type: 'string', default: '400000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(readFileSync(here('./run.ts'), 'utf8').split('\n').slice(1, 6).join('\n'));
  process.exit(0);
}
const packets = Number(args.packets);
const flatPackets = Number(args['flat-packets'] ?? Math.max(1, Math.round(packets / 4)));
const seed = Number(args.seed);
if (!(packets > 0) || !(flatPackets > 0)) throw new Error('--packets and --flat-packets must be positive');
if (!existsSync(WASM_PATH)) {
  console.error(`${WASM_PATH} is missing: build it with \`npx asc assembly/index.ts --target release\``);
  process.exit(1);
}

function child(task: Task): Measurement {
  const r = spawnSync(process.execPath, ['--import', 'tsx', here('./measure.ts'), JSON.stringify(task)], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`measurement ${JSON.stringify(task)} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measurement;
}

// ---- captures ----

function capture(n: number): string {
  const { path, cached } = cachedCapture(n, seed);
  if (cached) {
    console.log(`using ${rel(path)} (${mb(statSync(path).size)} MB, cached)`);
    return path;
  }
  const m = child({ kind: 'gen', packets: n, path, seed });
  const g = m.gen!;
  console.log(`generated ${rel(path)}: ${n.toLocaleString()} packets, ${mb(g.bytes)} MB, ${g.connections.toLocaleString()} connections ` +
    `(${g.ipv6} IPv6, ${g.vlan} 802.1Q, ${g.reused} reused tuples, up to ${g.maxConcurrent} concurrent), ` +
    `${g.seconds.toFixed(1)} s of traffic, in ${(g.wallMs / 1000).toFixed(1)} s, peak RSS ${mib(m.maxRssBytes)} MiB`);
  return path;
}

/** The real capture replicated `copies` times (bench/replicate.ts), or null when it cannot be (not Ethernet pcap). */
function realCopies(src: string, copies: number): string | null {
  try {
    const { path, made } = replicatedCapture(src, copies);
    if (made) {
      console.log(`wrote ${rel(path)}: ${made.copies} staggered copies of ${rel(src)}, ${made.packets.toLocaleString()} packets, ` +
        `${mb(made.bytes)} MB, ${made.seconds.toFixed(1)} s of traffic`);
    } else {
      console.log(`using ${rel(path)} (${mb(statSync(path).size)} MB, cached)`);
    }
    return path;
  } catch (e) {
    console.log(`no replicated real capture: ${(e as Error).message}`);
    return null;
  }
}

/** The SYN scan (bench/scan.ts): one connection per packet. */
function scanFile(n: number): string {
  const { path, made } = scanCapture(n);
  if (made) console.log(`wrote ${rel(path)}: a SYN scan, ${made.packets.toLocaleString()} packets, ${mb(made.bytes)} MB`);
  else console.log(`using ${rel(path)} (${mb(statSync(path).size)} MB, cached)`);
  return path;
}

// ---- table ----

interface Row {
  label: string;
  m: Measurement;
  base?: Measurement;
}
const rows: Row[] = [];
const best = (m: Measurement): number => Math.min(...m.times);
const median = (m: Measurement): number => {
  const t = [...m.times].sort((a, b) => a - b);
  return t.length % 2 ? t[t.length >> 1] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
};
const mb = (b: number): string => (b / 1e6).toFixed(1);
const mib = (b: number): string => (b / (1 << 20)).toFixed(1);
const rel = (p: string): string => p.startsWith(ROOT) ? p.slice(ROOT.length) : p;

function add(label: string, m: Measurement, base?: Measurement): Measurement {
  rows.push({ label, m, base });
  return m;
}

function printTable(): void {
  const head = ['measurement', 'packets', 'MB', 'best s', 'median s', 'reps', 'Mpkt/s', 'MB/s', '× base', 'RSS MiB', 'wasm MiB', 'peak conns', 'KiB/conn'];
  const body = rows.map(({ label, m, base }) => {
    const t = best(m);
    const c = m.core;
    const peak = c?.stats.peak_connections ?? 0;
    return [
      label, m.packets.toLocaleString(), mb(m.bytes), t.toFixed(3), median(m).toFixed(3), String(m.times.length),
      (m.packets / t / 1e6).toFixed(2), (m.bytes / t / 1e6).toFixed(0), base ? (t / best(base)).toFixed(1) : '',
      mib(m.maxRssBytes), c ? mib(c.wasmEnd) : '', c ? peak.toLocaleString() : '',
      c && peak ? `${(c.wasmEnd / peak / 1024).toFixed(2)} (${((c.wasmEnd - c.wasmAfterInit) / peak / 1024).toFixed(2)})` : '',
    ];
  });
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((s, i) => (i === 0 ? s.padEnd(w[i]) : s.padStart(w[i]))).join('  ');
  console.log('\n' + line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of body) console.log(line(r));
  console.log('KiB/conn = wasm memory / peak open connections (in parentheses: growth after init() / peak connections).');
}

/**
 * Memory is flat when it follows the open connections, not the capture size: the larger capture may hold more
 * connections at its peak (idle ones wait for the 300 s inactivity timer), so memory is compared with that.
 */
function flatness(small: Measurement, large: Measurement): string {
  const a = small.core!, b = large.core!;
  const mem = b.wasmEnd / a.wasmEnd, conns = b.stats.peak_connections / Math.max(1, a.stats.peak_connections);
  // Wasm memory grows in steps (the allocator at least doubles it), so only a clear excess counts as growth.
  const verdict = mem <= 1.05 ? 'flat' : mem <= Math.max(2, conns * 1.25) ? 'within one growth step of flat' : 'GROWS with capture size';
  return `wasm ${mib(a.wasmEnd)} MiB at ${small.packets.toLocaleString()} packets (peak ${a.stats.peak_connections.toLocaleString()} conns), ` +
    `${mib(b.wasmEnd)} MiB at ${large.packets.toLocaleString()} (peak ${b.stats.peak_connections.toLocaleString()} conns): ` +
    `memory ×${mem.toFixed(2)}, peak conns ×${conns.toFixed(2)} → ${verdict}`;
}

// ---- CLI end to end ----

interface CliRun {
  label: string; seconds: number[]; rssBytes: number; bytes: number; packets: number;
  /** The C header parser's seconds on the same file, each run right after the CLI's (the same load, round by round). */
  reference: { seconds: number[]; packets: number } | null;
  /** Median over rounds of CLI seconds / reference seconds. */
  ratio: number;
}
const cliRuns: CliRun[] = [];
const CLI_REPS = 5;

/**
 * The environment the CLI runs in: this one without NODE_EXTRA_CA_CERTS. With it set, Node parses that CA bundle
 * while it boots, before any script runs (60 ms on a small VM, more than the rest of Node's start-up); synack
 * never opens a TLS connection, so the bench leaves out a cost that belongs to the machine's setup.
 */
const CLI_ENV: NodeJS.ProcessEnv = { ...process.env };
const droppedCaCerts = CLI_ENV.NODE_EXTRA_CA_CERTS !== undefined;
delete CLI_ENV.NODE_EXTRA_CA_CERTS;

/**
 * Runs `synack conn FILE > /dev/null` CLI_REPS times, and with `reference` (bench/reference.c's binary) the C header
 * parser after each, for a ratio that holds under the shared machine's bursts of load; null when the CLI is skipped
 * or failed.
 */
function timeCli(label: string, file: string, packetCount: number, reference?: string): CliRun | null {
  const bin = here('../bin/synack.mjs');
  if (args['no-cli'] || !existsSync(bin)) return null;
  const hasTime = existsSync('/usr/bin/time');
  const run: CliRun = { label, seconds: [], rssBytes: 0, bytes: statSync(file).size, packets: packetCount, reference: null, ratio: NaN };
  const ratios: number[] = [];
  for (let i = 0; i < CLI_REPS; i++) {
    const out = openSync('/dev/null', 'w');
    const t0 = performance.now();
    const r = hasTime
      ? spawnSync('/usr/bin/time', ['-f', 'RSSKB=%M', process.execPath, bin, 'conn', file], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8', env: CLI_ENV })
      : spawnSync(process.execPath, [bin, 'conn', file], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8', env: CLI_ENV });
    const seconds = (performance.now() - t0) / 1000;
    run.seconds.push(seconds);
    closeSync(out);
    if (r.status !== 0) {
      console.log(`CLI on ${label} failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
      return null;
    }
    const kb = /RSSKB=(\d+)/.exec(r.stderr ?? '');
    run.rssBytes = Math.max(run.rssBytes, kb ? Number(kb[1]) * 1024 : NaN);
    if (reference) {
      const c = timeReference(reference, file, 1);
      if ('failed' in c) { console.log(`C header parser on ${label} failed: ${c.failed}`); reference = undefined; continue; }
      run.reference ??= { seconds: [], packets: c.packets };
      run.reference.seconds.push(c.seconds[0]);
      ratios.push(seconds / c.seconds[0]);
    }
  }
  run.seconds.sort((a, b) => a - b);
  run.reference?.seconds.sort((a, b) => a - b);
  ratios.sort((a, b) => a - b);
  run.ratio = ratios.length ? ratios[ratios.length >> 1] : NaN;
  cliRuns.push(run);
  return run;
}

/** A capture with no packets (a pcap file header): the CLI's fixed cost of starting Node, the bundle and the core. */
function emptyCapture(): string {
  const path = here('./.cache/empty.pcap');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6); h.writeUInt32LE(65535, 16); h.writeUInt32LE(1, 20);
    writeFileSync(path, h);
  }
  return path;
}

/** Best of CLI_REPS starts of Node itself on an empty script, in the CLI's environment: the part of startup that is not synack's. */
function bootSeconds(): number {
  let bestSeconds = Infinity;
  for (let i = 0; i < CLI_REPS; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore', env: CLI_ENV });
    bestSeconds = Math.min(bestSeconds, (performance.now() - t0) / 1000);
  }
  return bestSeconds;
}

// ---- main ----

const cores = cpus().length;
console.log(`synack bench — core ${rel(WASM_PATH)}, node ${process.version}, ${cores} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const big = capture(packets);
const flat = capture(flatPackets);
const real = args.real;
if (args.check) {
  const counts = [...weirdCounts(loadModule(), big)].map(([id, n]) => `${WEIRDS.find((w) => w.id === id)?.name ?? id} ${n}`);
  console.log(`weirds on ${rel(big)}: ${counts.join(', ') || 'none'}`);
}

const once = { minSeconds: 0, minReps: 1, warmup: false };
const realReps = { minSeconds: 1, minReps: 5, warmup: true };

const realBase = add(`trivial reader, ${rel(real)}`, child({ kind: 'baseline', file: real, ...realReps }));
const realConn = add('core conn, real small.pcap', child({ kind: 'core', file: real, events: 'conn', ...realReps }), realBase);
const copies = Number(args['real-copies']);
const realMany = copies > 1 ? realCopies(real, copies) : null;
const realManyLabel = `real ×${copies}`;
const realManyConn = realMany
  ? add(`core conn, ${realManyLabel}`, child({ kind: 'core', file: realMany, events: 'conn', ...once, minReps: 3 }),
    add(`trivial reader, ${realManyLabel}`, child({ kind: 'baseline', file: realMany, ...once, minReps: 3 })))
  : null;
const scanPackets = Number(args.scan);
const scan = scanPackets > 0 ? scanFile(scanPackets) : null;
const scanLabel = `SYN scan ${scanPackets / 1e3}k`;
const scanConn = scan ? add(`core conn, ${scanLabel}`, child({ kind: 'core', file: scan, events: 'conn', ...once, minReps: 3 })) : null;
const bigBase = add(`trivial reader, generated ${packets / 1e6}M`, child({ kind: 'baseline', file: big, ...once, minReps: 3 }));
const bigConn = add(`core conn, generated ${packets / 1e6}M`, child({ kind: 'core', file: big, events: 'conn', ...once, minReps: 2 }), bigBase);
const flatConn = add(`core conn, generated ${flatPackets / 1e6}M`, child({ kind: 'core', file: flat, events: 'conn', ...once }));

let allRatio = '';
let firehose = '';
if (args['events-all']) {
  add('core all events, real', child({ kind: 'core', file: real, events: 'all', ...realReps }), realBase);
  // As many repetitions as conn-only above: the ratio compares best with best.
  add(`core all events, generated ${packets / 1e6}M`, child({ kind: 'core', file: big, events: 'all', ...once, minReps: 2 }), bigBase);
  const fhFlat = add(`core +tcp_packet, generated ${flatPackets / 1e6}M`, child({ kind: 'core', file: flat, events: 'firehose', ...once }));
  const fhBig = add(`core +tcp_packet, generated ${packets / 1e6}M`, child({ kind: 'core', file: big, events: 'firehose', ...once }), bigBase);
  // The ratio from alternating runs in one process: conn and all see the same load, round by round.
  const ratio = (file: string, rounds: number): { median: number; best: number } => {
    const p = child({ kind: 'pair', file, events: ['conn', 'all'], rounds }).pair!;
    const per = p[0].map((c, i) => p[1][i] / c).sort((a, b) => a - b);
    return { median: per[per.length >> 1], best: Math.min(...p[1]) / Math.min(...p[0]) };
  };
  const rb = ratio(big, 5), rr = ratio(real, 31);
  const worst = Math.max(rb.median, rr.median);
  allRatio = `all events / conn (alternating runs; median of per-round ratios, ratio of bests): ` +
    `generated ${rb.median.toFixed(2)}× (${rb.best.toFixed(2)}×), real ${rr.median.toFixed(2)}× (${rr.best.toFixed(2)}×) ` +
    `(target ≤ 2×: ${worst <= 2 ? 'met' : 'NOT met'})`;
  firehose = `tcp_packet firehose: ${flatness(fhFlat, fhBig)}; ring traffic ${mb(fhBig.core!.ringBytes)} MB`;
}

const refBin = args['no-cli'] ? { missing: 'the CLI is not run' } : referenceBinary();
const refPath = 'path' in refBin ? refBin.path : undefined;
const startup = timeCli('empty capture (startup)', emptyCapture(), 0);
const nodeBoot = args['no-cli'] ? NaN : bootSeconds();
timeCli('real small.pcap', real, realConn.packets);
const realManyCli = realMany && realManyConn ? timeCli(realManyLabel, realMany, realManyConn.packets, refPath) : null;
const bigCli = timeCli(`generated ${packets / 1e6}M`, big, bigConn.packets, refPath);
if (scan && scanConn) timeCli(scanLabel, scan, scanConn.packets);

/** The C header parser (bench/reference.c) on the captures the CLI ran on, with the CLI's time as a ratio. */
function scale(): string[] {
  if ('missing' in refBin) return [`C header parser (bench/reference.c): not run, ${refBin.missing}`];
  const out: string[] = [];
  for (const cli of [realManyCli, bigCli]) {
    const r = cli?.reference;
    if (!cli || !r) continue;
    const t = r.seconds[0];
    out.push(`  ${cli.label}: best ${t.toFixed(3)} s, ${(r.packets / t / 1e6).toFixed(2)} Mpkt/s; synack conn end to end takes ` +
      `${cli.ratio.toFixed(1)}× as long (median of per-round ratios; ${(cli.seconds[0] / t).toFixed(1)}× best to best)`);
  }
  return ['C header parser for scale (bench/reference.c, cc -O2: reads the file, parses headers, counts per connection; ' +
    `no checksums, no TCP state; run right after each CLI run, process start to exit):`, ...out];
}
const scaleLines = args['no-cli'] ? [] : scale();

printTable();
if (cliRuns.length) {
  console.log(`\nCLI end to end (\`node bin/synack.mjs conn FILE > /dev/null\`, ${CLI_REPS} runs: best and median; includes startup, ` +
    'file reading and conn.log formatting; "after startup" takes off the best time on the empty capture):');
  if (droppedCaCerts) console.log('  (run without NODE_EXTRA_CA_CERTS, which makes Node parse a CA bundle at boot; synack uses no TLS)');
  const fixed = startup ? startup.seconds[0] : 0;
  if (startup && Number.isFinite(nodeBoot)) {
    console.log(`  startup: Node itself ${(nodeBoot * 1000).toFixed(0)} ms (an empty script), synack's own ${((fixed - nodeBoot) * 1000).toFixed(0)} ms ` +
      '(the bundle, the core, an empty capture)');
  }
  for (const c of cliRuns) {
    const best = c.seconds[0], med = c.seconds[c.seconds.length >> 1];
    const rate = c.packets ? `, ${(c.packets / best / 1e6).toFixed(2)} Mpkt/s, ${(c.bytes / best / 1e6).toFixed(0)} MB/s` : '';
    const after = c.packets && c !== startup && best > fixed ? `; after startup ${(c.packets / (best - fixed) / 1e6).toFixed(2)} Mpkt/s` : '';
    console.log(`  ${c.label}: best ${best.toFixed(2)} s, median ${med.toFixed(2)} s${rate}${after}, peak RSS ${mib(c.rssBytes)} MiB`);
  }
} else if (!args['no-cli']) {
  console.log('\nCLI end to end: skipped (bin/synack.mjs not found)');
}
if (scaleLines.length) console.log('\n' + scaleLines.join('\n'));
const flat1 = flatness(flatConn, bigConn);
console.log(`\nmemory flatness: ${flat1}`);
if (allRatio) console.log(allRatio);
if (firehose) console.log(firehose);
const load = loadavg()[0];
if (load > cores * 0.75) console.log(`note: load average ${load.toFixed(2)} on ${cores} cores during the run; figures are pessimistic`);
const bc = bigConn.core!;
console.log(`\nsummary: core conn ${(bigConn.packets / best(bigConn) / 1e6).toFixed(2)} Mpkt/s ${(bigConn.bytes / best(bigConn) / 1e6).toFixed(0)} MB/s ` +
  `(${(best(bigConn) / best(bigBase)).toFixed(1)}× trivial reader) on ${packets / 1e6}M generated packets; ` +
  `real small.pcap best ${(realConn.packets / best(realConn) / 1e6).toFixed(2)} Mpkt/s median ${(realConn.packets / median(realConn) / 1e6).toFixed(2)} ` +
  `(${(best(realConn) / best(realBase)).toFixed(1)}×); ` +
  (realManyConn ? `${realManyLabel} best ${(realManyConn.packets / best(realManyConn) / 1e6).toFixed(2)} Mpkt/s; ` : '') +
  `wasm ${mib(bc.wasmEnd)} MiB for ${bc.stats.peak_connections.toLocaleString()} peak conns ` +
  `(${(bc.wasmEnd / bc.stats.peak_connections / 1024).toFixed(2)} KiB/conn); memory from ${flatPackets / 1e6}M to ${packets / 1e6}M packets: ${flat1.replace(/.*→ /, '')}`);
