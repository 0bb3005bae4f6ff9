/**
 * The Chromium test page's script (bundled by chromium.ts): fetches a capture from the test server as a Blob and
 * runs it through the browser bundle (dist/browser.mjs, served as /dist/browser.mjs) exactly as a page would.
 */
import type { AnalyzeFn } from '../../bindings/core/api.ts';
import { digestEvents, settingsOptions, sha1Js, type Digests } from './digest.ts';

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
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
  const run = analyze(chunk ? slices(blob, chunk) : blob, { ...settingsOptions(settings), worker });
  const d = await digestEvents(run, sha1Js, sha256);
  return { ...d, mode: run.mode, ms: performance.now() - t0, isolated: crossOriginIsolated };
}

(globalThis as { synackRun?: typeof synackRun }).synackRun = synackRun;
document.title = 'ready';
