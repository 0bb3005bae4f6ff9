/**
 * `npm run replay -- FILE... [--set NAME=VALUE …] [--modes a,b,…] [--chunk BYTES[,…]]` and `npm run replay -- --public`:
 * runs each FILE through every host mode and prints one line per mode, `<mode> <sha256 of events JSON> <sha256 of
 * conn.log JSON>`; exits 1 unless every mode that ran printed the same two digests for every file and chunking
 * (2 on usage errors). A mode that is not available here is skipped with a `# <mode> skipped: <why>` line.
 * `--public` replays every public conformance trace with its case options in every chunking (CHUNKINGS).
 *
 * Digests (tests/hosts/digest.ts): events = the `synack events --json` lines, conn = the `synack conn --json`
 * lines. Modes: node, node-worker, deno, deno-worker, chromium, chromium-worker (tests/hosts/modes.ts runBatch),
 * workerd (examples/edge on a local workerd), wasi (build/synack-wasi.wasm under Node's node:wasi) and wasi-deno
 * (the same under Deno's node:wasi). Each mode runs all its jobs in one process, browser or server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EVENT_INFO } from '../bindings/core/events.generated.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');
export const WASI_WASM = join(ROOT, 'build', 'synack-wasi.wasm');
const WASI_RUN = join(ROOT, 'scripts', 'wasi-run.mjs');
const EDGE_BUNDLE = join(ROOT, 'examples', 'edge', 'dist', 'worker.js');


/**
 * Every event name: the conn.log digest of every mode comes from a run with all events subscribed, as the
 * host modes' single run does (subscriptions change the analysis, TA §17, so one set must be used throughout).
 */
const ALL_EVENTS = EVENT_INFO.map((e) => e.name).join(',');

export interface Digests { events: string; conn: string }
/** Settings as for `--set`: NAME → VALUE text. */
export type Settings = Record<string, string>;
/** One analysis to replay: FILE with settings, fed whole (chunk 0 or absent) or in chunks of `chunk` bytes. */
export interface ReplayJob { file: string; settings: Settings; chunk?: number }

/** The chunkings the determinism check uses: whole file, 64 KiB, 7 bytes, 1 byte. */
export const CHUNKINGS = [0, 64 << 10, 7, 1] as const;
const SHARED = join(ROOT, '..', 'shared', 'conformance');

/** Every public conformance trace (cases/* and real/*) with its case.json options as settings. */
export function publicTraces(): { name: string; file: string; settings: Settings }[] {
  const out: { name: string; file: string; settings: Settings }[] = [];
  for (const group of ['cases', 'real']) {
    const base = join(SHARED, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const cj = join(base, name, 'case.json');
      if (!existsSync(cj)) continue;
      const c = JSON.parse(readFileSync(cj, 'utf8')) as { trace?: string; options?: Record<string, unknown> };
      const file = c.trace ? join(base, name, c.trace) : '';
      if (!file || !existsSync(file)) continue;
      const settings = Object.fromEntries(Object.entries(c.options ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
      out.push({ name: `${group}/${name}`, file, settings });
    }
  }
  return out;
}

export const HOST_MODES = ['node', 'node-worker', 'deno', 'deno-worker', 'chromium', 'chromium-worker'] as const;
export const ALL_MODES = [...HOST_MODES, 'workerd', 'wasi', 'wasi-deno'] as const;
export type ReplayMode = (typeof ALL_MODES)[number];

/** A mode that cannot run here (missing tool or build); replay skips it and says why. */
export class ModeUnavailable extends Error {}


function setArgs(settings: Settings): string[] {
  return Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

/** A process that exited with a non-zero status: its status and standard error. */
class ExitError extends Error {
  constructor(message: string, readonly code: number | null, readonly stderr: string) {
    super(message);
  }
}

/** Runs a process with FILE on stdin, handing its stdout to `sink` as it comes (rejects on a non-zero exit). */
function runWithStdin(cmd: string, args: string[], file: string, sink: (b: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(file, 'r');
    const p = spawn(cmd, args, { cwd: ROOT, stdio: [fd, 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
    closeSync(fd);
    let err = '';
    p.stdout!.on('data', sink);
    p.stderr!.on('data', (b: Buffer) => { err += b; });
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new ExitError(`${cmd} ${args.join(' ')} ${signal ? `was killed by ${signal}` : `exited ${code}`}: ${err.trim()}`, code, err));
    });
  });
}

/** Runs the WASI command for `args` with FILE on stdin, under Node (`node`) or Deno (`deno`), its stdout to `sink`. */
function wasiTo(file: string, args: string[], host: 'node' | 'deno', sink: (b: Buffer) => void): Promise<void> {
  if (!existsSync(WASI_WASM)) throw new ModeUnavailable(`${WASI_WASM} is missing (npm run build)`);
  if (host === 'node') return runWithStdin(process.execPath, ['--no-warnings', WASI_RUN, ...args], file, sink);
  const deno = join(BIN, 'deno');
  if (!existsSync(deno)) throw new ModeUnavailable('deno is not installed (devDependency "deno")');
  return runWithStdin(deno, ['run', '--quiet', '--no-config', '--no-lock', '--allow-read', WASI_RUN, ...args], file, sink);
}

/** The WASI command's stdout for `args` with FILE on stdin. */
export async function runWasi(file: string, args: string[], host: 'node' | 'deno' = 'node'): Promise<Buffer> {
  const out: Buffer[] = [];
  await wasiTo(file, args, host, (b) => out.push(b));
  return Buffer.concat(out);
}

/**
 * The SHA-256 of that stdout, hashed as it comes: a large capture's output need not fit in memory. A damaged
 * capture (exit 1, "synack: -: byte N: …") ends with a line of its error, as tests/hosts/digest.ts writes it.
 */
async function wasiDigest(file: string, args: string[], host: 'node' | 'deno'): Promise<string> {
  const h = createHash('sha256');
  try {
    await wasiTo(file, args, host, (b) => h.update(b));
  } catch (e) {
    const m = e instanceof ExitError && e.code === 1 ? /^synack: -: (byte \d+: .*)$/m.exec(e.stderr) : null;
    if (!m) throw e;
    h.update(`${JSON.stringify({ capture_error: m[1] })}\n`);
  }
  return h.digest('hex');
}

/**
 * WASI digests of each job: two runs (events, conn.log) per job, each in a process of its own (two at a time).
 * One process running many instances in turn crashed (SIGSEGV) in Node 20's node:wasi after some millions of
 * small reads; a process per run keeps every run independent, at ~0.1 s of start-up each.
 */
async function wasiBatch(jobs: ReplayJob[], host: 'node' | 'deno'): Promise<Digests[]> {
  const runs = jobs.flatMap((j) => {
    const extra = [...setArgs(j.settings), ...(j.chunk ? ['--read-size', String(j.chunk)] : [])];
    return [
      { file: j.file, args: ['events', '--json', ...extra] },
      { file: j.file, args: ['conn', '--json', '--only', ALL_EVENTS, ...extra] },
    ];
  });
  const out: string[] = new Array(runs.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < runs.length; i = next++) out[i] = await wasiDigest(runs[i].file, runs[i].args, host);
  };
  await Promise.all([lane(), lane()]);
  return jobs.map((_, i) => ({ events: out[2 * i], conn: out[2 * i + 1] }));
}

// ---- workerd ---------------------------------------------------------------------------------------------

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running workerd serving examples/edge/config.capnp. */
export interface Workerd { url: string; stop(): Promise<void> }

/** Starts the real workerd (npm package `workerd`) on 127.0.0.1 and a free port; resolves once it answers. */
export async function startWorkerd(): Promise<Workerd> {
  const bin = join(BIN, 'workerd');
  if (!existsSync(bin)) throw new ModeUnavailable('workerd is not installed (devDependency "workerd")');
  if (!existsSync(EDGE_BUNDLE)) throw new ModeUnavailable(`${EDGE_BUNDLE} is missing (npm run build)`);
  const port = await freePort();
  const p: ChildProcess = spawn(bin, ['serve', join(ROOT, 'examples', 'edge', 'config.capnp'), '--socket-addr', `http=127.0.0.1:${port}`], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  p.stderr!.on('data', (b) => { log += b; });
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => { if (p.exitCode === null && p.signalCode === null) { p.kill('SIGTERM'); await exited; } };
  for (let i = 0; i < 200; i++) {
    if (p.exitCode !== null) break;
    try {
      const r = await fetch(url, { method: 'GET' });
      await r.arrayBuffer();
      return { url, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await stop();
  throw new Error(`workerd did not start on ${url}: ${log.trim()}`);
}

/** POSTs FILE to the edge function; the response, checked for HTTP 200. */
async function postTo(
  server: Workerd, file: string, path: '/conn' | '/events', settings: Settings, only?: string, chunk?: number,
): Promise<Response> {
  const q = new URLSearchParams();
  if (only) q.set('only', only);
  if (chunk) q.set('chunk', String(chunk));
  for (const [k, v] of Object.entries(settings)) q.append('set', `${k}=${v}`);
  const body = createReadStream(file) as unknown as ReadableStream<Uint8Array>;
  const r = await fetch(`${server.url}${path}?${q}`, { method: 'POST', body, duplex: 'half' } as RequestInit);
  if (r.status !== 200) throw new Error(`workerd ${path}: HTTP ${r.status}: ${(await r.text()).trim()}`);
  return r;
}

/** POSTs FILE to the edge function; returns the response body. */
export async function postCapture(
  server: Workerd, file: string, path: '/conn' | '/events', settings: Settings, only?: string, chunk?: number,
): Promise<Buffer> {
  return Buffer.from(await (await postTo(server, file, path, settings, only, chunk)).arrayBuffer());
}

/** The SHA-256 of that body, hashed as it arrives. */
async function postDigest(
  server: Workerd, file: string, path: '/conn' | '/events', settings: Settings, only?: string, chunk?: number,
): Promise<string> {
  const h = createHash('sha256');
  const r = await postTo(server, file, path, settings, only, chunk);
  for await (const b of r.body as unknown as AsyncIterable<Uint8Array>) h.update(b);
  return h.digest('hex');
}

async function workerdDigests(server: Workerd, job: ReplayJob): Promise<Digests> {
  const [events, conn] = await Promise.all([
    postDigest(server, job.file, '/events', job.settings, undefined, job.chunk),
    postDigest(server, job.file, '/conn', job.settings, ALL_EVENTS, job.chunk),
  ]);
  return { events, conn };
}

// ---- host modes (tests/hosts/modes.ts) ---------------------------------------------------------------------

type RunBatch = (mode: string, jobs: ReplayJob[]) => Promise<Digests[]>;
let runBatchFn: RunBatch | null | undefined;

async function hostRunner(): Promise<RunBatch | null> {
  if (runBatchFn !== undefined) return runBatchFn;
  const path = join(ROOT, 'tests', 'hosts', 'modes.ts');
  runBatchFn = existsSync(path) ? ((await import(pathToFileURL(path).href)) as { runBatch: RunBatch }).runBatch : null;
  return runBatchFn;
}

/** Context shared by the modes of one replay (a workerd started on first use). */
export class Replay {
  #workerd: Promise<Workerd> | null = null;

  /** The digests of each job in `mode`, in order. */
  async batch(mode: ReplayMode, jobs: ReplayJob[]): Promise<Digests[]> {
    if (mode === 'wasi') return wasiBatch(jobs, 'node');
    if (mode === 'wasi-deno') return wasiBatch(jobs, 'deno');
    if (mode === 'workerd') {
      this.#workerd ??= startWorkerd();
      const server = await this.#workerd;
      const out: Digests[] = [];
      for (const j of jobs) out.push(await workerdDigests(server, j));
      return out;
    }
    const run = await hostRunner();
    if (!run) throw new ModeUnavailable('tests/hosts/modes.ts is not there');
    if (mode.startsWith('deno') && !existsSync(join(BIN, 'deno'))) throw new ModeUnavailable('deno is not installed');
    try {
      return await run(mode, jobs);
    } catch (e) {
      const msg = (e as Error).message;
      if (/unavailable|not installed|cannot find|ENOENT/i.test(msg)) throw new ModeUnavailable(msg.split('\n')[0]);
      throw e;
    }
  }

  /** The digests of FILE in `mode`; `chunkSize` feeds the input in chunks of that size. */
  async digests(mode: ReplayMode, file: string, settings: Settings = {}, chunkSize?: number): Promise<Digests> {
    return (await this.batch(mode, [{ file, settings, chunk: chunkSize }]))[0];
  }

  async close(): Promise<void> {
    if (this.#workerd) await (await this.#workerd.catch(() => null))?.stop();
    this.#workerd = null;
  }
}

export interface ReplayLine { mode: ReplayMode; digests?: Digests; skipped?: string; error?: string }

/** Runs every job through each of `modes` (one batch per mode); result[j][m] is job j in modes[m]. */
export async function replayJobs(jobs: ReplayJob[], modes: readonly ReplayMode[] = ALL_MODES): Promise<ReplayLine[][]> {
  const r = new Replay();
  const out: ReplayLine[][] = jobs.map(() => []);
  try {
    for (const mode of modes) {
      try {
        const d = await r.batch(mode, jobs);
        d.forEach((digests, j) => out[j].push({ mode, digests }));
      } catch (e) {
        const line = e instanceof ModeUnavailable ? { mode, skipped: e.message } : { mode, error: (e as Error).message };
        for (const o of out) o.push(line);
      }
    }
  } finally {
    await r.close();
  }
  return out;
}

/** Runs FILE through `modes`; one result per mode, in order. */
export async function replay(file: string, settings: Settings, modes: readonly ReplayMode[] = ALL_MODES, chunkSize?: number): Promise<ReplayLine[]> {
  return (await replayJobs([{ file, settings, chunk: chunkSize }], modes))[0];
}

/** Whether every mode that ran agrees (and at least one ran, none failed). */
export function agree(lines: ReplayLine[]): boolean {
  const ran = lines.filter((l) => l.digests);
  if (!ran.length || lines.some((l) => l.error)) return false;
  return ran.every((l) => l.digests!.events === ran[0].digests!.events && l.digests!.conn === ran[0].digests!.conn);
}

/** The replay lines of one job as printed: `<mode> <events sha256> <conn sha256>`, or a `# ` comment. */
export function formatLines(lines: ReplayLine[]): string[] {
  return lines.map((l) => l.digests ? `${l.mode} ${l.digests.events} ${l.digests.conn}`
    : l.skipped ? `# ${l.mode} skipped: ${l.skipped}` : `# ${l.mode} FAILED: ${l.error}`);
}

const USAGE = `usage: npm run replay -- FILE... [--set NAME=VALUE]... [--modes ${ALL_MODES.join(',')}] [--chunk BYTES[,BYTES...]]
       npm run replay -- --public [--modes ...] [--chunk ...]
  --chunk   feed the input in pieces of BYTES (0 = whole file, the default); several values replay each
  --public  every public conformance trace with its case.json options, chunked ${CHUNKINGS.join(',')} unless --chunk says`;

function usage(msg: string): never {
  process.stderr.write(`replay: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const files: string[] = [];
  let modes: ReplayMode[] = [...ALL_MODES];
  let chunks: number[] | null = null;
  let pub = false;
  const settings: Settings = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (a.includes('=') && a.startsWith('--') ? a.slice(a.indexOf('=') + 1) : argv[++i] ?? usage(`${a} needs a value`));
    if (a === '--set' || a.startsWith('--set=')) {
      const s = val();
      const eq = s.indexOf('=');
      if (eq <= 0) usage(`--set: expected NAME=VALUE, got "${s}"`);
      settings[s.slice(0, eq).trim()] = s.slice(eq + 1);
    } else if (a === '--modes' || a.startsWith('--modes=')) {
      modes = val().split(',').map((m) => m.trim()) as ReplayMode[];
      for (const m of modes) if (!ALL_MODES.includes(m)) usage(`unknown mode "${m}"`);
    } else if (a === '--chunk' || a.startsWith('--chunk=')) {
      chunks = val().split(',').map(Number);
      if (chunks.some((c) => !Number.isInteger(c) || c < 0)) usage('--chunk: expected whole numbers of bytes (0 = whole file)');
    } else if (a === '--public') pub = true;
    else if (a === '-h' || a === '--help') { console.log(USAGE); return 0; }
    else if (a.startsWith('-')) usage(`unknown argument "${a}"`);
    else files.push(a);
  }
  if (!files.length && !pub) usage('missing FILE (or --public)');
  for (const f of files) if (!existsSync(f)) usage(`${f}: no such file`);
  const traces = [...files.map((file) => ({ name: file, file, settings })), ...(pub ? publicTraces().map((t) => ({ ...t, settings: { ...t.settings, ...settings } })) : [])];
  const sizes = chunks ?? (pub ? [...CHUNKINGS] : [0]);
  const jobs = traces.flatMap((t) => sizes.map((chunk) => ({ name: t.name, file: t.file, settings: t.settings, chunk })));
  const results = await replayJobs(jobs, modes);
  let ok = true;
  results.forEach((lines, j) => {
    if (jobs.length > 1) console.log(`# ${jobs[j].name}${jobs[j].chunk ? ` (chunks of ${jobs[j].chunk} B)` : ''}`);
    for (const l of formatLines(lines)) console.log(l);
    if (!agree(lines)) { ok = false; console.error(`replay: the modes disagree (or one failed) on ${jobs[j].name}${jobs[j].chunk ? ` in chunks of ${jobs[j].chunk} B` : ''}`); }
  });
  // Across chunkings of one trace the digests must be the same too.
  for (let j = 1; j < jobs.length; j++) {
    if (jobs[j].file !== jobs[j - 1].file || jobs[j].name !== jobs[j - 1].name) continue;
    const a = results[j].find((l) => l.digests), b = results[j - 1].find((l) => l.digests);
    if (a && b && (a.digests!.events !== b.digests!.events || a.digests!.conn !== b.digests!.conn)) {
      ok = false;
      console.error(`replay: ${jobs[j].name}: chunks of ${jobs[j].chunk || 'the whole file'} change the output`);
    }
  }
  return ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
