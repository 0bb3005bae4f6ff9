/**
 * The connection table: open addressing with linear probing over the canonical key (TA §4.1), and
 * backward-shift deletion so no tombstones accumulate. Grows by doubling up to max_connections.
 */
import { Connection } from './connection';
import { Packet } from '../decode/packet';

// One u64 per slot: the connection's hash in the high half (compared before the connection is touched, so
// probing past other keys costs no cache miss), its pointer in the low half; 0 = empty.
let conns: usize = 0;
let capacity: u32 = 0;
let count: u32 = 0;

/** Canonical key of the current lookup. */
export let kA0: u64 = 0, kA1: u64 = 0, kB0: u64 = 0, kB1: u64 = 0;
export let kPortA: u16 = 0, kPortB: u16 = 0;
let kHash: u32 = 0;
/** Whether the packet's source is the key's first endpoint. */
export let kSrcFirst = true;

export function tableInit(initial: u32): void {
  capacity = initial;
  conns = heap.alloc(<usize>capacity << 3);
  memory.fill(conns, 0, <usize>capacity << 3);
  count = 0;
}

export function tableCount(): u32 { return count; }

@inline function mix(h: u64): u64 {
  h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33;
  return h;
}

/**
 * Bytewise comparison of two 16-byte addresses held as raw little-endian u64 pairs. The first differing byte in
 * memory is the lowest differing byte of the words: comparing just it avoids two 64-bit byte swaps, which wasm has
 * no instruction for (each costs about 15 instructions).
 */
@inline export function addrCompare(a0: u64, a1: u64, b0: u64, b1: u64): i32 {
  let x = a0 ^ b0, a = a0, b = b0;
  if (x == 0) {
    x = a1 ^ b1;
    if (x == 0) return 0;
    a = a1;
    b = b1;
  }
  const shift = ctz(x) & 56;
  return <u8>(a >> shift) < <u8>(b >> shift) ? -1 : 1;
}

/** Computes the canonical key of the packet's address/port pair. */
// @ts-ignore: decorator
@inline export function makeKey(p: Packet, sport: u16, dport: u16): void {
  let c = addrCompare(p.src0, p.src1, p.dst0, p.dst1);
  // Equal addresses: Zeek compares the ports as network-order bytes read as host (little-endian) integers.
  if (c == 0) c = bswap(sport) < bswap(dport) ? -1 : (sport == dport ? 0 : 1);
  kSrcFirst = c <= 0;
  if (kSrcFirst) {
    kA0 = p.src0; kA1 = p.src1; kB0 = p.dst0; kB1 = p.dst1; kPortA = sport; kPortB = dport;
  } else {
    kA0 = p.dst0; kA1 = p.dst1; kB0 = p.src0; kB1 = p.src1; kPortA = dport; kPortB = sport;
  }
  // Odd multipliers spread each word before one final avalanche.
  kHash = <u32>mix(kA0 * 0x9e3779b97f4a7c15 ^ kA1 * 0xc2b2ae3d27d4eb4f ^ kB0 * 0x165667b19e3779f9 ^
    kB1 * 0xd6e8feb86659fd93 ^ ((<u64>kPortA << 16) | <u64>kPortB));
}

@inline function sameKey(c: Connection): bool {
  return c.hash == kHash && c.keyA0 == kA0 && c.keyA1 == kA1 && c.keyB0 == kB0 && c.keyB1 == kB1 &&
    c.keyPortA == kPortA && c.keyPortB == kPortB;
}

@inline function slotAt(i: u32): usize { return <usize><u32>load<u64>(conns + (<usize>i << 3)); }
@inline function tagAt(i: u32): u32 { return load<u32>(conns + (<usize>i << 3), 4); }

// @ts-ignore: decorator
@inline export function lookup(): Connection | null {
  const mask = capacity - 1;
  let i = kHash & mask;
  while (true) {
    const e = slotAt(i);
    if (e == 0) return null;
    if (tagAt(i) == kHash) {
      const c = changetype<Connection>(e);
      if (sameKey(c)) return c;
    }
    i = (i + 1) & mask;
  }
}

/** Stores the current key into `c` and inserts it. The caller checked capacity with tableHasRoom(). */
export function insert(c: Connection): void {
  c.keyA0 = kA0; c.keyA1 = kA1; c.keyB0 = kB0; c.keyB1 = kB1; c.keyPortA = kPortA; c.keyPortB = kPortB;
  c.hash = kHash;
  if ((count + 1) * 2 > capacity) grow();
  placeSlot((<u64>c.hash << 32) | <u64>changetype<usize>(c));
  count++;
}

/** Stores a slot value (hash tag and pointer) at the first free place of its probe run. */
function placeSlot(v: u64): void {
  const mask = capacity - 1;
  let i = <u32>(v >> 32) & mask;
  while (slotAt(i) != 0) i = (i + 1) & mask;
  store<u64>(conns + (<usize>i << 3), v);
}

function grow(): void {
  const oldConns = conns, oldCap = capacity;
  capacity <<= 1;
  conns = heap.alloc(<usize>capacity << 3);
  memory.fill(conns, 0, <usize>capacity << 3);
  // Slots move with their tags: no connection is touched.
  for (let i: u32 = 0; i < oldCap; i++) {
    const v = load<u64>(oldConns + (<usize>i << 3));
    if (v != 0) placeSlot(v);
  }
  heap.free(oldConns);
}

export function remove(c: Connection): void {
  const mask = capacity - 1;
  let i = c.hash & mask;
  while (true) {
    const e = slotAt(i);
    if (e == 0) return;
    if (e == changetype<usize>(c)) break;
    i = (i + 1) & mask;
  }
  // Backward-shift: pull later entries of the probe run into the hole. An entry's home comes from its slot's tag:
  // the entries are unrelated connections, mostly cold in the cache, and the shift touches none of them.
  let hole = i;
  let j = (i + 1) & mask;
  while (true) {
    const v = load<u64>(conns + (<usize>j << 3));
    if (v == 0) break;
    const home = <u32>(v >> 32) & mask;
    // Move it if its home is not cyclically within (hole, j].
    const dist = (j - home) & mask;
    const distHole = (j - hole) & mask;
    if (dist >= distHole) {
      store<u64>(conns + (<usize>hole << 3), v);
      hole = j;
    }
    j = (j + 1) & mask;
  }
  store<u64>(conns + (<usize>hole << 3), 0);
  count--;
}

/** Writes every connection pointer to `out` (end of input; the caller sorts). Returns the count. */
export function collect(out: usize): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < capacity; i++) {
    const e = slotAt(i);
    if (e != 0) {
      store<usize>(out + (<usize>n << 3), e);
      n++;
    }
  }
  return n;
}
