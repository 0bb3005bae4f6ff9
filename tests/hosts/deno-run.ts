/**
 * Runs captures under Deno through bindings/deno.ts (in-thread or worker mode) and prints one JSON line of digests
 * per job. `deno run --allow-read tests/hosts/deno-run.ts JOBS.json worker|in-thread`, JOBS.json being an array of
 * {file, settings, chunk} (chunk 0: the file path itself, read by the entry; ≥ 4 KiB: fileChunks of that size;
 * smaller: views of the file's bytes, as a reader of tiny reads would deliver them).
 */
import { createHash } from 'node:crypto';
import { analyze, fileChunks } from '../../bindings/deno.ts';
import { digestEvents, nodeSha256, settingsOptions, views } from './digest.ts';

declare const Deno: { args: string[]; readTextFile(p: string): Promise<string>; readFile(p: string): Promise<Uint8Array> };
const [jobsPath, mode] = Deno.args;
const jobs = JSON.parse(await Deno.readTextFile(jobsPath)) as { file: string; settings: Record<string, string>; chunk: number }[];
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const sha256 = nodeSha256(createHash);
for (const { file, settings, chunk } of jobs) {
  const source = !chunk ? file : chunk >= 4096 ? fileChunks(file, chunk) : views(await Deno.readFile(file), chunk);
  const run = analyze(source, { ...settingsOptions(settings), worker: mode === 'worker' });
  if (run.mode !== (mode === 'worker' ? 'worker' : 'in-thread')) throw new Error(`ran ${run.mode}, asked for ${mode}`);
  console.log(JSON.stringify(await digestEvents(run, sha1, sha256)));
}
