/**
 * The determinism matrix (issue: byte-identical results on every host): every public conformance trace, with its
 * case options, in every chunking (whole file, 64 KiB, 7 B, 1 B), through the replay modes of one test file, each
 * compared with Node in-thread on the whole file. The replay-*.test.ts files split the modes so they run in parallel.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CHUNKINGS, publicTraces, Replay, ModeUnavailable, type Digests, type ReplayJob, type ReplayMode } from '../../scripts/replay.ts';
import { analyze } from '../../bindings/node.ts';
import { SynackCaptureError } from '../../bindings/core/errors.ts';
import { SHARED } from './paths.ts';

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

/** Byte offsets of the records (pcap) or blocks (pcapng) of a little-endian capture, after its file header. */
function units(b: Uint8Array): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pcapng = dv.getUint32(0, true) === 0x0a0d0d0a;
  assert.ok(pcapng ? dv.getUint32(8, true) === 0x1a2b3c4d : dv.getUint32(0, true) === 0xa1b2c3d4, 'a little-endian capture');
  const out: number[] = [];
  for (let at = pcapng ? 0 : 24; at < b.length; at += pcapng ? dv.getUint32(at + 4, true) : 16 + dv.getUint32(at + 8, true)) out.push(at);
  return out;
}

/**
 * Damaged captures made from two public traces, each damaged halfway: cut off inside a record; a record whose
 * captured length is absurd; a pcapng cut inside a block; a pcapng block whose length is not a multiple of 4.
 */
export function damagedCaptures(dir: string): { name: string; file: string }[] {
  const cases = join(SHARED, 'cases');
  const pcap = readFileSync(join(cases, 'ssh-basic', 'ssh.pcap'));
  const ng = readFileSync(join(cases, 'irc-dcc-send', 'irc-dcc-send.pcapng'));
  const mid = (b: Uint8Array) => { const u = units(b); return u[u.length >> 1]; };
  // A copy (a Buffer's slice() would share the bytes).
  const edited = (b: Uint8Array, at: number, v: number) => { const c = new Uint8Array(b); new DataView(c.buffer).setUint32(at, v, true); return c; };
  const made = [
    { name: 'pcap cut inside a record', bytes: pcap.subarray(0, mid(pcap) + 30) },
    { name: 'pcap record of absurd length', bytes: edited(pcap, mid(pcap) + 8, 0x7fffffff) },
    { name: 'pcapng cut inside a block', bytes: ng.subarray(0, mid(ng) + 21) },
    { name: 'pcapng block length not a multiple of 4', bytes: edited(ng, mid(ng) + 4, 30) },
  ];
  return made.map(({ name, bytes }, i) => {
    const file = join(dir, `damaged-${i}.${name.startsWith('pcapng') ? 'pcapng' : 'pcap'}`);
    writeFileSync(file, bytes);
    return { name, file };
  });
}

/**
 * Damaged captures in `modes`, whole and in chunks of 64 KiB and 7 bytes: every mode delivers what Node in-thread
 * delivers for the whole file, the same events and conn.log up to the damage and then the same error.
 */
export async function checkDamaged(t: TestContext, modes: ReplayMode[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'synack-damaged-'));
  const replay = new Replay();
  try {
    const captures = damagedCaptures(dir);
    // Each one really is damaged past some analysis: events, then a capture error.
    for (const c of captures) {
      let n = 0;
      await assert.rejects(async () => { for await (const _ of analyze(c.file, { deliver: ['connection_state_remove'] })) n++; }, SynackCaptureError, c.name);
      assert.ok(n > 0, `${c.name}: connections before the damage`);
    }
    const jobs = captures.flatMap((c) => [0, 64 << 10, 7].map((chunk) => ({ ...c, settings: {}, chunk })));
    const reference = await replay.batch('node', captures.map((c) => ({ file: c.file, settings: {}, chunk: 0 })));
    for (const mode of modes) {
      let got: Digests[];
      try {
        got = await replay.batch(mode, jobs);
      } catch (e) {
        if (e instanceof ModeUnavailable && !process.env.CI) { t.diagnostic(`damaged captures ${mode}: skipped (${e.message})`); continue; }
        throw e;
      }
      const bad = jobs.filter((j, i) => {
        const want = reference[captures.findIndex((c) => c.file === j.file)];
        return got[i].events !== want.events || got[i].conn !== want.conn;
      });
      const line = `damaged captures ${mode}: ${jobs.length - bad.length}/${jobs.length} runs identical to node`;
      t.diagnostic(line);
      console.log(line);
      assert.deepEqual(bad.map((j) => `${j.name}${j.chunk ? ` in ${j.chunk}-byte chunks` : ''}`), [], `${mode} differs from node (whole file)`);
    }
  } finally {
    await replay.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
