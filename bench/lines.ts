/**
 * `npm run bench:lines -- [FILE] [--reps N] [--top N]`: where the core's instructions go, by source line.
 *
 * Runs the core (the events `synack conn` asks for) over FILE (default real/small) under valgrind's callgrind,
 * which counts every x64 instruction executed, while V8 prints its optimized code for each wasm function with the
 * wasm offset of each stretch (`--print-wasm-code`); the core's source map turns offsets into lines. An instruction
 * counts for the line of the memory access or call before it, so the split is approximate. Needs valgrind
 * (`apt-get install valgrind`); about a minute on real/small.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TraceMap, eachMapping, type SourceMapInput } from '@jridgewell/trace-mapping';
import { EVENTS } from '../schema/events.ts';
import { REAL_SMALL } from './captures.ts';
import { eventIds } from './core.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const ROOT = here('../');
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { reps: { type: 'string', default: '3' }, top: { type: 'string', default: '40' } },
});
const file = positionals[0] ?? REAL_SMALL;
const reps = Number(args.reps);

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('bench:lines needs valgrind (apt-get install valgrind)');
  process.exit(1);
}
mkdirSync(here('./.cache'), { recursive: true });
const wasm = here('./.cache/lines.wasm');
const asc = spawnSync(process.execPath, [
  `${ROOT}node_modules/assemblyscript/bin/asc.js`, 'assembly/index.ts', '--target', 'release', '--debug', '--sourceMap',
  '--outFile', wasm,
], { cwd: ROOT, stdio: 'inherit' });
if (asc.status !== 0) process.exit(1);

// The run under valgrind is plain JS: no TypeScript loader to slow it down. It prints the packet count last. Events as
// `synack conn` asks for them: Zeek's default ones raised (subscribe mode 2), connection_state_remove delivered (1).
const ids = eventIds('conn');
const remove = EVENTS.find((e) => e.name === 'connection_state_remove')!.id;
const driver = `
import { readFileSync, openSync, readSync, closeSync } from 'node:fs';
const mod = new WebAssembly.Module(readFileSync(${JSON.stringify(wasm)}));
let packets = 0;
for (let r = 0; r < ${reps}; r++) {
  const ex = new WebAssembly.Instance(mod, {}).exports;
  for (const id of ${JSON.stringify(EVENTS.map((e) => e.id))}) ex.subscribe(id, id === ${remove} ? 1 : ${JSON.stringify(ids)}.includes(id) ? 2 : 0);
  ex.init();
  const ring = ex.ringPtr();
  const drain = () => { const h = new Uint32Array(ex.memory.buffer, ring, 2); h[1] = h[0]; };
  const fd = openSync(${JSON.stringify(file)}, 'r');
  for (;;) {
    const space = ex.inputSpace();
    const n = readSync(fd, new Uint8Array(ex.memory.buffer, ex.inputWritePtr(), space), 0, space, null);
    if (n === 0) break;
    ex.inputCommit(n);
    for (;;) { const s = ex.run(); drain(); if (s === 0) break; if (s === 3) throw new Error('capture error'); }
  }
  closeSync(fd);
  for (;;) { const s = ex.finish(); drain(); if (s === 2) break; }
  packets += new Float64Array(ex.memory.buffer, ex.statsPtr(), 1)[0];
}
console.log('PACKETS ' + packets);
`;
const cgOut = here('./.cache/lines.callgrind');
const run = spawnSync('valgrind', [
  '--tool=callgrind', '--dump-instr=yes', `--callgrind-out-file=${cgOut}`,
  process.execPath, '--no-liftoff', '--print-wasm-code', '--input-type=module', '-e', driver,
], { encoding: 'utf8', maxBuffer: 1 << 30 });
const printed = run.stdout ?? '';
const pm = /^PACKETS (\d+)/m.exec(printed);
if (run.status !== 0 || !pm) {
  console.error(`the run under valgrind failed (exit ${run.status}): ${(run.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  process.exit(1);
}
const packets = Number(pm[1]);

/** One wasm function as V8 printed it: its code address, instruction addresses and (pc offset → wasm offset) marks. */
interface Fn { name: string; index: number; start: bigint; end: bigint; marks: [number, number][] }
const fns: Fn[] = [];
{
  let cur: Fn | null = null;
  let inMarks = false;
  for (const line of printed.split('\n')) {
    let m: RegExpExecArray | null;
    if (line.startsWith('name: ')) { cur = { name: line.slice(6), index: -1, start: -1n, end: 0n, marks: [] }; fns.push(cur); inMarks = false; continue; }
    if (!cur) continue;
    if (line.startsWith('index: ')) cur.index = Number(line.slice(7));
    else if (line.startsWith('Source positions:')) inMarks = true;
    else if (line.startsWith('--- End code')) cur = null;
    else if (inMarks && (m = /^\s+([0-9a-f]+)\s+(\d+)$/.exec(line))) cur.marks.push([parseInt(m[1], 16), Number(m[2])]);
    else if ((m = /^0x([0-9a-f]+)\s+([0-9a-f]+)\s/.exec(line))) {
      const at = BigInt('0x' + m[1]);
      if (cur.start < 0n) cur.start = at - BigInt('0x' + m[2]);
      if (at + 16n > cur.end) cur.end = at + 16n;
    }
  }
  for (const f of fns) f.marks.sort((a, b) => a[0] - b[0]);
  fns.sort((a, b) => (a.start < b.start ? -1 : 1));
}
function fnAt(at: bigint): Fn | null {
  let lo = 0, hi = fns.length - 1;
  while (lo <= hi) { const k = (lo + hi) >> 1; if (fns[k].start <= at) lo = k + 1; else hi = k - 1; }
  const f = fns[hi];
  return f && at < f.end ? f : null;
}

// Function bodies' offsets in the module (code section; the core imports no functions): V8's marks are relative.
const bytes = readFileSync(wasm);
const bodyAt: number[] = [];
{
  let o = 8;
  const leb = (): number => { let r = 0, sh = 0, b; do { b = bytes[o++]; r |= (b & 127) << sh; sh += 7; } while (b & 128); return r >>> 0; };
  while (o < bytes.length) {
    const id = bytes[o++], size = leb(), end = o + size;
    if (id === 10) for (let n = leb(), i = 0; i < n; i++) { const sz = leb(); bodyAt.push(o); o += sz; }
    o = end;
  }
}

// Source map (wasm: one generated line, whose columns are module offsets). An offset takes the line of the nearest
// mapping at or before it that names a source; asc's sourceRoot (named after the output file) is left out.
const segs: [number, string, number][] = [];
{
  const raw = JSON.parse(readFileSync(wasm + '.map', 'utf8')) as { sourceRoot?: string };
  delete raw.sourceRoot;
  eachMapping(new TraceMap(raw as SourceMapInput), (m) => {
    if (m.source !== null) segs.push([m.generatedColumn, m.source, m.originalLine]);
  });
  segs.sort((a, b) => a[0] - b[0]);
}
function lineOf(offset: number): string {
  let lo = 0, hi = segs.length - 1;
  while (lo <= hi) { const k = (lo + hi) >> 1; if (segs[k][0] <= offset) lo = k + 1; else hi = k - 1; }
  const s = segs[hi];
  return s ? `${s[1]}:${s[2]}` : '?';
}

// Callgrind's per-instruction counts (addresses absolute or relative to the previous line; a call's cost line skipped).
const byLine = new Map<string, number>();
let total = 0;
{
  let at = 0n, skip = false;
  for (const line of readFileSync(cgOut, 'utf8').split('\n')) {
    if (line.startsWith('calls=')) { skip = true; continue; }
    const c = line.charCodeAt(0);
    if (!((c === 48 && line[1] === 'x') || c === 43 || c === 45 || c === 42)) continue;
    const parts = line.split(' ');
    const t = parts[0];
    if (t.startsWith('0x')) at = BigInt(t);
    else if (t[0] === '+') at += BigInt(t.slice(1));
    else if (t[0] === '-') at -= BigInt(t.slice(1));
    if (skip) { skip = false; continue; }
    const f = fnAt(at);
    if (!f) continue;
    const n = Number(parts[parts.length - 1]);
    total += n;
    const pc = Number(at - f.start);
    let mark = -1;
    for (const [o, w] of f.marks) { if (o <= pc) mark = w; else break; }
    const key = mark < 0 ? `${f.name} (entry)` : lineOf(mark + bodyAt[f.index]);
    byLine.set(key, (byLine.get(key) ?? 0) + n);
  }
}

const per = (n: number): string => (n / packets).toFixed(1).padStart(8);
console.log(`${file}: ${packets.toLocaleString()} packets over ${reps} runs; ${(total / packets).toFixed(0)} wasm instructions a packet`);
const byFile = new Map<string, number>();
for (const [k, n] of byLine) { const f = k.replace(/:\d+$/, ''); byFile.set(f, (byFile.get(f) ?? 0) + n); }
console.log('\nby file (instructions a packet):');
for (const [f, n] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(per(n), f);
console.log('\nby line:');
const sources = new Map<string, string[]>();
for (const [k, n] of [...byLine].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top))) {
  const m = /^(.*):(\d+)$/.exec(k);
  let text = '';
  if (m && existsSync(ROOT + m[1])) {
    if (!sources.has(m[1])) sources.set(m[1], readFileSync(ROOT + m[1], 'utf8').split('\n'));
    text = sources.get(m[1])![Number(m[2]) - 1]?.trim().slice(0, 90) ?? '';
  }
  console.log(`${per(n)} ${k.padEnd(42)} ${text}`);
}
