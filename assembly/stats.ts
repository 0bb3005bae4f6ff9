/** Run counters read by hosts at statsPtr() (schema STATS), as f64 so they never wrap. */
import { Stat } from './schema.generated';

export const stats = new StaticArray<f64>(Stat.COUNT);

// @ts-ignore: decorator
@inline export function bumpStat(i: i32, by: f64 = 1): void { unchecked(stats[i] += by); }
// @ts-ignore: decorator
@inline export function setStat(i: i32, v: f64): void { unchecked(stats[i] = v); }
