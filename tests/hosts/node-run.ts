/**
 * Runs captures under Node through bindings/node.ts (in-thread or worker mode) and prints one JSON line of digests
 * per job: `node --import tsx tests/hosts/node-run.ts JOBS.json worker|in-thread` (JOBS.json as for deno-run.ts).
 * A process of its own, like the other hosts: inside node:test every await is tracked for the test's async
 * context, which made runs of millions of 1-byte chunks several times slower than the same runs anywhere else.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { analyze } from '../../bindings/node.ts';
import { digestEvents, nodeSha256, settingsOptions, views } from './digest.ts';

const [jobsPath, mode] = process.argv.slice(2);
const jobs = JSON.parse(readFileSync(jobsPath, 'utf8')) as { file: string; settings: Record<string, string>; chunk: number }[];
const worker = mode === 'worker';
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const sha256 = nodeSha256(createHash);
for (const { file, settings, chunk } of jobs) {
  const source = !chunk ? file
    : chunk >= 4096 ? (createReadStream(file, { highWaterMark: chunk }) as AsyncIterable<Uint8Array>)
      : views(readFileSync(file), chunk);
  const run = analyze(source, { ...settingsOptions(settings), worker });
  if (run.mode !== (worker ? 'worker' : 'in-thread')) throw new Error(`node ran ${run.mode}, asked for ${mode}`);
  process.stdout.write(JSON.stringify(await digestEvents(run, sha1, sha256)) + '\n');
}
