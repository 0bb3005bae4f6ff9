/**
 * Test entry (tests/hosts/wasi.test.ts builds it): checks the WASI command's number and hash code against Node.
 * stdin: u32 n, n f64 values, then byte strings as u32 length + bytes until the end. stdout: per value
 * "<fixed6>\t<jsonDouble>\n", then per byte string its SHA-1 in hex and "\n".
 */
import { fd_read } from '../../node_modules/@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1';
import { putByte, putHex2, flush, ERRNO_AGAIN } from './out';
import { putFixed6, putJsonDouble } from './num';
import { sha1 } from './sha1';

const iov = memory.data(16);
let cap: usize = 1 << 20;
let buf = heap.alloc(cap);
let len: usize = 0;
while (true) {
  if (len == cap) { cap <<= 1; buf = heap.realloc(buf, cap); }
  store<u32>(iov, <u32>(buf + len));
  store<u32>(iov, <u32>(cap - len), 4);
  // A pipe that has no data yet answers EAGAIN (node:wasi's stdin is non-blocking): try again.
  const err = fd_read(0, iov, 1, iov + 8);
  if (err == ERRNO_AGAIN) continue;
  if (err != 0) unreachable();
  const n = load<u32>(iov, 8);
  if (n == 0) break;
  len += n;
}
let p = buf;
const end = buf + len;
const count = load<u32>(p);
p += 4;
for (let i: u32 = 0; i < count; i++) {
  const x = load<f64>(p);
  p += 8;
  putFixed6(x); putByte(9); putJsonDouble(x); putByte(10);
}
while (p + 4 <= end) {
  const n = load<u32>(p);
  p += 4;
  const d = sha1(p, n);
  for (let i = 0; i < 20; i++) putHex2(load<u8>(d + i));
  putByte(10);
  p += n;
}
flush();
