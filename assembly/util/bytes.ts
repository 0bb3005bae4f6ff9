/**
 * The only place that reads raw bytes from linear memory. Callers have already checked that every byte
 * they read lies inside the captured data (decode/ and capture/ check lengths once per header), so these
 * helpers never check anything themselves.
 *
 * Wasm loads are little-endian; network order (big-endian) values are byte-swapped after the load.
 */

// @ts-ignore: decorator
@inline export function u8at(ptr: usize): u32 {
  return <u32>load<u8>(ptr);
}

// @ts-ignore: decorator
@inline export function be16(ptr: usize): u32 {
  return <u32>bswap<u16>(load<u16>(ptr));
}

// @ts-ignore: decorator
@inline export function be32(ptr: usize): u32 {
  return bswap<u32>(load<u32>(ptr));
}

// @ts-ignore: decorator
@inline export function le16(ptr: usize): u32 {
  return <u32>load<u16>(ptr);
}

// @ts-ignore: decorator
@inline export function le32(ptr: usize): u32 {
  return load<u32>(ptr);
}

// @ts-ignore: decorator
@inline export function le64(ptr: usize): u64 {
  return load<u64>(ptr);
}

/** Raw 64-bit load in memory order (for copying addresses and summing words, where order does not matter). */
// @ts-ignore: decorator
@inline export function raw64(ptr: usize): u64 {
  return load<u64>(ptr);
}

/** 16-bit value in the given byte order (pcap/pcapng headers carry the writer's order). */
// @ts-ignore: decorator
@inline export function rd16(ptr: usize, bigEndian: bool): u32 {
  return bigEndian ? be16(ptr) : le16(ptr);
}

/** 32-bit value in the given byte order. */
// @ts-ignore: decorator
@inline export function rd32(ptr: usize, bigEndian: bool): u32 {
  return bigEndian ? be32(ptr) : le32(ptr);
}

/** 48-bit MAC address as an integer, first byte most significant. */
// @ts-ignore: decorator
@inline export function mac48(ptr: usize): u64 {
  return (<u64>be16(ptr) << 32) | <u64>be32(ptr + 2);
}

// ---- stores (decode/ writes addresses into the packet record) ----

// @ts-ignore: decorator
@inline export function st64(ptr: usize, v: u64): void {
  store<u64>(ptr, v);
}

// @ts-ignore: decorator
@inline export function st32(ptr: usize, v: u32): void {
  store<u32>(ptr, v);
}

/** Copies 16 bytes (an IPv6 address). */
// @ts-ignore: decorator
@inline export function copy16(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst + 8, load<u64>(src + 8));
}

/** Writes an IPv4 address as ::ffff:a.b.c.d (10 zero bytes, ff ff, the 4 address bytes). */
// @ts-ignore: decorator
@inline export function mapV4(dst: usize, src: usize): void {
  store<u64>(dst, 0);
  store<u32>(dst + 8, 0xffff0000); // bytes 00 00 ff ff in memory
  store<u32>(dst + 12, load<u32>(src));
}

// @ts-ignore: decorator
@inline export function bswap32(v: u32): u32 {
  return bswap<u32>(v);
}
