/**
 * TCP header view: field accessors over a pointer to the header. Callers check first that at least
 * 20 bytes (and dataOffset × 4 bytes for the options) were captured; nothing here checks.
 */
import { be16, be32, u8at } from "../util/bytes";

/** Flag bits of the flags byte (offset 13). */
export namespace TcpFlag {
  // @ts-ignore: decorator
  @inline export const FIN: u32 = 1;
  // @ts-ignore: decorator
  @inline export const SYN: u32 = 2;
  // @ts-ignore: decorator
  @inline export const RST: u32 = 4;
  // @ts-ignore: decorator
  @inline export const PSH: u32 = 8;
  // @ts-ignore: decorator
  @inline export const ACK: u32 = 16;
  // @ts-ignore: decorator
  @inline export const URG: u32 = 32;
  // @ts-ignore: decorator
  @inline export const ECE: u32 = 64;
  // @ts-ignore: decorator
  @inline export const CWR: u32 = 128;
}

/** Bytes of a TCP header without options. */
export const TCP_MIN_HEADER: u32 = 20;

export namespace Tcp {
  // @ts-ignore: decorator
  @inline export function srcPort(t: usize): u32 { return be16(t); }
  // @ts-ignore: decorator
  @inline export function dstPort(t: usize): u32 { return be16(t + 2); }
  // @ts-ignore: decorator
  @inline export function seq(t: usize): u32 { return be32(t + 4); }
  // @ts-ignore: decorator
  @inline export function ack(t: usize): u32 { return be32(t + 8); }
  /** Header length in 32-bit words (the header is dataOffset × 4 bytes). */
  // @ts-ignore: decorator
  @inline export function dataOffset(t: usize): u32 { return u8at(t + 12) >> 4; }
  // @ts-ignore: decorator
  @inline export function flags(t: usize): u32 { return u8at(t + 13); }
  // @ts-ignore: decorator
  @inline export function window(t: usize): u32 { return be16(t + 14); }
  // @ts-ignore: decorator
  @inline export function checksum(t: usize): u32 { return be16(t + 16); }
  // @ts-ignore: decorator
  @inline export function urgent(t: usize): u32 { return be16(t + 18); }
}
