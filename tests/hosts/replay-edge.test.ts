/** The determinism matrix (matrix.ts) in modes workerd, wasi: every public trace and chunking identical to Node's output. */
import { test } from 'node:test';
import { checkMatrix } from './matrix.ts';

test('replay matrix: workerd, wasi agree with node on every public trace and chunking', { timeout: 1_500_000 }, (t) => checkMatrix(t, ['workerd', 'wasi']));
