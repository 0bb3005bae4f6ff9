/** ByteText: log text assembled as bytes (bindings/logs/byte-text.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteText } from '../../bindings/logs/byte-text.ts';

test('integers in decimal equal String() across every digit count and the 2^31 and 2^53 edges', () => {
  const b = new ByteText();
  const values = [0, 1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 - 2, 1e15 - 1, 1e15];
  for (let p = 1; p < 2 ** 53; p *= 10) values.push(p - 1, p, p + 1);
  for (let i = 0, x = 12345; i < 2000; i++) { x = (x * 48271) % 2147483647; values.push(x * (i % 7 === 0 ? 4096 : 1)); }
  for (const v of values) { b.uint(v); b.byte(32); }
  assert.equal(b.take(), values.map((v) => `${v} `).join(''));
  b.padded(42, 6); b.padded(0, 6); b.padded(999999, 6);
  assert.equal(b.take(), '000042000000999999');
});

test('writes past the buffer grow it; text is UTF-8; take() starts over', () => {
  const b = new ByteText();
  const n = b.u8.length + 10;
  for (let i = 0; i < n; i++) b.byte(97 + (i % 26));
  b.ascii('|tcp|');
  b.text('é€𝄞');
  const s = b.take();
  assert.equal(s.length, n + 5 + 4);
  assert.equal(s.slice(0, 26), 'abcdefghijklmnopqrstuvwxyz');
  assert.equal(s.charCodeAt(n - 1), 97 + ((n - 1) % 26));
  assert.ok(s.endsWith('|tcp|é€𝄞'));
  assert.equal(b.take(), '');
  b.ascii('x');
  assert.equal(b.take(), 'x');
});

test('dotted quads equal the joined decimals for every byte value in every place, also at the buffer end', () => {
  const b = new ByteText();
  const src = new Uint8Array(256 + 3);
  for (let v = 0; v < 256; v++) src[v] = v;
  src.set([7, 250, 9], 256);
  const want: string[] = [];
  for (let p = 0; p + 4 <= src.length; p++) {
    b.dottedQuad(src, p);
    b.byte(124);
    want.push(`${[...src.subarray(p, p + 4)].join('.')}|`);
  }
  assert.equal(b.take(), want.join(''));
  // Right at the end of the buffer: the spare digit places written past the text must not be lost or kept.
  const edge = new ByteText();
  edge.u8 = new Uint8Array(20);
  edge.ascii('x'.repeat(5));
  edge.dottedQuad(Uint8Array.of(1, 22, 255, 3), 0);
  edge.dottedQuad(Uint8Array.of(100, 200, 10, 0), 0);
  assert.equal(edge.take(), 'xxxxx1.22.255.3100.200.10.0');
});
