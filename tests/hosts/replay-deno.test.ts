/** The determinism matrix (matrix.ts) in modes deno, deno-worker, wasi-deno: every public trace and chunking identical to Node's output. */
import { test } from 'node:test';
import { checkDamaged, checkMatrix } from './matrix.ts';

test('replay matrix: deno, deno-worker, wasi-deno agree with node on every public trace and chunking', { timeout: 1_500_000 }, (t) => checkMatrix(t, ['deno', 'deno-worker', 'wasi-deno']));

test('damaged captures: deno, deno-worker, wasi-deno deliver what node does before the damage, then the same error', { timeout: 600_000 }, (t) => checkDamaged(t, ['deno', 'deno-worker', 'wasi-deno']));
