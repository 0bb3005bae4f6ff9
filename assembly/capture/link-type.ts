/** Link-layer type numbers (tcpdump LINKTYPE_* / DLT_* values) that synack decodes. */
export namespace LinkType {
  // @ts-ignore: decorator
  @inline export const NULL: u32 = 0;
  // @ts-ignore: decorator
  @inline export const ETHERNET: u32 = 1;
  /** DLT_RAW on most BSDs. */
  // @ts-ignore: decorator
  @inline export const RAW_BSD12: u32 = 12;
  /** DLT_RAW on OpenBSD. */
  // @ts-ignore: decorator
  @inline export const RAW_BSD14: u32 = 14;
  /** LINKTYPE_RAW (what pcap files store for DLT_RAW). */
  // @ts-ignore: decorator
  @inline export const RAW: u32 = 101;
  // @ts-ignore: decorator
  @inline export const LOOP: u32 = 108;
  // @ts-ignore: decorator
  @inline export const LINUX_SLL: u32 = 113;
  // @ts-ignore: decorator
  @inline export const IPV4: u32 = 228;
  // @ts-ignore: decorator
  @inline export const IPV6: u32 = 229;
  // @ts-ignore: decorator
  @inline export const LINUX_SLL2: u32 = 276;
}
