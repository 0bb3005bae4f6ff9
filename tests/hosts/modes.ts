/**
 * One runner per host mode, all returning the same digests (digest.ts) so they can be compared byte for byte:
 * Node in-thread and worker (this process), Deno in-thread and worker (`deno run` of deno-run.ts, Deno from the
 * npm package), Chromium in-thread and worker (chromium.ts). `npm run replay` imports runMode; keep it stable.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../bindings/node.ts';
import { ChromiumSession, chromiumMissing } from './chromium.ts';
import { digestEvents, settingsOptions, type Digests } from './digest.ts';
import { DENO, ROOT } from './paths.ts';

export type Mode = 'node' | 'node-worker' | 'deno' | 'deno-worker' | 'chromium' | 'chromium-worker';
export const MODES: readonly Mode[] = ['node', 'node-worker', 'deno', 'deno-worker', 'chromium', 'chromium-worker'];
export { chromiumMissing };

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const sha256 = async (t: string) => createHash('sha256').update(t).digest('hex');

async function runNode(file: string, settings: Record<string, string>, chunk: number | undefined, worker: boolean): Promise<Digests> {
  const source = chunk ? (createReadStream(file, { highWaterMark: chunk }) as AsyncIterable<Uint8Array>) : file;
  const run = analyze(source, { ...settingsOptions(settings), worker });
  if (run.mode !== (worker ? 'worker' : 'in-thread')) throw new Error(`node ran ${run.mode}`);
  return digestEvents(run, sha1, sha256);
}

function runDeno(file: string, settings: Record<string, string>, chunk: number | undefined, worker: boolean): Promise<Digests> {
  const args = ['run', '--quiet', '--no-config', '--no-lock', '--allow-read', '--allow-env', join(ROOT, 'tests', 'hosts', 'deno-run.ts'),
    file, JSON.stringify(settings), chunk ? String(chunk) : '-', worker ? 'worker' : 'in-thread'];
  return new Promise((resolve, reject) => {
    const p = spawn(DENO, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
    let out = '', err = '';
    p.stdout.on('data', (b) => { out += b; });
    p.stderr.on('data', (b) => { err += b; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`deno exited ${code}: ${err.trim()}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as Digests);
    });
  });
}

async function runChromium(file: string, settings: Record<string, string>, chunk: number | undefined, worker: boolean): Promise<Digests> {
  const missing = chromiumMissing();
  if (missing) throw new Error(`chromium mode unavailable: ${missing}`);
  const s = await ChromiumSession.open();
  try {
    const r = await s.run(file, settings, chunk, worker);
    if (r.mode !== (worker ? 'worker' : 'in-thread')) throw new Error(`chromium ran ${r.mode} (isolated: ${r.isolated})`);
    return { events: r.events, conn: r.conn };
  } finally {
    await s.close();
  }
}

/**
 * Analyzes `file` in `mode` with `settings` (NAME → VALUE as for `--set`), every event subscribed; `chunkSize`
 * feeds the input in chunks of that many bytes (default: the host's own file reading). Returns the SHA-256 hex
 * digests of the events JSON lines and of the conn.log JSON lines.
 */
export async function runMode(
  mode: Mode, file: string, settings: Record<string, string>, chunkSize?: number,
): Promise<{ events: string; conn: string }> {
  const worker = mode.endsWith('-worker');
  if (mode.startsWith('node')) return runNode(file, settings, chunkSize, worker);
  if (mode.startsWith('deno')) return runDeno(file, settings, chunkSize, worker);
  if (mode.startsWith('chromium')) return runChromium(file, settings, chunkSize, worker);
  throw new Error(`unknown mode ${mode}`);
}
