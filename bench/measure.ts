/**
 * One measurement in its own process, so that its peak RSS (process.resourceUsage().maxRSS) is its own:
 *   node --import tsx bench/measure.ts '<json task>'   → one JSON line on stdout.
 * Tasks: {kind:'core', file, events, minSeconds, minReps} | {kind:'baseline', file, minSeconds, minReps}
 *      | {kind:'gen', packets, path, seed} | {kind:'pair', file, events: [a, b], rounds} (a and b alternate).
 * Repeated tasks run once untimed first (JIT warm-up), then until both minReps and minSeconds are reached.
 */
import { trivialRead } from './baseline.ts';
import { loadModule, runCore, type CoreRun, type EventSet } from './core.ts';
import { generate } from './gen.ts';

export type Task =
  | { kind: 'core'; file: string; events: EventSet; minSeconds: number; minReps: number; warmup: boolean }
  | { kind: 'baseline'; file: string; minSeconds: number; minReps: number; warmup: boolean }
  | { kind: 'gen'; packets: number; path: string; seed: number }
  | { kind: 'pair'; file: string; events: [EventSet, EventSet]; rounds: number };

export interface Measurement {
  kind: Task['kind'];
  /** Seconds of each timed repetition. */
  times: number[];
  bytes: number;
  packets: number;
  maxRssBytes: number;
  core?: Omit<CoreRun, 'seconds'>;
  /** kind 'pair': seconds of each event set, round by round (the two alternate, so both see the same load). */
  pair?: [number[], number[]];
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
  if (task.kind === 'pair') {
    const pair: [number[], number[]] = [[], []];
    let last: CoreRun | null = null;
    for (let r = -1; r < task.rounds; r++) {
      for (let i = 0; i < 2; i++) {
        last = runCore(module, task.file, task.events[i]);
        if (r >= 0) pair[i].push(last.seconds); // round -1 warms up
      }
    }
    return { kind: 'pair', times: pair[1], bytes: last!.bytes, packets: last!.stats.packets, maxRssBytes: rss(), pair };
  }
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
