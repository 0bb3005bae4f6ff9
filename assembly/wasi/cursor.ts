/** A read cursor over ring records in linear memory (little-endian, schema/types.ts wire forms). */

export let cur: usize = 0;

export function seek(p: usize): void { cur = p; }

export function rdBool(): bool { return load<u8>(cur++) != 0; }
export function rdU8(): u32 { return load<u8>(cur++); }
export function rdU16(): u32 { const v = load<u16>(cur); cur += 2; return v; }
export function rdU32(): u32 { const v = load<u32>(cur); cur += 4; return v; }
export function rdU64(): u64 { const v = load<u64>(cur); cur += 8; return v; }
export function rdI64(): i64 { const v = load<i64>(cur); cur += 8; return v; }
export function rdF64(): f64 { const v = load<f64>(cur); cur += 8; return v; }
/** Skips `n` bytes; returns where they start. */
export function rdSkip(n: u32): usize { const p = cur; cur += n; return p; }
