/** The determinism matrix (matrix.ts) in modes chromium, chromium-worker: every public trace and chunking identical to Node's output. */
import { test } from 'node:test';
import { checkDamaged, checkMatrix } from './matrix.ts';

test('replay matrix: chromium, chromium-worker agree with node on every public trace and chunking', { timeout: 1_500_000 }, (t) => checkMatrix(t, ['chromium', 'chromium-worker'], []));

test('damaged captures: chromium, chromium-worker deliver what node does before the damage, then the same error', { timeout: 600_000 }, (t) => checkDamaged(t, ['chromium', 'chromium-worker']));
