/**
 * The C header parser of bench/reference.c, for scale: compiled with the system C compiler (`cc -O2`) into
 * bench/.cache/ under a hash of its source, when there is a compiler. Nothing else in synack needs one.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './captures.ts';

const SOURCE = fileURLToPath(new URL('./reference.c', import.meta.url));

/** The compiled reference, or why there is none. */
export function referenceBinary(): { path: string } | { missing: string } {
  const hash = createHash('sha1').update(readFileSync(SOURCE)).digest('hex').slice(0, 8);
  const path = `${cacheDir()}reference-${hash}`;
  if (existsSync(path)) return { path };
  const r = spawnSync('cc', ['-O2', '-o', path, SOURCE], { encoding: 'utf8' });
  if (r.error) return { missing: 'no C compiler (cc) on this machine' };
  if (r.status !== 0) return { missing: `cc failed: ${(r.stderr ?? '').trim().split('\n')[0]}` };
  return { path };
}

/** Wall seconds of `reps` runs on `file` (process start to exit, as the CLI is timed), sorted; or why it failed. */
export function timeReference(binary: string, file: string, reps: number): { seconds: number[]; packets: number } | { failed: string } {
  const seconds: number[] = [];
  let packets = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = spawnSync(binary, [file], { encoding: 'utf8' });
    seconds.push((performance.now() - t0) / 1000);
    if (r.status !== 0) return { failed: (r.stderr ?? '').trim() || `exit ${r.status}` };
    packets = Number(r.stdout.trim().split(' ')[0]);
  }
  return { seconds: seconds.sort((a, b) => a - b), packets };
}
