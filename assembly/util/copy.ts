/**
 * Copies of up to a few hundred bytes (event records, snapshots). Engines run `memory.copy` as a call out of the
 * wasm code, which at these sizes costs more than the copy itself. The ranges must not overlap.
 */
export function copySmall(dst: usize, src: usize, n: u32): void {
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
