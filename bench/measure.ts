/**
 * One measurement in its own process, so that its peak RSS (process.resourceUsage().maxRSS) is its own:
 *   node --import tsx bench/measure.ts '<json task>'   → one JSON line on stdout.
 * Tasks: {kind:'core', file, events, minSeconds, minReps} | {kind:'baseline', file, minSeconds, minReps}
 *      | {kind:'gen', packets, path, seed}.
 * Repeated tasks run once untimed first (JIT warm-up), then until both minReps and minSeconds are reached.
 */
import { trivialRead } from './baseline.ts';
import { loadModule, runCore, type CoreRun, type EventSet } from './core.ts';
import { generate } from './gen.ts';

export type Task =
  | { kind: 'core'; file: string; events: EventSet; minSeconds: number; minReps: number; warmup: boolean }
  | { kind: 'baseline'; file: string; minSeconds: number; minReps: number; warmup: boolean }
  | { kind: 'gen'; packets: number; path: string; seed: number };

export interface Measurement {
  kind: Task['kind'];
  /** Seconds of each timed repetition. */
  times: number[];
  bytes: number;
  packets: number;
  maxRssBytes: number;
  core?: Omit<CoreRun, 'seconds'>;
  gen?: ReturnType<typeof generate>;
}

function repeat<T extends { seconds: number }>(fn: () => T, t: { minSeconds: number; minReps: number; warmup: boolean }): { times: number[]; last: T } {
  let last = fn();
  const times: number[] = t.warmup ? [] : [last.seconds];
  let total = t.warmup ? 0 : last.seconds;
  while (times.length < t.minReps || total < t.minSeconds) {
    last = fn();
    times.push(last.seconds);
    total += last.seconds;
  }
  return { times, last };
}

function measure(task: Task): Measurement {
  if (task.kind === 'gen') {
    const g = generate({ packets: task.packets, path: task.path, seed: task.seed });
    return { kind: 'gen', times: [g.wallMs / 1000], bytes: g.bytes, packets: g.packets, maxRssBytes: rss(), gen: g };
  }
  if (task.kind === 'baseline') {
    const { times, last } = repeat(() => trivialRead(task.file), task);
    return { kind: 'baseline', times, bytes: last.bytes, packets: last.packets, maxRssBytes: rss() };
  }
  const module = loadModule();
  const { times, last } = repeat(() => runCore(module, task.file, task.events), task);
  const core = { bytes: last.bytes, stats: last.stats, wasmAfterInit: last.wasmAfterInit, wasmEnd: last.wasmEnd, ringBytes: last.ringBytes };
  return { kind: 'core', times, bytes: last.bytes, packets: last.stats.packets, maxRssBytes: rss(), core };
}

function rss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

const arg = process.argv[2];
if (arg && process.argv[1]?.endsWith('measure.ts')) {
  process.stdout.write(JSON.stringify(measure(JSON.parse(arg) as Task)) + '\n');
}
