/** The determinism matrix (matrix.ts) in modes workerd, wasi: every public trace and chunking identical to Node's output. */
import { test } from 'node:test';
import { checkDamaged, checkMatrix } from './matrix.ts';

test('replay matrix: workerd, wasi agree with node on every public trace and chunking', { timeout: 1_500_000 }, (t) => checkMatrix(t, ['workerd', 'wasi']));

test('damaged captures: workerd, wasi deliver what node does before the damage, then the same error', { timeout: 600_000 }, (t) => checkDamaged(t, ['workerd', 'wasi']));
