/**
 * The outputs every host mode is compared on, computed the same way on Node, Deno and in the browser page: the
 * events as JSON lines (eventJson) and conn.log as JSON lines (ConnLogWriter), both from one run with every event
 * subscribed, each reduced to its SHA-256 hex digest.
 */
import { EVENT_INFO, type EventName, type SynackEvent } from '../../bindings/core/events.generated.ts';
import { parseOptionValue, type AnalyzerOptions } from '../../bindings/core/options.ts';
import { ConnLogWriter } from '../../bindings/logs/conn-log.ts';
import { eventJson, type Sha1 } from '../../bindings/logs/events-json.ts';

/** The two digests (lowercase SHA-256 hex) a mode produces. */
export interface Digests {
  events: string;
  conn: string;
}

/** Text settings (NAME → VALUE, as `--set`) as analyzer options, with every event subscribed. */
export function settingsOptions(settings: Record<string, string>): AnalyzerOptions {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) o[k] = parseOptionValue(k, v);
  return { ...(o as AnalyzerOptions), subscribe: EVENT_INFO.map((e) => e.name as EventName) };
}

/** An incremental SHA-256 of text (UTF-8): node:crypto's createHash, or @noble/hashes in the browser page. */
export interface TextHash {
  update(text: string): void;
  hex(): string;
}

/** Text hashed in pieces of about 1 MiB: the outputs of a large capture need not fit in one string. */
class Pieces {
  #parts: string[] = [];
  #size = 0;
  constructor(private readonly hash: TextHash) {}
  add(text: string): void {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= 1 << 20) this.#flush();
  }
  #flush(): void {
    this.hash.update(this.#parts.join(''));
    this.#parts = [];
    this.#size = 0;
  }
  hex(): string {
    this.#flush();
    return this.hash.hex();
  }
}

/**
 * Consumes a run and digests its events JSON and conn.log JSON. A damaged capture's error is part of both outputs
 * (a last line with its message): a mode must deliver the same events before it, then the same error.
 */
export async function digestEvents(events: AsyncIterable<SynackEvent>, sha1: Sha1, sha256: () => TextHash): Promise<Digests> {
  const ev = new Pieces(sha256());
  const cl = new Pieces(sha256());
  const conn = new ConnLogWriter({ format: 'json' });
  cl.add(conn.header());
  try {
    for await (const e of events) {
      ev.add(eventJson(e, sha1));
      cl.add(conn.event(e));
    }
  } catch (e) {
    // By name: in the browser page the error class is the bundle's, not this module's.
    if ((e as Error).name !== 'SynackCaptureError') throw e;
    const line = `${JSON.stringify({ capture_error: (e as Error).message })}\n`;
    ev.add(line);
    cl.add(line);
    return { events: ev.hex(), conn: cl.hex() };
  }
  cl.add(conn.footer());
  return { events: ev.hex(), conn: cl.hex() };
}

/** node:crypto's SHA-256 as a TextHash (Node and Deno). */
export function nodeSha256(createHash: (alg: string) => { update(t: string): unknown; digest(enc: 'hex'): string }): () => TextHash {
  return () => {
    const h = createHash('sha256');
    return { update: (t) => { h.update(t); }, hex: () => h.digest('hex') };
  };
}

/** `bytes` as consecutive views of `size` bytes: a capture source split as finely as a test wants, no copies. */
export async function* views(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let off = 0; off < bytes.length; off += size) yield bytes.subarray(off, off + size);
}

/** SHA-1 in plain JS (hosts without node:crypto's synchronous hash: the browser page). */
export function sha1Js(bytes: Uint8Array): string {
  const ml = bytes.length, words = new Uint32Array((((ml + 8) >> 6) + 1) * 16);
  for (let i = 0; i < ml; i++) words[i >> 2] |= bytes[i] << (24 - (i & 3) * 8);
  words[ml >> 2] |= 0x80 << (24 - (ml & 3) * 8);
  words[words.length - 1] = ml * 8;
  words[words.length - 2] = Math.floor((ml * 8) / 0x100000000);
  let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);
  for (let b = 0; b < words.length; b += 16) {
    for (let t = 0; t < 16; t++) w[t] = words[b + t];
    for (let t = 16; t < 80; t++) { const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]; w[t] = (x << 1) | (x >>> 31); }
    let a = h0, bb = h1, c = h2, d = h3, e = h4;
    for (let t = 0; t < 80; t++) {
      const f = t < 20 ? (bb & c) | (~bb & d) : t < 40 ? bb ^ c ^ d : t < 60 ? (bb & c) | (bb & d) | (c & d) : bb ^ c ^ d;
      const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]) >>> 0;
      e = d; d = c; c = (bb << 30) | (bb >>> 2); bb = a; a = tmp;
    }
    h0 = (h0 + a) >>> 0; h1 = (h1 + bb) >>> 0; h2 = (h2 + c) >>> 0; h3 = (h3 + d) >>> 0; h4 = (h4 + e) >>> 0;
  }
  return [h0, h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}
