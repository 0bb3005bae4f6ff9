/**
 * One runner per host mode, all returning the same digests (digest.ts) so they can be compared byte for byte:
 * Node in-thread and worker (one `node` process running node-run.ts per batch), Deno in-thread and worker (one
 * `deno run` of deno-run.ts per batch, Deno from the npm package), Chromium in-thread and worker (one browser per
 * batch, chromium.ts).
 * `npm run replay` imports runBatch; keep it stable.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromiumSession, chromiumMissing } from './chromium.ts';
import type { Digests } from './digest.ts';
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

/** Runs `script` (node-run.ts or deno-run.ts) over `jobs` in a process of its own; one digest line per job. */
function runScript(cmd: string, args: string[], jobs: Job[]): Promise<Digests[]> {
  const dir = mkdtempSync(join(tmpdir(), 'synack-jobs-'));
  const path = join(dir, 'jobs.json');
  writeFileSync(path, JSON.stringify(jobs.map((j) => ({ file: j.file, settings: j.settings, chunk: j.chunk ?? 0 }))));
  return new Promise<Digests[]>((resolve, reject) => {
    const p = spawn(cmd, [...args.slice(0, -1), path, args[args.length - 1]], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    let out = '', err = '';
    p.stdout.on('data', (b) => { out += b; });
    p.stderr.on('data', (b) => { err += b; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${err.trim()}`));
      else resolve(out.trim().split('\n').map((l) => JSON.parse(l) as Digests));
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function runNode(jobs: Job[], worker: boolean): Promise<Digests[]> {
  return runScript(process.execPath, ['--import', 'tsx', join(ROOT, 'tests', 'hosts', 'node-run.ts'), worker ? 'worker' : 'in-thread'], jobs);
}

function runDeno(jobs: Job[], worker: boolean): Promise<Digests[]> {
  return runScript(DENO, ['run', '--quiet', '--no-config', '--no-lock', '--allow-read', '--allow-env', join(ROOT, 'tests', 'hosts', 'deno-run.ts'),
    worker ? 'worker' : 'in-thread'], jobs);
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
  if (mode.startsWith('node')) return runNode(jobs, worker);
  if (mode.startsWith('deno')) return runDeno(jobs, worker);
  if (mode.startsWith('chromium')) return runChromium(jobs, worker);
  throw new Error(`unknown mode ${mode}`);
}

/** One analysis in `mode`: the SHA-256 hex digests of its events JSON lines and conn.log JSON lines. */
export async function runMode(mode: Mode, file: string, settings: Record<string, string>, chunk?: number): Promise<Digests> {
  return (await runBatch(mode, [{ file, settings, chunk }]))[0];
}
