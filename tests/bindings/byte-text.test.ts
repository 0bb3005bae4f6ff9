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
