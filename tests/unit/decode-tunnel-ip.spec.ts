/**
 * IP-layer tunnels (decode/gre.ts, decode/encap.ts): IP-in-IP in all four combinations, GRE with raw IP,
 * transparent Ethernet bridging, ERSPAN II/III and PPTP, Zeek's weirds for malformed headers, the depth
 * limit and the parent ids. Tunnel headers are hex; the IP headers around them come from the builders.
 */
import { packet } from "../../assembly/decode/packet";
import { decodeFrame } from "../../assembly/decode/frame";
import { TunnelKind, MAX_TUNNEL_DEPTH } from "../../assembly/decode/encap";
import { Weird } from "../../assembly/schema.generated";
import { Bytes, hex, loadFrame, addrText } from "./fixtures/build";
import { ether, MAC_DST, MAC_SRC } from "./fixtures/frames";
import { v4, v6, tcp4, tcp6, hexThen, OUTER_A, OUTER_B, INNER_A, INNER_B, V6_A, V6_B } from "./support/tunnel-frames";

const RAW: u32 = 101;
const EN10MB: u32 = 1;

/** The first `n` bytes of `b`. */
function cut(b: Bytes, n: i32): Bytes {
  const c = new Bytes(true);
  for (let i = 0; i < n; i++) c.u8(b.data[i]);
  return c;
}

function decodeRaw(b: Bytes, seed: u64 = 7): i32 {
  loadFrame(b, RAW);
  return decodeFrame(packet, false, seed);
}

/** The inner packet is a TCP SYN 10.0.0.1 → 10.0.0.2 seen through `levels` tunnels. */
function expectInnerTcp4(levels: u8): void {
  expect(packet.proto).toBe(6);
  expect(packet.ipVersion).toBe(4);
  expect(addrText(true)).toBe("10.0.0.1");
  expect(addrText(false)).toBe("10.0.0.2");
  expect(packet.ipTotal).toBe(40);
  expect(packet.payloadCap).toBe(20);
  expect(packet.tunnelCount).toBe(levels);
  expect(packet.isFragment).toBe(false);
}

describe("IP-in-IP", () => {
  test("4in4: inner addresses and IP fields, no link fields, one level of kind IP", () => {
    // Ethernet with a VLAN tag, IPv4 proto 4, IPv4/TCP.
    const b = ether("8100").hex("0016 0800").bytes(v4(4, OUTER_A, OUTER_B, tcp4(INNER_A, INNER_B)));
    loadFrame(b, EN10MB);
    expect(decodeFrame(packet, false, 1)).toBe(0);
    expectInnerTcp4(1);
    expect(packet.tunnelKinds).toBe(TunnelKind.IP);
    // Zeek's inner packet is a fresh one: no MACs, no VLAN.
    expect(packet.hasL2).toBe(false);
    expect(packet.vlan).toBe(-1);
    expect(packet.ttl).toBe(64);
  });

  test("6in4, 4in6, 6in6", () => {
    expect(decodeRaw(v4(41, OUTER_A, OUTER_B, tcp6(V6_A, V6_B)))).toBe(0);
    expect(packet.ipVersion).toBe(6);
    expect(packet.proto).toBe(6);
    expect(addrText(true)).toBe(V6_A);
    expect(packet.tunnelCount).toBe(1);
    expect(decodeRaw(v6(4, V6_B, V6_A, tcp4(INNER_A, INNER_B)))).toBe(0);
    expectInnerTcp4(1);
    expect(decodeRaw(v6(41, V6_B, V6_A, tcp6(V6_A, V6_B)))).toBe(0);
    expect(addrText(false)).toBe(V6_B);
    expect(packet.tunnelCount).toBe(1);
  });

  test("the inner header must fill the payload exactly; weirds are flow weirds of the outer header", () => {
    // Inner IPv4 claims 60 bytes, 40 present.
    const short = hex("4500 003c 0101 4000 4006 0000").hex(INNER_A).hex(INNER_B).zeros(20);
    expect(decodeRaw(v4(4, OUTER_A, OUTER_B, short))).toBe(Weird.truncated_inner_IP);
    expect(packet.ipVersion).toBe(4);
    expect(addrText(true)).toBe("192.0.2.1");
    // Ethernet padding after the outer datagram is handed on too (Zeek): too large.
    const padded = ether("0800").bytes(v4(4, OUTER_A, OUTER_B, tcp4(INNER_A, INNER_B))).zeros(4);
    loadFrame(padded, EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.inner_IP_payload_length_mismatch);
    // Protocol 41 with IPv4 inside.
    expect(decodeRaw(v4(41, OUTER_A, OUTER_B, tcp4(INNER_A, INNER_B)))).toBe(Weird.invalid_inner_IP_version);
    // Under 40 bytes for IPv6: too small; under 20 for IPv4: a bad version, as Zeek has it.
    expect(decodeRaw(v4(41, OUTER_A, OUTER_B, hex("6000").zeros(30)))).toBe(Weird.truncated_inner_IP);
    expect(decodeRaw(v4(4, OUTER_A, OUTER_B, hex("4500").zeros(10)))).toBe(Weird.invalid_inner_IP_version);
  });

  test("four levels are walked, a fifth is exceeded_tunnel_max_depth", () => {
    let b = tcp4(INNER_A, INNER_B);
    for (let i = 0; i < <i32>MAX_TUNNEL_DEPTH; i++) b = v4(4, OUTER_A, OUTER_B, b);
    expect(decodeRaw(b)).toBe(0);
    expectInnerTcp4(MAX_TUNNEL_DEPTH);
    expect(packet.tunnelKinds).toBe(0x01010101);
    expect(decodeRaw(v4(4, OUTER_A, OUTER_B, b))).toBe(Weird.exceeded_tunnel_max_depth);
    expect(packet.ipVersion).toBe(4);
  });

  test("an inner datagram cut by the snap length fails Zeek's exact-length check", () => {
    const b = ether("0800").bytes(v4(4, OUTER_A, OUTER_B, v4(6, INNER_A, INNER_B, hex("04d2 0050 00000001 00000000 5018 ffff 0000 0000").zeros(100))));
    loadFrame(cut(b, b.length - 60), EN10MB, b.length);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_inner_IP);
  });
});

describe("tunnel parent ids", () => {
  test("same id both ways; the seed and the address pair change it; kind of IP tunnel does not", () => {
    expect(decodeRaw(v4(4, OUTER_A, OUTER_B, tcp4(INNER_A, INNER_B)), 42)).toBe(0);
    const lo = packet.tunnelUidLo0, hi = packet.tunnelUidHi0;
    expect(lo).not.toBe(0);
    expect(decodeRaw(v4(4, OUTER_B, OUTER_A, tcp4(INNER_B, INNER_A)), 42)).toBe(0);
    expect(packet.tunnelUidLo0).toBe(lo);
    expect(packet.tunnelUidHi0).toBe(hi);
    // GRE between the same pair: Zeek keys IP tunnels by the address pair alone.
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0000 0800", tcp4(INNER_A, INNER_B))), 42)).toBe(0);
    expect(packet.tunnelUidLo0).toBe(lo);
    expect(decodeRaw(v4(4, OUTER_A, OUTER_B, tcp4(INNER_A, INNER_B)), 43)).toBe(0);
    expect(packet.tunnelUidLo0).not.toBe(lo);
    expect(decodeRaw(v4(4, OUTER_A, "c0000203", tcp4(INNER_A, INNER_B)), 42)).toBe(0);
    expect(packet.tunnelUidLo0).not.toBe(lo);
  });

  test("each level has its own id", () => {
    expect(decodeRaw(v4(4, OUTER_A, OUTER_B, v4(4, "c6336401", "c6336402", tcp4(INNER_A, INNER_B))))).toBe(0);
    expect(packet.tunnelCount).toBe(2);
    expect(packet.tunnelUidLo1).not.toBe(packet.tunnelUidLo0);
  });
});

describe("GRE", () => {
  test("version 0 with raw IPv4, and with key and sequence words", () => {
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0000 0800", tcp4(INNER_A, INNER_B))))).toBe(0);
    expectInnerTcp4(1);
    expect(packet.tunnelKinds).toBe(TunnelKind.GRE);
    // K and S: 4 + 4 + 4 bytes; checksum present: 4 more.
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("3000 0800 0000002a 00000007", tcp4(INNER_A, INNER_B))))).toBe(0);
    expectInnerTcp4(1);
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("b000 86dd 00000000 0000002a 00000007", tcp6(V6_A, V6_B))))).toBe(0);
    expect(packet.ipVersion).toBe(6);
    expect(packet.proto).toBe(6);
  });

  test("transparent Ethernet bridging: the inner frame's MACs and VLAN", () => {
    const inner = hex("0a0b0c0d0e0f 010203040506 8100 0064 0800").bytes(tcp4(INNER_A, INNER_B));
    const b = ether("0800").bytes(v4(47, OUTER_A, OUTER_B, hexThen("0000 6558", inner)));
    loadFrame(b, EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expectInnerTcp4(1);
    expect(packet.hasL2).toBe(true);
    expect(packet.l2Dst).toBe(0x0a0b0c0d0e0f);
    expect(packet.l2Src).toBe(0x010203040506);
    expect(packet.vlan).toBe(100);
  });

  test("ERSPAN type II (sequence bit) and type III (with and without the platform sub-header)", () => {
    const eth = hex(MAC_DST + MAC_SRC + "0800").bytes(tcp4(INNER_A, INNER_B));
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("1000 88be 00000001 1001 0002 00000000", eth)))).toBe(0);
    expectInnerTcp4(1);
    expect(packet.l2Src).toBe(0x66778899aabb);
    // Type I: no sequence bit, no ERSPAN header.
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0000 88be", eth)))).toBe(0);
    expectInnerTcp4(1);
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0000 22eb 2001 0002 00000000 00000000", eth)))).toBe(0);
    expectInnerTcp4(1);
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0000 22eb 2001 0002 00000000 00000001 0000000000000000", eth)))).toBe(0);
    expectInnerTcp4(1);
  });

  test("PPTP (version 1): PPP with IPv4, whose length must fill the payload", () => {
    // K and S set (12-byte header) and version 1, protocol 0x880b; PPP ff 03 0021.
    const b = v4(47, OUTER_A, OUTER_B, hexThen("3001 880b 0028 0001 00000001 ff03 0021", tcp4(INNER_A, INNER_B)));
    expect(decodeRaw(b)).toBe(0);
    expectInnerTcp4(1);
    const lcp = v4(47, OUTER_A, OUTER_B, hexThen("3001 880b 0028 0001 00000001 ff03 c021", tcp4(INNER_A, INNER_B)));
    expect(decodeRaw(lcp)).toBe(Weird.non_ip_packet_in_encap);
    const padded = v4(47, OUTER_A, OUTER_B, hexThen("3001 880b 0028 0001 00000001 ff03 0021", tcp4(INNER_A, INNER_B)).zeros(2));
    expect(decodeRaw(padded)).toBe(Weird.inner_IP_payload_length_mismatch);
  });

  test("GRE hands on what was captured: a snap-length cut inner segment keeps its declared length", () => {
    const seg = v4(6, INNER_A, INNER_B, hex("04d2 0050 00000001 00000000 5018 ffff 0000 0000").zeros(100));
    const b = ether("0800").bytes(v4(47, OUTER_A, OUTER_B, hexThen("0000 0800", seg)));
    loadFrame(cut(b, b.length - 60), EN10MB, b.length);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.proto).toBe(6);
    expect(packet.payloadDecl).toBe(120);
    expect(packet.payloadCap).toBe(60);
    expect(packet.layerWire - packet.layerCap).toBe(60);
  });

  test("malformed headers are Zeek's weirds, with the outer addresses", () => {
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hex("00")))).toBe(Weird.truncated_GRE);
    expect(packet.ipVersion).toBe(4);
    expect(addrText(false)).toBe("192.0.2.2");
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0002 0800", tcp4(INNER_A, INNER_B))))).toBe(Weird.unknown_gre_version);
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0001 0800", tcp4(INNER_A, INNER_B))))).toBe(Weird.egre_protocol_type);
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("4000 0800", tcp4(INNER_A, INNER_B))))).toBe(Weird.gre_routing);
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0008 0800", tcp4(INNER_A, INNER_B))))).toBe(Weird.unknown_gre_flags);
    // Key bit set but the key word is missing; bridging without a whole Ethernet header.
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hex("2000 0800 0000")))).toBe(Weird.truncated_GRE);
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hex("0000 6558 0a0b0c0d0e0f 0102030405")))).toBe(Weird.truncated_GRE);
  });

  test("inner link and IP problems are net weirds of the inner packet", () => {
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0000 0800", hex("4500 0014").zeros(8))))).toBe(Weird.truncated_IP);
    expect(packet.ipVersion).toBe(0);
    expect(packet.tunnelCount).toBe(1);
    // Bridged ARP: no IP inside.
    expect(decodeRaw(v4(47, OUTER_A, OUTER_B, hexThen("0000 6558 0a0b0c0d0e0f 010203040506 0806", hex("0001").zeros(26))))).toBe(-1);
  });
});
