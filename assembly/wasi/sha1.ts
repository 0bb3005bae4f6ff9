/** SHA-1 (FIPS 180-4) over linear memory, for the `{"len":N,"sha1":"…"}` form of byte strings. */

const W = memory.data(320);
const TAIL = memory.data(128);
const DIGEST = memory.data(20);
let h0: u32 = 0, h1: u32 = 0, h2: u32 = 0, h3: u32 = 0, h4: u32 = 0;

function block(p: usize): void {
  for (let i = 0; i < 16; i++) store<u32>(W + (<usize>i << 2), bswap<u32>(load<u32>(p + (<usize>i << 2))));
  for (let i = 16; i < 80; i++) {
    const x = load<u32>(W + (<usize>(i - 3) << 2)) ^ load<u32>(W + (<usize>(i - 8) << 2)) ^
      load<u32>(W + (<usize>(i - 14) << 2)) ^ load<u32>(W + (<usize>(i - 16) << 2));
    store<u32>(W + (<usize>i << 2), rotl<u32>(x, 1));
  }
  let a = h0, b = h1, c = h2, d = h3, e = h4;
  for (let i = 0; i < 80; i++) {
    let f: u32, k: u32;
    if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
    else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
    else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
    else { f = b ^ c ^ d; k = 0xca62c1d6; }
    const t = rotl<u32>(a, 5) + f + e + k + load<u32>(W + (<usize>i << 2));
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t;
  }
  h0 += a; h1 += b; h2 += c; h3 += d; h4 += e;
}

/** SHA-1 of [ptr, ptr + len); returns a pointer to the 20-byte digest (valid until the next call). */
export function sha1(ptr: usize, len: u32): usize {
  h0 = 0x67452301; h1 = 0xefcdab89; h2 = 0x98badcfe; h3 = 0x10325476; h4 = 0xc3d2e1f0;
  let p = ptr;
  let left = len;
  while (left >= 64) { block(p); p += 64; left -= 64; }
  memory.fill(TAIL, 0, 128);
  memory.copy(TAIL, p, left);
  store<u8>(TAIL + left, 0x80);
  const total: usize = left + 9 > 64 ? 128 : 64;
  store<u64>(TAIL + total - 8, bswap<u64>(<u64>len << 3));
  block(TAIL);
  if (total == 128) block(TAIL + 64);
  store<u32>(DIGEST, bswap<u32>(h0));
  store<u32>(DIGEST + 4, bswap<u32>(h1));
  store<u32>(DIGEST + 8, bswap<u32>(h2));
  store<u32>(DIGEST + 12, bswap<u32>(h3));
  store<u32>(DIGEST + 16, bswap<u32>(h4));
  return DIGEST;
}
