/**
 * Reassembly blocks (assembly/reassembly/block.ts): freed blocks are reused by size class, never handed out for
 * more bytes than they hold; blocks larger than the largest class are freed; switching modes drops the spares.
 */
import { Block, newBlock, freeBlock, setKeepBytes } from "../../assembly/reassembly/block";

const src = memory.data(20000);
function fill(n: i32, v: u8): void { for (let i = 0; i < n; i++) store<u8>(src + <usize>i, <u8>(v + <u8>i)); }
function holds(b: Block, n: i32, v: u8): bool {
  for (let i = 0; i < n; i++) if (load<u8>(b.data + <usize>i) != <u8>(v + <u8>i)) return false;
  return true;
}

describe("reassembly blocks", () => {
  test("with bytes: a freed block is reused for a length of its class, with the new bytes", () => {
    setKeepBytes(true);
    fill(1448, 1);
    const a = newBlock(100, src, 1448);
    expect(a.len).toBe(1448);
    expect(holds(a, 1448, 1)).toBe(true);
    const pa = changetype<usize>(a);
    freeBlock(a);
    fill(1500, 7); // 24 + 1500 is still in the 2 KiB class
    const b = newBlock(5000, src, 1500);
    expect(changetype<usize>(b)).toBe(pa);
    expect(b.seq).toBe(5000);
    expect(b.upper).toBe(6500);
    expect(holds(b, 1500, 7)).toBe(true);
    freeBlock(b);
  });

  test("with bytes: a block of a larger class is not handed out for a smaller one's list, nor the reverse", () => {
    setKeepBytes(true);
    fill(40, 3);
    const small = newBlock(0, src, 40); // 64-byte class
    const ps = changetype<usize>(small);
    freeBlock(small);
    fill(600, 9);
    const big = newBlock(0, src, 600); // 1 KiB class: must not reuse the 64-byte block
    expect(changetype<usize>(big)).not.toBe(ps);
    expect(holds(big, 600, 9)).toBe(true);
    const again = newBlock(0, src, 10);
    expect(changetype<usize>(again)).toBe(ps);
    freeBlock(big);
    freeBlock(again);
  });

  test("with bytes: a block above 16 KiB is allocated and freed exactly", () => {
    setKeepBytes(true);
    fill(17000, 5);
    const huge = newBlock(0, src, 17000);
    expect(holds(huge, 17000, 5)).toBe(true);
    freeBlock(huge);
    const next = newBlock(0, src, 17000);
    expect(holds(next, 17000, 5)).toBe(true);
    freeBlock(next);
  });

  test("switching to byte-less blocks drops the spares sized for bytes (and back)", () => {
    setKeepBytes(true);
    fill(30, 2);
    const a = newBlock(0, src, 30);
    freeBlock(a);
    setKeepBytes(false);
    const r = newBlock(10, src, 5000); // range only
    expect(r.len).toBe(5000);
    const pr = changetype<usize>(r);
    freeBlock(r);
    const r2 = newBlock(20, src, 1);
    expect(changetype<usize>(r2)).toBe(pr);
    freeBlock(r2);
    setKeepBytes(true);
    fill(40, 4);
    const c = newBlock(0, src, 40);
    expect(holds(c, 40, 4)).toBe(true);
    freeBlock(c);
  });
});
