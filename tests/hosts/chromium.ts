/**
 * Headless Chromium for the host tests: Debian's /usr/bin/chromium driven by playwright-core, a test page served
 * from a node:http server on 127.0.0.1 only, with COOP/COEP headers so the page is cross-origin isolated
 * (SharedArrayBuffer, worker mode). Serves /page.html, /page.js (tests/hosts/page.ts bundled), /dist/* and the
 * captures registered per run under /capture/N.
 */
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROOT } from './paths.ts';
import type { Digests } from './digest.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Why Chromium tests cannot run here, or null. */
export function chromiumMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`;
  if (!existsSync(join(ROOT, 'dist', 'browser.mjs'))) return 'dist/browser.mjs is missing (run npm run build)';
  return null;
}

const HTML = '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="/page.js"></script>';

export interface PageResult extends Digests { mode: string; ms: number; isolated: boolean }

/** One browser with the page open; run() analyzes a file in the page. */
export class ChromiumSession {
  private constructor(private server: Server, private context: BrowserContext, private files: string[], private dir: string) {}

  static async open(isolated = true): Promise<ChromiumSession> {
    const pageJs = (await build({
      entryPoints: [join(ROOT, 'tests', 'hosts', 'page.ts')], bundle: true, format: 'esm', platform: 'browser',
      target: 'es2022', write: false, external: ['/dist/browser.mjs'], logLevel: 'warning',
    })).outputFiles[0].text;
    const files: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const headers: Record<string, string> = isolated
        ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
      let body: string | Buffer | null = null, type = 'application/octet-stream';
      if (url.pathname === '/page.html') { body = HTML; type = 'text/html'; }
      else if (url.pathname === '/page.js') { body = pageJs; type = 'text/javascript'; }
      else if (/^\/dist\/[\w.-]+\.mjs$/.test(url.pathname)) { body = readFileSync(join(ROOT, url.pathname)); type = 'text/javascript'; }
      else if (/^\/capture\/\d+$/.test(url.pathname)) {
        // Streamed from disk: the benchmark capture is hundreds of MB.
        const f = files[Number(url.pathname.slice(9))];
        if (f) {
          res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(statSync(f).size), 'Cache-Control': 'no-store' });
          createReadStream(f).pipe(res);
          return;
        }
      }
      if (body === null) { res.writeHead(404).end(); return; }
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'synack-chromium-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM, headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const base = `http://127.0.0.1:${port}`;
    const s = new ChromiumSession(server, context, files, dir);
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(`${base}/page.html`);
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 30_000 });
    return s;
  }

  /** Analyzes `file` in the page (a Blob, or Blob.slice windows of `chunk` bytes). */
  async run(file: string, settings: Record<string, string>, chunk: number | undefined, worker: boolean): Promise<PageResult> {
    this.files.push(file);
    const url = `/capture/${this.files.length - 1}`;
    const page = this.context.pages()[0];
    return page.evaluate(
      ([u, s, c, w]) => (globalThis as unknown as { synackRun(u: string, s: unknown, c: number | null, w: boolean): Promise<PageResult> })
        .synackRun(u, s, c, w),
      [url, settings, chunk ?? null, worker] as const,
    );
  }

  /** conn.log as JSON lines in the page from the capture's response body stream; its size and the time taken. */
  async connLog(file: string, worker: boolean): Promise<{ mode: string; ms: number; lines: number; chars: number }> {
    this.files.push(file);
    const url = `/capture/${this.files.length - 1}`;
    return this.context.pages()[0].evaluate(
      ([u, w]) => (globalThis as unknown as { synackConnLog(u: string, w: boolean): Promise<{ mode: string; ms: number; lines: number; chars: number }> })
        .synackConnLog(u, w),
      [url, worker] as const,
    );
  }

  async close(): Promise<void> {
    await this.context.close();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
