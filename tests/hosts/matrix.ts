/**
 * The determinism matrix (issue: byte-identical results on every host): every public conformance trace, with its
 * case options, in every chunking (whole file, 64 KiB, 7 B, 1 B), through the replay modes of one test file, each
 * compared with Node in-thread on the whole file. The replay-*.test.ts files split the modes so they run in parallel.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { CHUNKINGS, publicTraces, Replay, ModeUnavailable, type Digests, type ReplayJob, type ReplayMode } from '../../scripts/replay.ts';

interface MatrixJob extends ReplayJob { name: string }

export function matrixJobs(): MatrixJob[] {
  return publicTraces().flatMap((t) => CHUNKINGS.map((chunk) => ({ name: t.name, file: t.file, settings: t.settings, chunk })));
}

const label = (j: MatrixJob) => `${j.name}${j.chunk ? ` in ${j.chunk}-byte chunks` : ''}`;

/**
 * Runs the matrix in `modes` and asserts every run equals the reference; prints one count line per mode. `required`
 * modes must run (the others may be skipped where their tool is missing, outside CI).
 */
export async function checkMatrix(t: TestContext, modes: ReplayMode[], required: ReplayMode[] = modes): Promise<void> {
  const jobs = matrixJobs();
  assert.ok(jobs.length >= 4 * 60, `expected the public traces, found ${jobs.length / 4}`);
  const replay = new Replay();
  try {
    const whole = jobs.filter((j) => !j.chunk);
    const reference = new Map<string, Digests>();
    (await replay.batch('node', whole)).forEach((d, i) => reference.set(whole[i].name, d));
    for (const mode of modes) {
      const t0 = Date.now();
      let got: Digests[];
      try {
        got = await replay.batch(mode, jobs);
      } catch (e) {
        if (e instanceof ModeUnavailable && !required.includes(mode) && !process.env.CI) {
          t.diagnostic(`replay matrix ${mode}: skipped (${e.message})`);
          continue;
        }
        throw e;
      }
      const bad = jobs.filter((j, i) => got[i].events !== reference.get(j.name)!.events || got[i].conn !== reference.get(j.name)!.conn);
      const line = `replay matrix ${mode}: ${jobs.length - bad.length}/${jobs.length} runs identical to node ` +
        `(${whole.length} traces × chunkings ${CHUNKINGS.map((c) => c || 'whole').join('/')}) in ${((Date.now() - t0) / 1000).toFixed(0)} s`;
      t.diagnostic(line);
      console.log(line);
      assert.deepEqual(bad.map(label), [], `${mode} differs from node (whole file) on these runs`);
    }
  } finally {
    await replay.close();
  }
}
