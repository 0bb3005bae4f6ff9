/**
 * The Chromium test page's script (bundled by chromium.ts): fetches a capture from the test server as a Blob and
 * runs it through the browser bundle (dist/browser.mjs, served as /dist/browser.mjs) exactly as a page would:
 * the Blob itself, or chunks of a given size.
 */
import type { AnalyzeFn, ConnLogFn } from '../../bindings/core/api.ts';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { digestEvents, settingsOptions, sha1Js, views, type Digests, type TextHash } from './digest.ts';

const utf8 = new TextEncoder();

/** SHA-256 as it goes (WebCrypto hashes one buffer only, and a large capture's outputs do not fit one string). */
function sha256(): TextHash {
  const h = nobleSha256.create();
  return { update: (t) => { h.update(utf8.encode(t)); }, hex: () => bytesToHex(h.digest()) };
}

/** Blob.slice windows of `size` bytes (the chunk size under test). */
async function* slices(blob: Blob, size: number): AsyncIterable<Uint8Array> {
  for (let off = 0; off < blob.size; off += size) yield new Uint8Array(await blob.slice(off, off + size).arrayBuffer());
}

interface PageRun extends Digests { mode: string; ms: number; isolated: boolean }

async function synackRun(url: string, settings: Record<string, string>, chunk: number | null, worker: boolean): Promise<PageRun> {
  const { analyze } = (await import('/dist/browser.mjs' as string)) as { analyze: AnalyzeFn };
  const blob = await (await fetch(url)).blob();
  const t0 = performance.now();
  // Chunks of 4 KiB and more are Blob reads; smaller ones are views of the bytes (a Blob read each would be slow).
  const source = !chunk ? blob : chunk >= 4096 ? slices(blob, chunk) : views(new Uint8Array(await blob.arrayBuffer()), chunk);
  const run = analyze(source, { ...settingsOptions(settings), worker });
  const d = await digestEvents(run, sha1Js, sha256);
  return { ...d, mode: run.mode, ms: performance.now() - t0, isolated: crossOriginIsolated };
}

/** conn.log (JSON lines) of the capture at `url`, read as the response body stream; for bench/hosts.ts. */
async function synackConnLog(url: string, worker: boolean): Promise<{ mode: string; ms: number; lines: number; chars: number }> {
  const { connLog, analyze } = (await import('/dist/browser.mjs' as string)) as { connLog: ConnLogFn; analyze: AnalyzeFn };
  const mode = analyze(new Uint8Array(0), { worker }).mode;
  const t0 = performance.now();
  const body = (await fetch(url)).body!;
  let lines = 0, chars = 0;
  for await (const text of connLog(body, { format: 'json', worker })) {
    chars += text.length;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  }
  return { mode, ms: performance.now() - t0, lines, chars };
}

(globalThis as { synackRun?: typeof synackRun }).synackRun = synackRun;
(globalThis as { synackConnLog?: typeof synackConnLog }).synackConnLog = synackConnLog;
document.title = 'ready';
