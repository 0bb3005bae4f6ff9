/**
 * `npm run replay -- FILE [--set NAME=VALUE …] [--modes a,b,…] [--chunk BYTES]`: runs FILE through every host
 * mode and prints one line per mode, `<mode> <sha256 of events JSON> <sha256 of conn.log JSON>`; exits 1 unless
 * every mode that ran printed the same two digests (2 on usage errors). A mode that is not available here is
 * skipped with a `# <mode> skipped: <why>` line.
 *
 * Digests (tests/hosts/digest.ts): events = the `synack events --json` lines, conn = the `synack conn --json`
 * lines. Modes: node, node-worker, deno, deno-worker, chromium, chromium-worker (tests/hosts/modes.ts runMode),
 * workerd (examples/edge on a local workerd), wasi (build/synack-wasi.wasm under Node's node:wasi) and wasi-deno
 * (the same under Deno's node:wasi).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, openSync, closeSync } from 'node:fs';
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

export const HOST_MODES = ['node', 'node-worker', 'deno', 'deno-worker', 'chromium', 'chromium-worker'] as const;
export const ALL_MODES = [...HOST_MODES, 'workerd', 'wasi', 'wasi-deno'] as const;
export type ReplayMode = (typeof ALL_MODES)[number];

/** A mode that cannot run here (missing tool or build); replay skips it and says why. */
export class ModeUnavailable extends Error {}

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

function setArgs(settings: Settings): string[] {
  return Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

/** Runs a process with FILE on stdin; resolves with its stdout bytes (rejects on a non-zero exit). */
function runWithStdin(cmd: string, args: string[], file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const fd = openSync(file, 'r');
    const p = spawn(cmd, args, { cwd: ROOT, stdio: [fd, 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
    closeSync(fd);
    const out: Buffer[] = [];
    let err = '';
    p.stdout!.on('data', (b: Buffer) => out.push(b));
    p.stderr!.on('data', (b: Buffer) => { err += b; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
  });
}

/** The WASI command's stdout for `args` with FILE on stdin, under Node (`node`) or Deno (`deno`). */
export function runWasi(file: string, args: string[], host: 'node' | 'deno' = 'node'): Promise<Buffer> {
  if (!existsSync(WASI_WASM)) throw new ModeUnavailable(`${WASI_WASM} is missing (npm run build)`);
  if (host === 'node') return runWithStdin(process.execPath, ['--no-warnings', WASI_RUN, ...args], file);
  const deno = join(BIN, 'deno');
  if (!existsSync(deno)) throw new ModeUnavailable('deno is not installed (devDependency "deno")');
  return runWithStdin(deno, ['run', '--quiet', '--no-config', '--no-lock', '--allow-read', WASI_RUN, ...args], file);
}

async function wasiDigests(file: string, settings: Settings, host: 'node' | 'deno'): Promise<Digests> {
  const [events, conn] = await Promise.all([
    runWasi(file, ['events', '--json', ...setArgs(settings)], host),
    runWasi(file, ['conn', '--json', '--only', ALL_EVENTS, ...setArgs(settings)], host),
  ]);
  return { events: sha256(events), conn: sha256(conn) };
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

/** POSTs FILE to the edge function; returns the response body. */
export async function postCapture(
  server: Workerd, file: string, path: '/conn' | '/events', settings: Settings, only?: string,
): Promise<Buffer> {
  const q = new URLSearchParams();
  if (only) q.set('only', only);
  for (const [k, v] of Object.entries(settings)) q.append('set', `${k}=${v}`);
  const body = createReadStream(file) as unknown as ReadableStream<Uint8Array>;
  const r = await fetch(`${server.url}${path}?${q}`, { method: 'POST', body, duplex: 'half' } as RequestInit);
  const bytes = Buffer.from(await r.arrayBuffer());
  if (r.status !== 200) throw new Error(`workerd ${path}: HTTP ${r.status}: ${bytes.toString('utf8').trim()}`);
  return bytes;
}

async function workerdDigests(server: Workerd, file: string, settings: Settings): Promise<Digests> {
  const [events, conn] = await Promise.all([
    postCapture(server, file, '/events', settings), postCapture(server, file, '/conn', settings, ALL_EVENTS),
  ]);
  return { events: sha256(events), conn: sha256(conn) };
}

// ---- host modes (tests/hosts/modes.ts) ---------------------------------------------------------------------

type RunMode = (mode: string, file: string, settings: Settings, chunkSize?: number) => Promise<Digests>;
let runModeFn: RunMode | null | undefined;

async function hostRunner(): Promise<RunMode | null> {
  if (runModeFn !== undefined) return runModeFn;
  const path = join(ROOT, 'tests', 'hosts', 'modes.ts');
  runModeFn = existsSync(path) ? ((await import(pathToFileURL(path).href)) as { runMode: RunMode }).runMode : null;
  return runModeFn;
}

/** Context shared by the modes of one replay (a workerd started on first use). */
export class Replay {
  #workerd: Promise<Workerd> | null = null;

  /** The digests of FILE in `mode`; `chunkSize` (host modes only) feeds the input in chunks of that size. */
  async digests(mode: ReplayMode, file: string, settings: Settings = {}, chunkSize?: number): Promise<Digests> {
    if (mode === 'wasi') return wasiDigests(file, settings, 'node');
    if (mode === 'wasi-deno') return wasiDigests(file, settings, 'deno');
    if (mode === 'workerd') {
      this.#workerd ??= startWorkerd();
      return workerdDigests(await this.#workerd, file, settings);
    }
    const run = await hostRunner();
    if (!run) throw new ModeUnavailable('tests/hosts/modes.ts is not there yet');
    if (mode.startsWith('deno') && !existsSync(join(BIN, 'deno'))) throw new ModeUnavailable('deno is not installed');
    try {
      return await run(mode, file, settings, chunkSize);
    } catch (e) {
      const msg = (e as Error).message;
      if (/unavailable|not installed|cannot find|ENOENT/i.test(msg)) throw new ModeUnavailable(msg.split('\n')[0]);
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.#workerd) await (await this.#workerd.catch(() => null))?.stop();
    this.#workerd = null;
  }
}

export interface ReplayLine { mode: ReplayMode; digests?: Digests; skipped?: string; error?: string }

/** Runs FILE through `modes`; one result per mode, in order. */
export async function replay(file: string, settings: Settings, modes: readonly ReplayMode[] = ALL_MODES, chunkSize?: number): Promise<ReplayLine[]> {
  const r = new Replay();
  const out: ReplayLine[] = [];
  try {
    for (const mode of modes) {
      try {
        out.push({ mode, digests: await r.digests(mode, file, settings, chunkSize) });
      } catch (e) {
        if (e instanceof ModeUnavailable) out.push({ mode, skipped: e.message });
        else out.push({ mode, error: (e as Error).message });
      }
    }
  } finally {
    await r.close();
  }
  return out;
}

/** Whether every mode that ran agrees (and at least one ran, none failed). */
export function agree(lines: ReplayLine[]): boolean {
  const ran = lines.filter((l) => l.digests);
  if (!ran.length || lines.some((l) => l.error)) return false;
  return ran.every((l) => l.digests!.events === ran[0].digests!.events && l.digests!.conn === ran[0].digests!.conn);
}

function usage(msg: string): never {
  process.stderr.write(`replay: ${msg}\nusage: npm run replay -- FILE [--set NAME=VALUE]... [--modes ${ALL_MODES.join(',')}] [--chunk BYTES]\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  let file = '';
  let modes: ReplayMode[] = [...ALL_MODES];
  let chunk: number | undefined;
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
      chunk = Number(val());
      if (!Number.isInteger(chunk) || chunk < 1) usage('--chunk: expected a positive whole number');
    } else if (a.startsWith('-')) usage(`unknown argument "${a}"`);
    else if (file) usage(`unexpected argument "${a}"`);
    else file = a;
  }
  if (!file) usage('missing FILE');
  if (!existsSync(file)) usage(`${file}: no such file`);
  const lines = await replay(file, settings, modes, chunk);
  for (const l of lines) {
    if (l.digests) console.log(`${l.mode} ${l.digests.events} ${l.digests.conn}`);
    else if (l.skipped) console.log(`# ${l.mode} skipped: ${l.skipped}`);
    else console.log(`# ${l.mode} FAILED: ${l.error}`);
  }
  const ok = agree(lines);
  if (!ok) console.error('replay: the modes disagree (or one failed)');
  return ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
