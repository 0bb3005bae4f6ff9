#!/usr/bin/env node
// Runs the as-pect unit tests (tests/unit/**/*.spec.ts) and ends with one plain line:
// `as-pect: N passed, M failed`. The exit code is as-pect's.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const asp = join(root, "node_modules/@as-pect/cli/bin/asp.js");
const run = spawnSync(
  process.execPath,
  [asp, "--no-logo", "--config", "as-pect.config.js", "--as-config", "tests/unit/fixtures/as-pect.asconfig.json", ...process.argv.slice(2)],
  { cwd: root, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" }, maxBuffer: 64 << 20 },
);
const out = (run.stdout ?? "") + (run.stderr ?? "");
process.stdout.write(out);
const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
const m = /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/.exec(plain);
const status = run.status ?? 1;
if (m) {
  const passed = Number(m[1]);
  console.log(`as-pect: ${passed} passed, ${Number(m[2]) - passed} failed`);
} else {
  // No summary: compilation or instantiation failed before any test ran.
  console.log(`as-pect: 0 passed, 1 failed`);
}
process.exit(m ? status : status || 1);
