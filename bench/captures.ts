/**
 * The benchmark's generated captures, cached in bench/.cache/ under a hash of the generator's sources so a change
 * to the generator makes new ones. Shared by bench/run.ts and bench/hosts.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replicate, type Replicated } from './replicate.ts';
import { writeScan, type Scan } from './scan.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** Default size of the benchmark capture, in packets. */
export const DEFAULT_PACKETS = 2_000_000;

/** Real Linux TCP traffic with loss and reordering (the conformance corpus's `real/small`). */
export const REAL_SMALL = '/work/shared/conformance/real/small/small.pcap';

const genVersion = createHash('sha1')
  .update(['gen.ts', 'pcap-writer.ts', 'rng.ts'].map((f) => readFileSync(here(`./${f}`), 'utf8')).join('\0'))
  .digest('hex').slice(0, 8);

/** bench/.cache/, made when missing. */
export function cacheDir(): string {
  const dir = here('./.cache/');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Where the generated capture of `packets` packets and `seed` lives (it may not exist yet). */
export function capturePath(packets: number, seed: number): string {
  const dir = cacheDir();
  return `${dir}gen-${packets}-s${seed}-${genVersion}.pcap`;
}

/** The path, and whether the capture is already there. */
export function cachedCapture(packets: number, seed: number): { path: string; cached: boolean } {
  const path = capturePath(packets, seed);
  return { path, cached: existsSync(path) };
}

const replicateVersion = createHash('sha1').update(readFileSync(here('./replicate.ts'))).digest('hex').slice(0, 8);

/**
 * `copies` staggered, renumbered copies of the real capture `src` (bench/replicate.ts), cached; `made` is set
 * when it was written now.
 */
export function replicatedCapture(src: string, copies: number): { path: string; made?: Replicated } {
  const name = src.replace(/^.*\//, '').replace(/\.pcap$/, '');
  return cachedFile(`${cacheDir()}${name}-x${copies}-${replicateVersion}.pcap`, (part) => replicate(src, part, copies));
}

/** `path` when it exists, else what `write` reports after writing it (to a .part file, renamed when complete). */
function cachedFile<T>(path: string, write: (part: string) => T): { path: string; made?: T } {
  if (existsSync(path)) return { path };
  const made = write(`${path}.part`);
  renameSync(`${path}.part`, path);
  return { path, made };
}

const scanVersion = createHash('sha1')
  .update(['scan.ts', 'pcap-writer.ts'].map((f) => readFileSync(here(`./${f}`), 'utf8')).join('\0'))
  .digest('hex').slice(0, 8);

/** A SYN scan of `packets` packets (bench/scan.ts), cached; `made` is set when it was written now. */
export function scanCapture(packets: number): { path: string; made?: Scan } {
  return cachedFile(`${cacheDir()}scan-${packets}-${scanVersion}.pcap`, (part) => writeScan(part, packets));
}
