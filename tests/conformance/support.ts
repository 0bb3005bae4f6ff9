/**
 * Shared parts of the conformance runners: locating ../shared/conformance, listing cases, running the synack CLI
 * and the corpus comparers, and the known-mismatches rule (a mismatch fails its case unless listed with a reason;
 * a listed case that matches is reported as fixed).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = join(ROOT, '..', 'shared', 'conformance');
export const WASM = join(ROOT, 'build', 'synack.wasm');
export const TMP = mkdtempSync(join(tmpdir(), 'synack-conformance-'));

export interface Case {
  name: string;
  dir: string;
  trace: string;
  options: Record<string, unknown>;
  eventsOmitted: string[];
}

/** Cases (cases/* and real/*) that have the given expected file. */
export function listCases(expected: string): Case[] {
  const out: Case[] = [];
  for (const group of ['cases', 'real']) {
    const base = join(SHARED, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name);
      if (!existsSync(join(dir, expected)) || !existsSync(join(dir, 'case.json'))) continue;
      const cj = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
      out.push({ name, dir, trace: join(dir, cj.trace), options: cj.options ?? {}, eventsOmitted: cj.events_omitted ?? [] });
    }
  }
  return out;
}

/** case.json options as `--set NAME=VALUE` arguments (lists as comma lists). */
export function setArgs(options: Record<string, unknown>): string[] {
  const args: string[] = [];
  for (const [k, v] of Object.entries(options)) args.push('--set', `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  return args;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; stdout goes to `outFile` when given. */
export function exec(cmd: string, args: string[], outFile?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, SYNACK_FROM_SOURCE: process.env.SYNACK_FROM_SOURCE ?? '1' };
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', async (code) => {
      const stdout = Buffer.concat(out);
      if (outFile) (await import('node:fs')).writeFileSync(outFile, stdout);
      resolve({ code: code ?? -1, stdout: outFile ? '' : stdout.toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** Runs `synack ARGS`, its stdout into `outFile`. */
export function synack(args: string[], outFile: string): Promise<Run> {
  return exec(process.execPath, [join(ROOT, 'bin', 'synack.mjs'), ...args], outFile);
}

/** Runs a comparer script of the corpus. */
export function compare(script: string, args: string[]): Promise<Run> {
  return exec(process.execPath, [join(SHARED, script), ...args]);
}

/** "N/M <what> match" from a comparer's output, or null. */
export function matchCount(text: string, what: string): [number, number] | null {
  const m = new RegExp(`(\\d+)/(\\d+) ${what} match`).exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Known mismatches by suite and case name, with reasons. */
export function knownMismatches(suite: 'conn' | 'events'): Record<string, string> {
  const file = join(ROOT, 'tests', 'conformance', 'known-mismatches.json');
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8'))[suite] ?? {};
}

/** Maps `fn` over `items` with limited parallelism, keeping order. */
export async function pool<T, R>(items: T[], fn: (x: T) => Promise<R>, limit = availableParallelism()): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The verdict of one case under the known-mismatches rule. */
export function verdict(matches: boolean, known: string | undefined): { fail: boolean; note: string } {
  if (matches && known !== undefined) return { fail: false, note: 'fixed — remove from known-mismatches' };
  if (matches) return { fail: false, note: 'ok' };
  if (known !== undefined) return { fail: false, note: `known: ${known}` };
  return { fail: true, note: 'MISMATCH' };
}

export const pct = (n: number, m: number) => (m ? ((100 * n) / m).toFixed(1) : '100.0');
