/**
 * Buffered stdout for the WASI command: bytes go into one static buffer and leave with fd_write when it fills
 * (or on flush). Nothing here allocates, so the minimal runtime never has to collect.
 */
import { fd_write } from '../../node_modules/@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1';

/** WASI errno `again`. */
export const ERRNO_AGAIN: u16 = 6;

const CAP: u32 = 1 << 16;
const buf = memory.data(<i32>CAP);
const iov = memory.data(16);
let len: u32 = 0;

/** While set, nothing is written (a pass that only moves the cursor past a record's arguments). */
export let muted = false;
export function setMuted(on: bool): void { muted = on; }

/** Writes all of [ptr, ptr + n) to `fd`; returns false when the descriptor fails (closed pipe). */
export function writeFd(fd: u32, ptr: usize, n: usize): bool {
  while (n > 0) {
    store<u32>(iov, <u32>ptr);
    store<u32>(iov, <u32>n, 4);
    const err = fd_write(fd, iov, 1, iov + 8);
    // EAGAIN: a non-blocking pipe is full (Node's node:wasi hands over its own non-blocking stdout); retry.
    if (err == ERRNO_AGAIN) continue;
    if (err != 0) return false;
    const done = <usize>load<u32>(iov, 8);
    if (done == 0) return false;
    ptr += done;
    n -= done;
  }
  return true;
}

let failed = false;

/** Whether stdout failed (the reader went away); the command then stops quietly. */
export function outFailed(): bool { return failed; }

export function flush(): void {
  if (len > 0 && !failed && !writeFd(1, buf, len)) failed = true;
  len = 0;
}

// @ts-ignore: decorator
@inline function reserve(n: u32): void {
  if (len + n > CAP) flush();
}

export function putByte(b: u32): void {
  if (muted) return;
  reserve(1);
  store<u8>(buf + len++, <u8>b);
}

/** An ASCII string (AS strings are UTF-16; callers pass ASCII only). */
export function putRaw(s: string): void {
  if (muted) return;
  const n = <u32>s.length;
  const p = changetype<usize>(s);
  if (n > CAP) { for (let i: u32 = 0; i < n; i++) putByte(load<u16>(p + (<usize>i << 1))); return; }
  reserve(n);
  for (let i: u32 = 0; i < n; i++) store<u8>(buf + len + i, <u8>load<u16>(p + (<usize>i << 1)));
  len += n;
}

/** Raw bytes from linear memory. */
export function putBytes(ptr: usize, n: u32): void {
  if (muted) return;
  while (n > 0) {
    reserve(1);
    const room = CAP - len;
    const k = n < room ? n : room;
    memory.copy(buf + len, ptr, k);
    len += k;
    ptr += k;
    n -= k;
  }
}

const digits = memory.data(24);

export function putU64(v: u64): void {
  let i = 24;
  do {
    store<u8>(digits + --i, <u8>(48 + v % 10));
    v /= 10;
  } while (v != 0);
  putBytes(digits + i, <u32>(24 - i));
}

export function putI64(v: i64): void {
  if (v < 0) {
    putByte(0x2d);
    putU64(<u64>(-(v + 1)) + 1);
  } else putU64(<u64>v);
}

const HEX = '0123456789abcdef';

export function putHex2(b: u32): void {
  putByte(HEX.charCodeAt(<i32>(b >> 4) & 15));
  putByte(HEX.charCodeAt(<i32>b & 15));
}

/** Writes an ASCII message to stderr at once (unbuffered). */
export function errLine(s: string): void {
  const n = s.length;
  const tmp = heap.alloc(<usize>n + 1);
  for (let i = 0; i < n; i++) store<u8>(tmp + i, <u8>s.charCodeAt(i));
  store<u8>(tmp + n, 10);
  writeFd(2, tmp, <usize>n + 1);
  heap.free(tmp);
}
