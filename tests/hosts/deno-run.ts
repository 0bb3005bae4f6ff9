/**
 * Runs one capture under Deno through bindings/deno.ts (in-thread or worker mode) and prints its digests as JSON.
 * `deno run --allow-read tests/hosts/deno-run.ts FILE SETTINGS_JSON CHUNK_BYTES|- worker|in-thread`.
 */
import { createHash } from 'node:crypto';
import { analyze, fileChunks } from '../../bindings/deno.ts';
import { digestEvents, settingsOptions } from './digest.ts';

declare const Deno: { args: string[] };
const [file, settings, chunk, mode] = Deno.args;
const options = { ...settingsOptions(JSON.parse(settings)), worker: mode === 'worker' };
const run = analyze(chunk === '-' ? file : fileChunks(file, Number(chunk)), options);
if (run.mode !== (mode === 'worker' ? 'worker' : 'in-thread')) throw new Error(`ran ${run.mode}, asked for ${mode}`);
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const sha256 = async (t: string) => createHash('sha256').update(t).digest('hex');
console.log(JSON.stringify(await digestEvents(run, sha1, sha256)));
