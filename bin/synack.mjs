#!/usr/bin/env node
// Runs the bundled CLI (dist/cli.mjs) when it exists, else the TypeScript source through tsx.
// SYNACK_FROM_SOURCE=1 forces the source (tests use it so they check the current tree).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli.mjs', import.meta.url);
if (existsSync(dist) && !process.env.SYNACK_FROM_SOURCE) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../bindings/cli.ts', import.meta.url).href);
}
