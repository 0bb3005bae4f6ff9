/**
 * The per-packet record: one instance, refilled for every packet by the capture reader (frame fields)
 * and the decoder (link and IP fields). The TCP layer reads it; nothing here is kept across packets.
 *
 * Addresses are 16 bytes each (IPv4 as ::ffff:a.b.c.d), stored inline in `src`/`dst`.
 */
@final @unmanaged
export class Packet {
  // ---- capture record (capture/) ----
  /** Packet time in seconds: sec + usec / 1e6 (sub-microsecond digits truncated, as Zeek does). */
  ts: f64 = 0;
  /** 1-based number of the packet record in the input. */
  frame: u32 = 0;
  /** Link type (DLT/LINKTYPE number) of this record's interface. */
  linkType: u32 = 0;
  /** Pointer to the first captured byte of the frame in linear memory; valid until the next record. */
  data: usize = 0;
  capLen: u32 = 0;
  wireLen: u32 = 0;
  /** Byte offset of the record in the input (for error messages). */
  fileOffset: u64 = 0;

  // ---- link layer (decode/) ----
  /** Bytes before the IP header (link headers, tags). */
  l2Len: u32 = 0;
  /** 6-byte MAC addresses in the low 48 bits, first byte most significant; hasL2 = 0 when the link has none. */
  l2Src: u64 = 0;
  l2Dst: u64 = 0;
  hasL2: bool = false;
  /** Outer / inner 802.1Q VLAN ids, -1 when absent. */
  vlan: i32 = -1;
  innerVlan: i32 = -1;

  // ---- IP (decode/) ----
  /** 4 or 6. */
  ipVersion: u8 = 0;
  /** Upper-layer protocol number after extension headers. */
  proto: u8 = 0;
  /** IPv4 TTL / IPv6 hop limit. */
  ttl: u8 = 0;
  /** IPv4 don't-fragment bit (false for IPv6). */
  df: bool = false;
  /** IPv4 identification (0 for IPv6). */
  ipId: u16 = 0;
  /** IPv6 flow label (0 for IPv4). */
  flowLabel: u32 = 0;
  /** Pointer to the IP header. */
  ipPtr: usize = 0;
  /** IPv4 total length (or the capture-derived total when the field is 0 and checksums are ignored); IPv6 payload length + 40. */
  ipTotal: u32 = 0;
  /** True when the IPv4 total-length field was 0 (TA §3 step 3 uses payload_cap then; num_bytes_ip adds 0). */
  ipTotalZero: bool = false;
  /** IPv4 IHL*4; IPv6 40 + extension headers up to the upper-layer header. */
  ipHdrLen: u32 = 0;
  /** TA §2 payload_decl: declared bytes after the IP header (0 when the IPv4 total length is 0). */
  payloadDecl: u32 = 0;
  /** TA §2 payload_cap: captured bytes after the IP header, clipped to payloadDecl when that is non-zero. */
  payloadCap: u32 = 0;
  /** Pointer to the first byte after the IP header (the TCP header for proto 6). */
  l4Ptr: usize = 0;
  /** Set when the datagram is an IP fragment (not reassembled yet); the frag fields below are then valid. */
  isFragment: bool = false;
  /** Fragment offset in bytes, more-fragments flag, and identification (IPv4 id; IPv6 fragment header ident). */
  fragOffset: u32 = 0;
  fragMore: bool = false;
  fragId: u32 = 0;
  /** IPv4 headers on the way (outer and inner) whose total-length field was 0: one ip_hdr_len_zero each. */
  zeroTotals: u8 = 0;
  /** Source and destination addresses, 16 bytes each (IPv4-mapped for IPv4). */
  src0: u64 = 0; src1: u64 = 0;
  dst0: u64 = 0; dst1: u64 = 0;

  // ---- the frame being decoded (decode/): the captured frame, or the innermost encapsulated one ----
  /** First byte of the current link-layer frame; l2Len is relative to it. */
  layerPtr: usize = 0;
  /** Captured bytes of the current frame (an A-MSDU subframe ends at its subframe). */
  layerCap: u32 = 0;
  /** Wire length of the current frame (Zeek: outer wire length minus the captured bytes consumed). */
  layerWire: u32 = 0;
  /** Wire bytes beyond the captured ones (snap length), carried into every encapsulated frame. */
  wireExtra: u32 = 0;

  // ---- tunnels (decode/encap.ts) ----
  /**
   * Encapsulation levels walked to reach the IP fields above (0 = not tunneled, at most MAX_TUNNEL_DEPTH).
   * When a tunnel is entered, the IP fields and the link fields (l2*, vlan) are replaced by the inner
   * packet's, as Zeek builds a fresh inner packet: the inner connection has the inner frame's MACs and VLANs
   * (GRE bridging, ERSPAN, VXLAN, Geneve, 802.11 for Aruba), or none (IP-in-IP, PPTP, Teredo, AYIYA, GTP).
   */
  tunnelCount: u8 = 0;
  /** TunnelKind (decode/encap.ts) of each level, one byte per level, outermost in the low byte. */
  tunnelKinds: u32 = 0;
  /**
   * Parent id per level (outermost first), 96 bits: a seeded mix of the outer endpoints. IP-layer tunnels
   * (IP-in-IP, GRE) are identified by the unordered address pair, UDP tunnels by the unordered
   * (address, port) pairs, as Zeek identifies the tunnel (IP pair) or the UDP connection.
   */
  tunnelUidLo0: u64 = 0; tunnelUidLo1: u64 = 0; tunnelUidLo2: u64 = 0; tunnelUidLo3: u64 = 0;
  tunnelUidHi0: u32 = 0; tunnelUidHi1: u32 = 0; tunnelUidHi2: u32 = 0; tunnelUidHi3: u32 = 0;

  // ---- 802.11 A-MSDU iteration (decode/wifi.ts): one frame, several packets ----
  /** More to do for this frame: call decodeNextSubframe(). */
  moreSubframes: bool = false;
  /** An A-MSDU is being walked (a nested one is refused). */
  amsduActive: bool = false;
  /** The subframe just decoded failed; the next call reports invalid_802_11_amsdu_inner_packet. */
  subframeFailed: bool = false;
  /** Next subframe header, and the end of the A-MSDU's captured bytes. */
  subframePtr: usize = 0;
  subframeEnd: usize = 0;
  /** The 802.11 frame holding the A-MSDU (restored for every subframe) and the tunnel levels above it. */
  amsduFrame: usize = 0;
  amsduFrameCap: u32 = 0;
  amsduFrameWire: u32 = 0;
  amsduWireExtra: u32 = 0;
  amsduTunnels: u8 = 0;
  amsduKinds: u32 = 0;

  /** Pointer to the 16 source-address bytes. */
  @inline get srcPtr(): usize { return changetype<usize>(this) + offsetof<Packet>('src0'); }
  /** Pointer to the 16 destination-address bytes. */
  @inline get dstPtr(): usize { return changetype<usize>(this) + offsetof<Packet>('dst0'); }
}

/** The one packet record. */
export const packet: Packet = new Packet();
