/**
 * Sample edge function: POST a pcap or pcapng capture as the request body and get conn.log back as JSON lines
 * (`/events`: the events as events.jsonl lines instead). Query: `set=NAME=VALUE` (repeatable, as the CLI's --set),
 * `format=tsv` for Zeek's TSV conn.log, `chunk=BYTES` to feed the core at most BYTES at a time (the output must not
 * change: `npm run replay` checks that). The body is streamed through the core; the response streams as well.
 *
 *   curl --data-binary @trace.pcap 'http://127.0.0.1:8787/conn?set=tcp_inactivity_timeout_s=60'
 *
 * Status: 200, 400 bad settings or no body, 405 not POST, 422 a capture rejected before the first output, 500
 * internal error. A capture found damaged further in ends a 200 body with a last line naming the damage, after the
 * lines made before it: `{"capture_error":"byte N: …"}` in JSON lines, `#capture_error<TAB>byte N: …` in place of
 * TSV's #close line.
 */
import { createHash } from 'node:crypto';
import {
  connLog, eventsJson, parseSetting, resolveOptions, SynackCaptureError, SynackOptionError, type AnalyzerOptions,
} from '../../bindings/workerd.ts';

const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

function text(status: number, body: string): Response {
  return new Response(body + '\n', { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * A streamed response from text chunks; the first chunk is awaited so early errors still get a status. A capture
 * found damaged once output has begun ends the body with `errorLine` of its message, after the text made before it
 * (as the CLI writes that text, then the error): an aborted body would lose that text, since workerd drops what a
 * stream still holds when it errors. Other errors abort the body.
 */
async function stream(
  lines: AsyncIterable<string>, type: string, errorLine: (message: string) => string, rest: ReadableStream<Uint8Array>,
): Promise<Response> {
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) { if (!first.done) c.enqueue(enc.encode(first.value)); },
    async pull(c) {
      // Batch small lines into ~64 KiB writes.
      let buf = '';
      for (;;) {
        let r: IteratorResult<string>;
        try {
          r = await it.next();
        } catch (e) {
          if (!(e instanceof SynackCaptureError)) throw e;
          // The analysis stopped reading at the damage. The rest of the request is read (and dropped) before the
          // response ends: a client still sending it would otherwise see the connection close under it (EPIPE).
          await discard(rest).catch(() => {});
          c.enqueue(enc.encode(buf + errorLine(e.message)));
          c.close();
          return;
        }
        if (r.done) { if (buf) c.enqueue(enc.encode(buf)); c.close(); return; }
        buf += r.value;
        if (buf.length >= 1 << 16) { c.enqueue(enc.encode(buf)); return; }
      }
    },
    async cancel() { await it.return?.(); },
  });
  return new Response(first.done ? '' : body, { headers: { 'content-type': type } });
}

/** Reads what is left of `body` and drops it. */
async function discard(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  try {
    while (!(await reader.read()).done);
  } finally {
    reader.releaseLock();
  }
}

/** The last line of a JSON-lines body whose capture turned out damaged. */
const jsonError = (message: string): string => `${JSON.stringify({ capture_error: message })}\n`;

/** The body re-split into pieces of at most `size` bytes (views, no copies). */
async function* pieces(body: ReadableStream<Uint8Array>, size: number): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (let off = 0; off < value.length; off += size) yield value.subarray(off, off + size);
    }
  } finally {
    reader.releaseLock();
  }
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== 'POST') return text(405, 'POST a pcap or pcapng capture to /conn or /events');
    if (!request.body) return text(400, 'empty body: POST the capture bytes');
    try {
      const options: Record<string, unknown> = {};
      for (const s of url.searchParams.getAll('set')) {
        const [name, value] = parseSetting(s);
        options[name] = value;
      }
      const only = url.searchParams.get('only');
      if (only) options.subscribe = only.split(',').filter((n) => n.length > 0);
      resolveOptions(options as AnalyzerOptions);
      const chunk = Number(url.searchParams.get('chunk') ?? 0);
      if (!Number.isInteger(chunk) || chunk < 0) return text(400, 'chunk: expected a whole number of bytes');
      const input = chunk > 0 ? pieces(request.body, chunk) : request.body;
      const body = request.body;
      if (url.pathname === '/events') return await stream(eventsJson(input, sha1, options as AnalyzerOptions), 'application/x-ndjson', jsonError, body);
      const format = url.searchParams.get('format') === 'tsv' ? 'tsv' : 'json';
      return await stream(connLog(input, { ...(options as AnalyzerOptions), format }),
        format === 'json' ? 'application/x-ndjson' : 'text/tab-separated-values',
        format === 'json' ? jsonError : (message) => `#capture_error\t${message}\n`, body);
    } catch (e) {
      if (e instanceof SynackOptionError) return text(400, e.message);
      if (e instanceof SynackCaptureError) {
        await discard(request.body).catch(() => {});
        return text(422, e.message);
      }
      return text(500, `internal error: ${(e as Error).message}`);
    }
  },
};
