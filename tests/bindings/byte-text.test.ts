/** ByteText and the value writers conn.log rows are made with (bindings/logs/byte-text.ts, writeDottedQuad). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteText, putAscii, putPadded, putUint } from '../../bindings/logs/byte-text.ts';
import { writeDottedQuad } from '../../bindings/core/format.ts';

const ascii = (b: Uint8Array, n: number) => String.fromCharCode(...b.subarray(0, n));

test('integers in decimal equal String() across every digit count and the 2^31 and 2^53 edges', () => {
  const values = [0, 1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 - 2, 1e15 - 1, 1e15];
  for (let p = 1; p < 2 ** 53; p *= 10) values.push(p - 1, p, p + 1);
  for (let i = 0, x = 12345; i < 2000; i++) { x = (x * 48271) % 2147483647; values.push(x * (i % 7 === 0 ? 4096 : 1)); }
  const b = new Uint8Array(17 * values.length);
  let n = 0;
  for (const v of values) { n = putUint(b, n, v); b[n++] = 32; }
  assert.equal(ascii(b, n), values.map((v) => `${v} `).join(''));
  n = putPadded(b, 0, 42, 6); n = putPadded(b, n, 0, 6); n = putPadded(b, n, 999999, 6);
  assert.equal(ascii(b, n), '000042000000999999');
});

test('writes past the buffer grow it; text is UTF-8; take() starts over', () => {
  const b = new ByteText();
  const n = b.u8.length + 10;
  b.reserve(n);
  for (let i = 0; i < n; i++) b.u8[b.n++] = 97 + (i % 26);
  b.reserve(5);
  b.n = putAscii(b.u8, b.n, '|tcp|');
  b.text('é€𝄞');
  const s = b.take();
  assert.equal(s.length, n + 5 + 4);
  assert.equal(s.slice(0, 26), 'abcdefghijklmnopqrstuvwxyz');
  assert.equal(s.charCodeAt(n - 1), 97 + ((n - 1) % 26));
  assert.ok(s.endsWith('|tcp|é€𝄞'));
  assert.equal(b.take(), '');
  b.text('x');
  assert.equal(b.take(), 'x');
});

test('dotted quads equal the joined decimals for every byte value in every place, also at the end of their room', () => {
  const src = new Uint8Array(256 + 3);
  for (let v = 0; v < 256; v++) src[v] = v;
  src.set([7, 250, 9], 256);
  const b = new Uint8Array(17 * src.length);
  let n = 0;
  const want: string[] = [];
  for (let p = 0; p + 4 <= src.length; p++) {
    n = writeDottedQuad(b, n, src, p);
    b[n++] = 124;
    want.push(`${[...src.subarray(p, p + 4)].join('.')}|`);
  }
  assert.equal(ascii(b, n), want.join(''));
  // The second quad has exactly the 16 bytes of room it needs: the spare digit places written past the text must
  // stay inside them, and those the first left are overwritten.
  const edge = new Uint8Array(5 + 10 + 16);
  n = putAscii(edge, 0, 'xxxxx');
  n = writeDottedQuad(edge, n, Uint8Array.of(1, 22, 255, 3), 0);
  n = writeDottedQuad(edge, n, Uint8Array.of(100, 200, 10, 0), 0);
  assert.equal(ascii(edge, n), 'xxxxx1.22.255.3100.200.10.0');
});
