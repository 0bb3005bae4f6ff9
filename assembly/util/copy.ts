/**
 * Copies event bytes (arguments, snapshots, staged records); the ranges must not overlap. Short copies run inline:
 * engines run `memory.copy` as a call out of the wasm code, which costs more than copying a few dozen bytes.
 */
export function copySmall(dst: usize, src: usize, n: u32): void {
  if (n > 128) {
    memory.copy(dst, src, n);
    return;
  }
  const end = <usize>n;
  let i: usize = 0;
  while (i + 8 <= end) {
    store<u64>(dst + i, load<u64>(src + i));
    i += 8;
  }
  if (i + 4 <= end) {
    store<u32>(dst + i, load<u32>(src + i));
    i += 4;
  }
  while (i < end) {
    store<u8>(dst + i, load<u8>(src + i));
    i++;
  }
}
