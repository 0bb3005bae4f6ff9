/** Paths the host tests share. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = join(ROOT, '..', 'shared', 'conformance');
/** deno from the npm package `deno` (devDependency). */
export const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
