/**
 * The connection table (TA §4.1 key): makeKey canonicalization (both orientations → one connection),
 * insert/lookup/remove for many IPv4 and IPv6 keys, backward-shift deletion inside probe runs (including runs
 * that wrap around the end of the slot array), and growth beyond the initial capacity.
 */
import { packet } from "../../assembly/decode/packet";
import { Connection } from "../../assembly/conn/connection";
import { allocConnection, freeConnection } from "../../assembly/conn/pool";
import {
  tableInit, tableCount, makeKey, lookup, insert, remove, collect, kSrcFirst, kA0, kA1, kB0, kB1, kPortA, kPortB,
  addrCompare,
} from "../../assembly/conn/table";
import { setV4, setV6, swapAddrs, Rng } from "./support/core-keys";

/** One connection's 4-tuple as seen from one side. */
class Key {
  v6: bool = false;
  aHi: u64 = 0; aLo: u64 = 0; // IPv4: aLo holds the address
  bHi: u64 = 0; bLo: u64 = 0;
  pa: u16 = 0; pb: u16 = 0;
  conn: Connection | null = null;

  static v4(a: u32, pa: u16, b: u32, pb: u16): Key {
    const k = new Key();
    k.aLo = a; k.bLo = b; k.pa = pa; k.pb = pb;
    return k;
  }
  static v6(aHi: u64, aLo: u64, pa: u16, bHi: u64, bLo: u64, pb: u16): Key {
    const k = new Key();
    k.v6 = true;
    k.aHi = aHi; k.aLo = aLo; k.bHi = bHi; k.bLo = bLo; k.pa = pa; k.pb = pb;
    return k;
  }

  /** Loads the packet with this tuple (reversed = from b to a) and computes the key. */
  key(reversed: bool = false): void {
    if (this.v6) setV6(packet, this.aHi, this.aLo, this.bHi, this.bLo);
    else setV4(packet, <u32>this.aLo, <u32>this.bLo);
    if (reversed) {
      swapAddrs(packet);
      makeKey(packet, this.pb, this.pa);
    } else {
      makeKey(packet, this.pa, this.pb);
    }
  }
}

function keysV4(n: i32, seed: u32): Key[] {
  const r = new Rng(seed);
  const out = new Array<Key>();
  for (let i = 0; i < n; i++) {
    // a few shared hosts and ports, so many keys differ in one field only
    const a = 0x0a000000 | (r.below(8));
    const b = 0xc0a80000 | r.below(4096);
    out.push(Key.v4(a, <u16>(1024 + i), b, <u16>(r.below(2) == 0 ? 80 : 443)));
  }
  return out;
}

function keysV6(n: i32, seed: u32): Key[] {
  const r = new Rng(seed);
  const out = new Array<Key>();
  for (let i = 0; i < n; i++) {
    out.push(Key.v6(0x20010db800000000, <u64>r.below(16), <u16>(40000 + i), 0x2a00145040000000 | <u64>r.below(3),
      (<u64>r.next() << 32) | <u64>r.next(), 443));
  }
  return out;
}

function insertAll(keys: Key[]): void {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    k.key((i & 1) == 1); // alternate orientations on insert
    expect(changetype<usize>(lookup())).toBe(0);
    const c = allocConnection();
    insert(c);
    k.conn = c;
  }
}

/** Counts keys that are not found (present) or found (absent) in both orientations. */
function verify(keys: Key[], present: bool[]): i32 {
  let bad = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    for (let dir = 0; dir < 2; dir++) {
      k.key(dir == 1);
      const got = lookup();
      if (present[i]) {
        if (got === null || changetype<usize>(got) != changetype<usize>(k.conn)) bad++;
      } else if (got !== null) bad++;
    }
  }
  return bad;
}

function allPresent(n: i32): bool[] {
  const p = new Array<bool>(n);
  for (let i = 0; i < n; i++) p[i] = true;
  return p;
}

function freeAll(keys: Key[]): void {
  for (let i = 0; i < keys.length; i++) {
    const c = keys[i].conn;
    if (c) freeConnection(c);
    keys[i].conn = null;
  }
}

/** Home slot of a key's hash for a table of `cap` slots (probes with a temporary connection). */
function homeOf(k: Key, cap: u32): u32 {
  tableInit(16);
  k.key();
  const c = allocConnection();
  insert(c);
  const h = c.hash;
  remove(c);
  freeConnection(c);
  return h & (cap - 1);
}

describe("makeKey", () => {
  test("both orientations give the same canonical key; kSrcFirst tells which side is first", () => {
    const k = Key.v4(0x0a000001, 50000, 0x0a000002, 80);
    k.key(false);
    expect(kSrcFirst).toBe(true); // 10.0.0.1 < 10.0.0.2
    const a0 = kA0, a1 = kA1, b0 = kB0, b1 = kB1, pa = kPortA, pb = kPortB;
    expect(pa).toBe(50000);
    expect(pb).toBe(80);
    k.key(true);
    expect(kSrcFirst).toBe(false);
    expect(kA0).toBe(a0);
    expect(kA1).toBe(a1);
    expect(kB0).toBe(b0);
    expect(kB1).toBe(b1);
    expect(kPortA).toBe(pa);
    expect(kPortB).toBe(pb);
  });

  test("addresses compare bytewise (network order), not as little-endian integers", () => {
    // 1.0.0.2 < 2.0.0.1 bytewise, although the last byte says otherwise
    const k = Key.v4(0x02000001, 1, 0x01000002, 2);
    k.key();
    expect(kSrcFirst).toBe(false);
    expect(kPortA).toBe(2);
    // 10.0.1.0 > 10.0.0.255
    const m = Key.v4(0x0a000100, 1, 0x0a0000ff, 2);
    m.key();
    expect(kSrcFirst).toBe(false);
    // IPv6: first differing byte decides
    const v = Key.v6(0x2001000000000000, 0xff, 7, 0x2001000000000001, 0x00, 9);
    v.key();
    expect(kSrcFirst).toBe(true);
    const w = Key.v6(0x2001000000000000, 0x0100, 7, 0x2001000000000000, 0x00ff, 9);
    w.key();
    expect(kSrcFirst).toBe(false);
    expect(kPortA).toBe(9);
    // first byte decides even when a later byte of the same 8-byte half points the other way
    const x = Key.v6(0x1000000000000002, 0, 7, 0x2000000000000001, 0, 9);
    x.key();
    expect(kSrcFirst).toBe(true);
    expect(kPortA).toBe(7);
    const y = Key.v6(0x2001000000000000, 0x1000000000000002, 7, 0x2001000000000000, 0x2000000000000001, 9);
    y.key();
    expect(kSrcFirst).toBe(true);
    expect(kPortA).toBe(7);
  });

  test("equal addresses: ports compared as network-order bytes read little-endian (Zeek)", () => {
    // 80 = 0x0050 → read as 0x5000; 1024 = 0x0400 → read as 0x0004: 1024 sorts first
    const k = Key.v4(0x7f000001, 80, 0x7f000001, 1024);
    k.key();
    expect(kSrcFirst).toBe(false);
    expect(kPortA).toBe(1024);
    expect(kPortB).toBe(80);
    k.key(true);
    expect(kSrcFirst).toBe(true);
    expect(kPortA).toBe(1024);
    // 0x0102 (258) reads 0x0201, 0x0201 (513) reads 0x0102: 513 first
    const m = Key.v4(0x7f000001, 258, 0x7f000001, 513);
    m.key();
    expect(kPortA).toBe(513);
    // identical ports and addresses: the source counts as first
    const s = Key.v4(0x7f000001, 5000, 0x7f000001, 5000);
    s.key();
    expect(kSrcFirst).toBe(true);
  });

  test("IPv4-mapped addresses sort before global IPv6 addresses", () => {
    setV6(packet, 0x2001000000000000, 1, 0, 0);
    // dst = ::ffff:1.2.3.4
    store<u64>(packet.dstPtr, 0);
    store<u64>(packet.dstPtr + 8, 0);
    store<u16>(packet.dstPtr + 10, 0xffff);
    store<u32>(packet.dstPtr + 12, bswap<u32>(0x01020304));
    makeKey(packet, 1, 2);
    expect(kSrcFirst).toBe(false);
    expect(kA0).toBe(0);
    expect(kPortA).toBe(2);
  });
});

describe("insert / lookup / remove", () => {
  test("many IPv4 and IPv6 keys, found from both sides", () => {
    tableInit(16);
    const keys = keysV4(700, 1);
    const v6 = keysV6(700, 2);
    for (let i = 0; i < v6.length; i++) keys.push(v6[i]);
    insertAll(keys);
    expect(tableCount()).toBe(1400);
    expect(verify(keys, allPresent(keys.length))).toBe(0);
    // the stored key is the canonical one, and lookup sets kSrcFirst per orientation
    for (let i = 0; i < 20; i++) {
      const k = keys[i * 50];
      k.key(false);
      const first = kSrcFirst;
      const c = lookup()!;
      expect(c.keyA0).toBe(kA0);
      expect(c.keyA1).toBe(kA1);
      expect(c.keyB0).toBe(kB0);
      expect(c.keyB1).toBe(kB1);
      expect(c.keyPortA).toBe(kPortA);
      expect(c.keyPortB).toBe(kPortB);
      k.key(true);
      expect(kSrcFirst).toBe(!first);
    }
    freeAll(keys);
  });

  test("keys differing in one field only are distinct", () => {
    tableInit(16);
    const base = Key.v4(0x0a000001, 1000, 0x0a000002, 80);
    const keys: Key[] = [
      base,
      Key.v4(0x0a000001, 1001, 0x0a000002, 80), // source port
      Key.v4(0x0a000001, 1000, 0x0a000002, 81), // destination port
      Key.v4(0x0a000003, 1000, 0x0a000002, 80), // source address
      Key.v4(0x0a000001, 1000, 0x0a000004, 80), // destination address
      Key.v4(0x0a000001, 80, 0x0a000002, 1000), // ports swapped, addresses not
      Key.v6(0x2001000000000000, 1, 1000, 0x2001000000000000, 2, 80),
      Key.v6(0x2001000000000000, 1, 1000, 0x2001000000000001, 2, 80), // high half differs
    ];
    insertAll(keys);
    expect(tableCount()).toBe(8);
    expect(verify(keys, allPresent(keys.length))).toBe(0);
    // ::ffff:10.0.0.1 written through the IPv6 path is the same key as the IPv4 10.0.0.1
    const mapped = Key.v6(0, 0x0000ffff0a000001, 1000, 0, 0x0000ffff0a000002, 80);
    mapped.key(true);
    expect(changetype<usize>(lookup())).toBe(changetype<usize>(base.conn));
    freeAll(keys);
  });

  test("remove keeps every other key findable (random order, with a model)", () => {
    tableInit(16);
    const keys = keysV4(300, 3);
    const v6 = keysV6(300, 4);
    for (let i = 0; i < v6.length; i++) keys.push(v6[i]);
    insertAll(keys);
    const present = allPresent(keys.length);
    const r = new Rng(77);
    let live = keys.length;
    let bad = 0;
    for (let step = 0; step < 600; step++) {
      const i = <i32>r.below(<u32>keys.length);
      if (present[i]) {
        remove(keys[i].conn!);
        present[i] = false;
        live--;
      } else {
        keys[i].key(step % 2 == 0);
        insert(keys[i].conn!);
        present[i] = true;
        live++;
      }
      expect(tableCount()).toBe(<u32>live);
      if (step % 25 == 0) bad += verify(keys, present);
    }
    bad += verify(keys, present);
    expect(bad).toBe(0);
    freeAll(keys);
  });

  test("removing a connection that is not in the table changes nothing", () => {
    tableInit(16);
    const keys = keysV4(5, 5);
    insertAll(keys);
    const stranger = Key.v4(0x01010101, 1, 0x02020202, 2);
    stranger.key();
    const c = allocConnection();
    c.hash = 0; // never inserted
    remove(c);
    expect(tableCount()).toBe(5);
    expect(verify(keys, allPresent(5))).toBe(0);
    freeConnection(c);
    freeAll(keys);
  });

  test("collect returns every connection exactly once", () => {
    tableInit(16);
    const keys = keysV6(100, 6);
    insertAll(keys);
    remove(keys[10].conn!);
    remove(keys[20].conn!);
    const out = heap.alloc(8 * 200);
    const n = collect(out);
    expect(n).toBe(98);
    let bad = 0;
    for (let i = 0; i < keys.length; i++) {
      let seen = 0;
      for (let j: u32 = 0; j < n; j++) if (load<usize>(out + <usize>j * 8) == changetype<usize>(keys[i].conn)) seen++;
      if (seen != (i == 10 || i == 20 ? 0 : 1)) bad++;
    }
    expect(bad).toBe(0);
    heap.free(out);
    freeAll(keys);
  });
});

describe("backward-shift deletion inside probe runs", () => {
  test("a run that wraps around the end of a 16-slot table", () => {
    // Pick keys whose home slots are 13, 13, 14, 15, 15, 0, 0, 1 at capacity 16 (8 keys: no growth yet).
    const wantHomes: u32[] = [13, 13, 14, 15, 15, 0, 0, 1];
    const picked = new Array<Key>();
    const used = new Array<bool>(wantHomes.length);
    const r = new Rng(99);
    let tries = 0;
    while (picked.length < wantHomes.length && tries < 100000) {
      tries++;
      const k = Key.v4(0x0a000000 | r.below(1 << 20), <u16>(1 + r.below(60000)), 0x0b000001, 80);
      const h = homeOf(k, 16);
      for (let j = 0; j < wantHomes.length; j++) {
        if (!used[j] && wantHomes[j] == h) {
          used[j] = true;
          picked.push(k);
          break;
        }
      }
    }
    expect(picked.length).toBe(wantHomes.length);

    // Remove each key alone (fresh table each time), then all keys in several orders.
    for (let victim = 0; victim < picked.length; victim++) {
      tableInit(16);
      insertAll(picked);
      expect(tableCount()).toBe(8);
      remove(picked[victim].conn!);
      const present = allPresent(picked.length);
      present[victim] = false;
      expect(verify(picked, present)).toBe(0);
      // re-inserting the victim works and everything is still found
      picked[victim].key();
      insert(picked[victim].conn!);
      expect(verify(picked, allPresent(picked.length))).toBe(0);
      freeAll(picked);
    }
    const orders: i32[][] = [
      [0, 1, 2, 3, 4, 5, 6, 7],
      [7, 6, 5, 4, 3, 2, 1, 0],
      [3, 0, 5, 1, 7, 2, 6, 4],
      [5, 3, 1, 6, 0, 4, 2, 7],
    ];
    for (let o = 0; o < orders.length; o++) {
      tableInit(16);
      insertAll(picked);
      const present = allPresent(picked.length);
      for (let s = 0; s < 8; s++) {
        const v = orders[o][s];
        remove(picked[v].conn!);
        present[v] = false;
        expect(tableCount()).toBe(<u32>(7 - s));
        expect(verify(picked, present)).toBe(0);
      }
      freeAll(picked);
    }
  });

  test("all insertion orders × all single removals of a 5-key colliding cluster", () => {
    // Five keys with the same home slot 7 plus two with home 8 and 9 that sit behind them.
    const wantHomes: u32[] = [7, 7, 7, 8, 9];
    const picked = new Array<Key>();
    const used = new Array<bool>(wantHomes.length);
    const r = new Rng(1234);
    let tries = 0;
    while (picked.length < wantHomes.length && tries < 100000) {
      tries++;
      const k = Key.v6(0xfe80000000000000, <u64>r.next(), <u16>(r.below(65535) + 1), 0xfe80000000000000, 1, 22);
      const h = homeOf(k, 16);
      for (let j = 0; j < wantHomes.length; j++) {
        if (!used[j] && wantHomes[j] == h) {
          used[j] = true;
          picked.push(k);
          break;
        }
      }
    }
    expect(picked.length).toBe(5);
    // permutations of 5 via Heap's algorithm would be 120; use rotations × reversal (10 orders) × 5 victims
    let bad = 0;
    for (let rot = 0; rot < 5; rot++) {
      for (let rev = 0; rev < 2; rev++) {
        const order = new Array<Key>();
        for (let i = 0; i < 5; i++) {
          const idx = rev == 0 ? (rot + i) % 5 : (rot + 5 - i) % 5;
          order.push(picked[idx]);
        }
        for (let victim = 0; victim < 5; victim++) {
          tableInit(16);
          insertAll(order);
          remove(order[victim].conn!);
          const present = allPresent(5);
          present[victim] = false;
          bad += verify(order, present);
          freeAll(order);
        }
      }
    }
    expect(bad).toBe(0);
  });
});

describe("growth", () => {
  test("tableInit(16) then thousands of keys: all found, count right, removals still fine", () => {
    tableInit(16);
    const keys = keysV4(2500, 11);
    const v6 = keysV6(1500, 12);
    for (let i = 0; i < v6.length; i++) keys.push(v6[i]);
    // check after each doubling boundary (9, 17, 33, … entries)
    let bad = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      k.key(i % 3 == 0);
      const c = allocConnection();
      insert(c);
      k.conn = c;
      const n = i + 1;
      if ((n & (n - 1)) == 0 || n == 9 || n == 17 || n == 33) {
        const sub = keys.slice(0, n);
        bad += verify(sub, allPresent(n));
      }
    }
    expect(bad).toBe(0);
    expect(tableCount()).toBe(4000);
    expect(verify(keys, allPresent(keys.length))).toBe(0);
    // remove every other key
    const present = allPresent(keys.length);
    for (let i = 0; i < keys.length; i += 2) {
      remove(keys[i].conn!);
      present[i] = false;
    }
    expect(tableCount()).toBe(2000);
    expect(verify(keys, present)).toBe(0);
    freeAll(keys);
  });

  test("growth keeps connections in place (pointers unchanged)", () => {
    tableInit(16);
    const keys = keysV6(9, 13);
    insertAll(keys); // the 9th insert doubles to 32
    const out = heap.alloc(8 * 16);
    expect(collect(out)).toBe(9);
    heap.free(out);
    for (let i = 0; i < keys.length; i++) {
      keys[i].key();
      expect(changetype<usize>(lookup())).toBe(changetype<usize>(keys[i].conn));
    }
    freeAll(keys);
  });
});

/** memcmp of two 16-byte addresses, byte by byte: the order addrCompare must give. */
function bytewise(a: usize, b: usize): i32 {
  for (let i: usize = 0; i < 16; i++) {
    const x = load<u8>(a + i), y = load<u8>(b + i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

describe("address order", () => {
  test("addrCompare orders addresses as their bytes in memory, first byte first", () => {
    const a = heap.alloc(16), b = heap.alloc(16);
    const r = new Rng(99);
    let bad = 0;
    for (let i = 0; i < 20000; i++) {
      for (let k: usize = 0; k < 16; k += 4) store<u32>(a + k, r.next());
      memory.copy(b, a, 16);
      // Differ in one to three random bytes (or none), high bits included, so every byte position decides some time.
      const n = r.below(4);
      for (let j: u32 = 0; j < n; j++) store<u8>(b + <usize>r.below(16), <u8>r.next());
      const want = bytewise(a, b);
      if (addrCompare(load<u64>(a), load<u64>(a, 8), load<u64>(b), load<u64>(b, 8)) != want) bad++;
      if (addrCompare(load<u64>(b), load<u64>(b, 8), load<u64>(a), load<u64>(a, 8)) != -want) bad++;
    }
    expect(bad).toBe(0);
    heap.free(a);
    heap.free(b);
  });
});
