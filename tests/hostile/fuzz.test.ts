/**
 * Deterministic mutation fuzzing of real captures: bit flips, byte insertions and deletions, truncation and
 * "interesting" 32-bit values aimed at record headers and protocol headers. Every mutant must end in Done or a
 * capture Error — never a trap, a hang or unbounded memory. Failing mutants are written to the temp directory
 * so they can be replayed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CASES, MiB, analyze, describe, type RunOptions } from './fixtures.ts';

/** SYNACK_FUZZ_SEED and SYNACK_FUZZ_SCALE (a multiplier of the mutant counts) allow longer sessions. */
const SEED = Number(process.env.SYNACK_FUZZ_SEED ?? 20240601);
const SCALE = Number(process.env.SYNACK_FUZZ_SCALE ?? 1);

/** SYNACK_FUZZ_FILES (comma-separated paths, 60 mutants each) replaces the default targets. */
const TARGETS: { file: string; mutants: number; prefix?: number }[] = process.env.SYNACK_FUZZ_FILES
  ? process.env.SYNACK_FUZZ_FILES.split(',').map((file) => ({ file, mutants: 60, prefix: 1 << 20 }))
  : [
      { file: `${CASES}/tcp-options/options.pcap`, mutants: 90 },
      { file: `${CASES}/http-concurrent-ranges/concurrent-range-requests.pcap`, mutants: 90 },
      { file: `${CASES}/ssh-basic/ssh.pcap`, mutants: 90, prefix: 256 * 1024 },
      { file: `${CASES}/inactivity-timeout-split/retransmit-timeout.pcapng`, mutants: 30 },
    ];

/** Seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 0x40000, 0x100001, 12, 28, 32];

/** Offsets of the record (pcap) or packet block (pcapng) headers of an intact capture, and where packets start in them. */
function frames(b: Uint8Array): { heads: number[]; data: number; end: number } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ng = dv.getUint32(0, true) === 0x0a0d0d0a;
  const heads: number[] = [];
  let o = ng ? 0 : 24;
  while (o + 16 <= b.length) {
    const len = ng ? dv.getUint32(o + 4, true) : 16 + dv.getUint32(o + 8, true);
    if (len < 12 || o + len > b.length) break;
    if (!ng || dv.getUint32(o, true) === 6) heads.push(o);
    o += len;
  }
  return { heads, data: ng ? 28 : 16, end: o };
}

interface Mutant { bytes: Uint8Array; what: string }

/** Mutates a copy of `src`; `heads` are its record/block offsets and `data` the offset of a packet in one. */
function mutate(src: Uint8Array, heads: number[], data: number, rnd: () => number): Mutant {
  const int = (n: number): number => Math.floor(rnd() * n);
  const b = new Uint8Array(src);
  const dv = new DataView(b.buffer);
  const head = (): number => heads[int(heads.length)];
  // A byte among the link, IP and TCP headers of some packet: framing stays intact.
  const inPacket = (): number => Math.min(b.length - 1, head() + data + int(80));
  const anywhere = (): number => int(b.length);
  switch (int(8)) {
    case 0:
    case 1: {
      const n = 1 + int(8), where: number[] = [];
      for (let i = 0; i < n; i++) { const p = inPacket(); b[p] ^= 1 << int(8); where.push(p); }
      return { bytes: b, what: `flip bits at ${where.join(',')}` };
    }
    case 2: {
      const n = 1 + int(4), where: string[] = [];
      for (let i = 0; i < n; i++) {
        const p = inPacket(), v = rnd() < 0.5 ? INTERESTING[int(INTERESTING.length)] & 0xffff : int(65536);
        if (p + 2 <= b.length) dv.setUint16(p, v);
        where.push(`${v}@${p}`);
      }
      return { bytes: b, what: `u16 ${where.join(',')}` };
    }
    case 3: {
      // A length field of the capture format (pcap caplen/wirelen, pcapng block length/caplen) or any 4 bytes.
      const p = rnd() < 0.7 ? head() + [4, 8, 12, 20][int(4)] : anywhere(), v = INTERESTING[int(INTERESTING.length)];
      if (p + 4 <= b.length) dv.setUint32(p, v, true);
      return { bytes: b, what: `u32 ${v} at ${p}` };
    }
    case 4: {
      const p = anywhere(), n = 1 + int(32);
      const out = new Uint8Array(b.length + n);
      out.set(b.subarray(0, p));
      out.set(new Uint8Array(n).map(() => int(256)), p);
      out.set(b.subarray(p), p + n);
      return { bytes: out, what: `insert ${n} bytes at ${p}` };
    }
    case 5: {
      const p = anywhere(), n = Math.min(1 + int(64), b.length - p);
      const out = new Uint8Array(b.length - n);
      out.set(b.subarray(0, p));
      out.set(b.subarray(p + n), p);
      return { bytes: out, what: `delete ${n} bytes at ${p}` };
    }
    case 6: {
      const p = anywhere();
      return { bytes: b.subarray(0, p), what: `truncate at ${p}` };
    }
    default: {
      // Random timestamps: time going backwards, far forwards, negative.
      const n = 1 + int(8), where: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = head() + (data === 16 ? 0 : 12);
        for (let j = 0; j < 8 && p + j < b.length; j++) b[p + j] = int(256);
        where.push(p);
      }
      return { bytes: b, what: `random timestamps at ${where.join(',')}` };
    }
  }
}

const RICH: RunOptions = {
  events: 'all',
  options: {
    tcp_content_deliver_all_orig: 1, tcp_content_deliver_all_resp: 1, tcpstats_enabled: 1, tcp_max_old_segments: 50,
    connection_status_update_interval_s: 1,
  },
};

for (const [ti, t] of TARGETS.entries()) {
  const name = t.file.replace(/.*\//, '');
  const mutants = Math.max(1, Math.round(t.mutants * SCALE));
  test(`mutation fuzz: ${mutants} mutants of ${name}`, { timeout: 300_000 }, async () => {
    // A plain copy: Buffer#slice would return views, and mutations would pile up in the original.
    const file = readFileSync(t.file);
    const whole = frames(file.subarray(0, t.prefix ?? file.length));
    const original = new Uint8Array(file.subarray(0, whole.end));
    const { heads, data } = whole;
    assert.ok(heads.length > 0);
    const rnd = prng(SEED + ti * 7919);
    const outcomes = new Map<string, number>();
    const failures: string[] = [];
    for (let k = 0; k < mutants; k++) {
      const m = mutate(original, heads, data, rnd);
      const opts: RunOptions = { ...(k % 2 ? RICH : {}), timeLimitMs: 5000, memoryLimit: 256 * MiB };
      const r = await analyze(m.bytes, opts);
      const key = r.status === 'Error' ? `Error ${r.errorName}` : r.status;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      const ok = (r.status === 'Done' || r.status === 'Error') &&
        (r.status !== 'Error' || (r.errorCode >= 1 && r.errorCode <= 15 && r.errorOffset <= m.bytes.length));
      if (!ok) {
        const path = join(tmpdir(), `synack-fuzz-${name}-${k}${name.slice(name.lastIndexOf('.'))}`);
        writeFileSync(path, m.bytes);
        failures.push(`mutant ${k} (${m.what}, ${k % 2 ? 'all events' : 'default events'}) saved as ${path}: ${describe(r)}`);
      }
    }
    console.log(`${name}: ${[...outcomes].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    assert.deepEqual(failures, [], failures.join('\n'));
  });
}
