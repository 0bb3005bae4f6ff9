/**
 * `synack conn|events FILE`: runs the analysis, writes conn.log or events to stdout, progress on stderr while it
 * is a terminal. Exit 0 on success, 1 on unreadable input, 2 on usage errors, 3 on internal errors.
 */
import { statSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs, UsageError, type Command } from './cli-args.ts';
import { SynackCaptureError, SynackError, SynackInternalError, SynackOptionError } from './core/errors.ts';
import type { SynackEvent } from './core/events.generated.ts';
import { eventJson } from './logs/events-json.ts';
import { eventText } from './logs/events-text.ts';
import { analyzeWithProgress, connLogWithProgress, nodeSha1 } from './node.ts';

/** Buffered stdout that honours backpressure. */
class Output {
  #parts: string[] = [];
  #size = 0;
  async write(s: string): Promise<void> {
    this.#parts.push(s);
    this.#size += s.length;
    if (this.#size >= 1 << 16) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.#parts.length) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  }
}

function mib(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

/** A progress reporter on stderr (only when it is a TTY). */
function progress(total: number | undefined): { tick: (n: number) => void; done: () => void } {
  if (!process.stderr.isTTY) return { tick: () => {}, done: () => {} };
  let last = 0;
  return {
    tick(n) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const pct = total ? ` of ${mib(total)} (${Math.floor((100 * n) / total)}%)` : '';
      process.stderr.write(`\rsynack: ${mib(n)}${pct}\x1b[K`);
    },
    done() {
      if (last) process.stderr.write('\r\x1b[K');
    },
  };
}

async function run(c: Command): Promise<void> {
  let size: number | undefined;
  if (c.file !== '-') {
    const st = statSync(c.file, { throwIfNoEntry: false });
    if (!st) throw new InputError(`${c.file}: no such file`);
    if (st.isDirectory()) throw new InputError(`${c.file}: is a directory`);
    size = st.size;
  }
  const source = c.file === '-' ? (process.stdin as AsyncIterable<Uint8Array>) : c.file;
  const out = new Output();
  const p = progress(size);
  try {
    if (c.command === 'conn') {
      const format = c.format === 'json' ? 'json' : 'tsv';
      for await (const text of connLogWithProgress(source, { ...c.options, format }, p.tick)) await out.write(text);
    } else {
      const render = c.format === 'json' ? (e: SynackEvent) => eventJson(e, nodeSha1) : eventText;
      for await (const batch of analyzeWithProgress(source, c.options, p.tick).batches()) {
        let text = '';
        for (const e of batch) text += render(e);
        await out.write(text);
      }
    }
  } finally {
    p.done();
    await out.flush();
  }
}

/** Bad input other than capture errors (missing file). */
class InputError extends Error {}

/** Runs the CLI; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof SynackOptionError) {
      process.stderr.write(`synack: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (cmd.command === 'help') {
    process.stdout.write(cmd.help!);
    return 0;
  }
  try {
    await run(cmd);
    return 0;
  } catch (e) {
    const msg = (m: string) => process.stderr.write(`synack: ${m}\n`);
    if (e instanceof SynackOptionError) { msg(e.message); return 2; }
    if (e instanceof SynackCaptureError) { msg(`${cmd.file}: ${e.message}`); return 1; }
    if (e instanceof InputError) { msg(e.message); return 1; }
    if (e instanceof SynackInternalError) { msg(`internal error: ${e.message}`); return 3; }
    if (e instanceof SynackError) { msg(e.message); return 1; }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EPIPE') return 0;
    if (err.code) { msg(`${cmd.file}: ${err.message}`); return 1; }
    msg(`internal error: ${err.stack ?? err}`);
    return 3;
  }
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
