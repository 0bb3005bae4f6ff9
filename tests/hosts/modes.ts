/**
 * One runner per host mode, all returning the same digests (digest.ts) so they can be compared byte for byte:
 * Node in-thread and worker (this process), Deno in-thread and worker (one `deno run` of deno-run.ts per batch,
 * Deno from the npm package), Chromium in-thread and worker (one browser per batch, chromium.ts).
 * `npm run replay` imports runBatch; keep it stable.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../bindings/node.ts';
import { ChromiumSession, chromiumMissing } from './chromium.ts';
import { digestEvents, settingsOptions, views, type Digests } from './digest.ts';
import { DENO, ROOT } from './paths.ts';

export type Mode = 'node' | 'node-worker' | 'deno' | 'deno-worker' | 'chromium' | 'chromium-worker';
export const MODES: readonly Mode[] = ['node', 'node-worker', 'deno', 'deno-worker', 'chromium', 'chromium-worker'];
export { chromiumMissing };

/**
 * One analysis: `file` with `settings` (NAME → VALUE as for `--set`), every event subscribed. `chunk`: 0 or
 * absent feeds the file the host's own way (path, Blob); otherwise chunks of that many bytes (4 KiB and more read
 * as such from the file; smaller ones as views of its bytes).
 */
export interface Job { file: string; settings: Record<string, string>; chunk?: number }

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const sha256 = async (t: string) => createHash('sha256').update(t).digest('hex');

async function runNode(job: Job, worker: boolean): Promise<Digests> {
  const { file, chunk } = job;
  const source = !chunk ? file
    : chunk >= 4096 ? (createReadStream(file, { highWaterMark: chunk }) as AsyncIterable<Uint8Array>)
      : views(readFileSync(file), chunk);
  const run = analyze(source, { ...settingsOptions(job.settings), worker });
  if (run.mode !== (worker ? 'worker' : 'in-thread')) throw new Error(`node ran ${run.mode}`);
  return digestEvents(run, sha1, sha256);
}

function runDeno(jobs: Job[], worker: boolean): Promise<Digests[]> {
  const dir = mkdtempSync(join(tmpdir(), 'synack-deno-'));
  const path = join(dir, 'jobs.json');
  writeFileSync(path, JSON.stringify(jobs.map((j) => ({ file: j.file, settings: j.settings, chunk: j.chunk ?? 0 }))));
  const args = ['run', '--quiet', '--no-config', '--no-lock', '--allow-read', '--allow-env', join(ROOT, 'tests', 'hosts', 'deno-run.ts'),
    path, worker ? 'worker' : 'in-thread'];
  return new Promise<Digests[]>((resolve, reject) => {
    const p = spawn(DENO, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
    let out = '', err = '';
    p.stdout.on('data', (b) => { out += b; });
    p.stderr.on('data', (b) => { err += b; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`deno exited ${code}: ${err.trim()}`));
      else resolve(out.trim().split('\n').map((l) => JSON.parse(l) as Digests));
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function runChromium(jobs: Job[], worker: boolean): Promise<Digests[]> {
  const missing = chromiumMissing();
  if (missing) throw new Error(`chromium mode unavailable: ${missing}`);
  const s = await ChromiumSession.open();
  try {
    const out: Digests[] = [];
    for (const j of jobs) {
      const r = await s.run(j.file, j.settings, j.chunk || undefined, worker);
      if (r.mode !== (worker ? 'worker' : 'in-thread')) throw new Error(`chromium ran ${r.mode} (isolated: ${r.isolated})`);
      out.push({ events: r.events, conn: r.conn });
    }
    return out;
  } finally {
    await s.close();
  }
}

/** Runs `jobs` in `mode` (one process or browser for all of them); their digests, in order. */
export async function runBatch(mode: Mode, jobs: Job[]): Promise<Digests[]> {
  const worker = mode.endsWith('-worker');
  if (mode.startsWith('node')) {
    const out: Digests[] = [];
    for (const j of jobs) out.push(await runNode(j, worker));
    return out;
  }
  if (mode.startsWith('deno')) return runDeno(jobs, worker);
  if (mode.startsWith('chromium')) return runChromium(jobs, worker);
  throw new Error(`unknown mode ${mode}`);
}

/** One analysis in `mode`: the SHA-256 hex digests of its events JSON lines and conn.log JSON lines. */
export async function runMode(mode: Mode, file: string, settings: Record<string, string>, chunk?: number): Promise<Digests> {
  return (await runBatch(mode, [{ file, settings, chunk }]))[0];
}
