/**
 * `npm test`: the whole suite, in the order a failure is cheapest to read: stale generated files, the build,
 * the type check, the core's as-pect unit tests, then every node:test file (bindings, scenarios, hostile
 * input, conformance, hosts). Prints one plain closing line: "tests: N passed, M failed".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
let passed = 0;
let failed = 0;

function run(name: string, args: string[], parse?: (out: string) => [number, number]): void {
  const t0 = Date.now();
  const r = spawnSync(node, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  process.stdout.write(out.endsWith('\n') || out === '' ? out : out + '\n');
  // A step without its own counts is one test; a step that fails without counting a failure counts one.
  const [p, f] = parse ? parse(out) : [r.status === 0 ? 1 : 0, 0];
  passed += p;
  failed += f + (r.status !== 0 && f === 0 ? 1 : 0);
  console.log(`== ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** node:test's closing summary ("ℹ pass N" / "ℹ fail N"). */
function nodeTestCounts(out: string): [number, number] {
  const p = /^(?:ℹ|#) pass (\d+)/m.exec(out), f = /^(?:ℹ|#) fail (\d+)/m.exec(out);
  return [p ? +p[1] : 0, f ? +f[1] : 0];
}

/** as-pect's plain line from scripts/aspect.mjs. */
function aspectCounts(out: string): [number, number] {
  const m = /as-pect: (\d+) passed, (\d+) failed/.exec(out);
  return m ? [+m[1], +m[2]] : [0, 1];
}

function testFiles(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f));
}

run('generated files are current', ['--import', 'tsx', 'schema/generate.ts', '--check']);
run('build', ['--import', 'tsx', 'scripts/build.ts']);
run('type check', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.']);
run('core unit tests (as-pect)', ['scripts/aspect.mjs'], aspectCounts);
const files = ['tests/bindings', 'tests/scenarios', 'tests/hostile', 'tests/renderers', 'tests/conformance', 'tests/hosts']
  .flatMap(testFiles);
run('node:test suites', ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], nodeTestCounts);

console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
