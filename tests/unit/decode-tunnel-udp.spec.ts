/**
 * UDP tunnels (decode/udp-tunnels.ts): Teredo (port and detection, authentication and origin indication,
 * bubbles), AYIYA, GTPv1-U (optional and extension headers), VXLAN and Geneve; Zeek's responder-port
 * dispatch, the UDP checksum gate and the parent ids of UDP levels. Tunnel headers are hex.
 */
import { packet } from "../../assembly/decode/packet";
import { decodeFrame } from "../../assembly/decode/frame";
import { TunnelKind } from "../../assembly/decode/encap";
import { Weird } from "../../assembly/schema.generated";
import { Bytes, hex, loadFrame, addrText } from "./fixtures/build";
import {
  v4, udp4, udp6, tcp4, tcp6, hexThen, OUTER_A, OUTER_B, INNER_A, INNER_B, V6_A, V6_B, TEREDO_CLIENT, V6_SERVER,
} from "./support/tunnel-frames";

const RAW: u32 = 101;

function decodeRaw(b: Bytes, ignoreChecksums: bool = false): i32 {
  loadFrame(b, RAW);
  return decodeFrame(packet, ignoreChecksums, 9);
}

/** Sets the UDP checksum of an IPv4 (IHL 5) UDP packet. */
function withUdpSum(b: Bytes, sum: u32): Bytes {
  b.set(26, <u8>(sum >> 8));
  b.set(27, <u8>sum);
  return b;
}

/** Still a plain UDP packet: not decapsulated. */
function expectPlainUdp(r: i32): void {
  expect(r).toBe(0);
  expect(packet.proto).toBe(17);
  expect(packet.tunnelCount).toBe(0);
  expect(addrText(true)).toBe("192.0.2.1");
}

function expectTeredoTcp(): void {
  expect(packet.proto).toBe(6);
  expect(packet.ipVersion).toBe(6);
  expect(addrText(true)).toBe(TEREDO_CLIENT);
  expect(addrText(false)).toBe(V6_SERVER);
  expect(packet.tunnelCount).toBe(1);
  expect(packet.tunnelKinds).toBe(TunnelKind.TEREDO);
}

// AYIYA: identity 2^4 = 16 bytes, signature 5 × 4 = 20 bytes, opcode 1 (forward), next header 41, epoch.
const AYIYA_FWD_V6 = "41 52 11 29 5e7f3c01";
const AYIYA_ID_SIG = "00112233445566778899aabbccddeeff 000102030405060708090a0b0c0d0e0f10111213";

describe("Teredo", () => {
  test("on port 3544, either direction", () => {
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 3544, tcp6(TEREDO_CLIENT, V6_SERVER)))).toBe(0);
    expectTeredoTcp();
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 3544, 40000, tcp6(TEREDO_CLIENT, V6_SERVER)))).toBe(0);
    expectTeredoTcp();
  });

  test("authentication (13 bytes with empty id and value) and origin indication before the IPv6 header", () => {
    const origin = "0000 f227 3f57fe9c";
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 3544, hexThen(origin, tcp6(TEREDO_CLIENT, V6_SERVER))))).toBe(0);
    expectTeredoTcp();
    const auth = "0001 00 00 0102030405060708 00";
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 3544, hexThen(auth + origin, tcp6(TEREDO_CLIENT, V6_SERVER))))).toBe(0);
    expectTeredoTcp();
    // An origin indication before authentication, or two of them: not Teredo.
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 3544, hexThen(origin + auth, tcp6(TEREDO_CLIENT, V6_SERVER)))));
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 3544, hexThen(origin + origin, tcp6(TEREDO_CLIENT, V6_SERVER)))));
  });

  test("detected on other ports by a Teredo address (2001:0::/32), else left alone", () => {
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 3797, 32900, tcp6(TEREDO_CLIENT, V6_SERVER)))).toBe(0);
    expectTeredoTcp();
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 32900, 3797, tcp6(V6_SERVER, TEREDO_CLIENT)))).toBe(0);
    expect(packet.proto).toBe(6);
    // Native addresses and no origin indication: Zeek's detection does not fire.
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 3797, 32900, tcp6(V6_A, V6_B))));
  });

  test("the IPv6 packet must fill the datagram; a bubble with data after it is a weird", () => {
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 3544, tcp6(TEREDO_CLIENT, V6_SERVER).hex("0000"))));
    const bubble = hex("6000 0000 0000 3b15").hex(TEREDO_CLIENT).hex(V6_SERVER);
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 3544, bubble))).toBe(0);
    expect(packet.proto).toBe(59);
    expect(packet.tunnelCount).toBe(1);
    const withData = hex("6000 0000 0000 3b15").hex(TEREDO_CLIENT).hex(V6_SERVER).hex("deadbeef");
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 3544, withData))).toBe(Weird.Teredo_bubble_with_payload);
    // Reported on the outer flow.
    expect(packet.ipVersion).toBe(4);
  });

  test("a wrong UDP checksum stops decapsulation unless checksums are ignored; 0 is none over IPv4", () => {
    const b = udp4(OUTER_A, OUTER_B, 40000, 3544, tcp6(TEREDO_CLIENT, V6_SERVER), 0x1234);
    expectPlainUdp(decodeRaw(b));
    expect(decodeRaw(b, true)).toBe(0);
    expectTeredoTcp();
    expect(decodeRaw(withUdpSum(b, 0))).toBe(0);
    expectTeredoTcp();
  });

  test("over IPv6: checksum verified", () => {
    const b = udp6(V6_A, V6_B, 40000, 3544, tcp6(TEREDO_CLIENT, V6_SERVER));
    expect(decodeRaw(b)).toBe(0);
    expectTeredoTcp();
    b.set(40 + 6, 0);
    b.set(40 + 7, 0);
    expect(decodeRaw(b)).toBe(0);
    expect(packet.proto).toBe(17);
    expect(packet.tunnelCount).toBe(0);
  });
});

describe("AYIYA", () => {
  test("forward with IPv6 inside, on port 5072 and by detection", () => {
    const payload = hex(AYIYA_FWD_V6 + AYIYA_ID_SIG).bytes(tcp6(V6_A, V6_B));
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 53859, 5072, payload))).toBe(0);
    expect(packet.proto).toBe(6);
    expect(addrText(true)).toBe(V6_A);
    expect(packet.tunnelKinds).toBe(TunnelKind.AYIYA);
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 53859, 6000, payload))).toBe(0);
    expect(packet.tunnelKinds).toBe(TunnelKind.AYIYA);
  });

  test("IPv4 inside (next header 4); other opcodes carry nothing; an empty forward is a weird", () => {
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 53859, 5072, hex("41 52 11 04 00000000" + AYIYA_ID_SIG).bytes(tcp4(INNER_A, INNER_B))))).toBe(0);
    expect(packet.proto).toBe(6);
    expect(addrText(true)).toBe("10.0.0.1");
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 53859, 5072, hex("41 52 10 29 00000000" + AYIYA_ID_SIG).bytes(tcp6(V6_A, V6_B)))));
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 53859, 5072, hex(AYIYA_FWD_V6 + AYIYA_ID_SIG)))).toBe(Weird.ayiya_empty_packet);
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 53859, 5072, hex(AYIYA_FWD_V6 + "0011"))));
  });
});

describe("GTPv1-U", () => {
  test("G-PDU with the optional word (S set)", () => {
    const b = udp4(OUTER_A, OUTER_B, 2152, 2152, hexThen("32 ff 002c 00000001 0007 00 00", tcp4(INNER_A, INNER_B)));
    expect(decodeRaw(b)).toBe(0);
    expect(packet.proto).toBe(6);
    expect(addrText(true)).toBe("10.0.0.1");
    expect(packet.tunnelKinds).toBe(TunnelKind.GTPV1);
  });

  test("extension headers (E set) are skipped to the one with next type 0", () => {
    // Next type 0x85 (PDU session container), then a 4-byte and an 8-byte extension header.
    const ext = "34 ff 0038 00000001 0000 00 85  01 1000 85  02 000000000000 00";
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 2152, hexThen(ext, tcp6(V6_A, V6_B))))).toBe(0);
    expect(packet.proto).toBe(6);
    expect(packet.ipVersion).toBe(6);
    // A zero-length extension header does not parse: plain UDP.
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 2152, hexThen("34 ff 0038 00000001 0000 00 85 00 0000 00", tcp6(V6_A, V6_B)))));
  });

  test("only version 1 G-PDUs whose IP packet fills the rest are decapsulated", () => {
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 2152, 2152, hex("32 01 0004 00000000 0001 00 00"))));
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 2152, 2152, hexThen("52 ff 002c 00000001 0007 00 00", tcp4(INNER_A, INNER_B)))));
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 2152, 2152, hexThen("32 ff 002c 00000001 0007 00 00", tcp4(INNER_A, INNER_B).hex("00")))));
  });
});

/** The Ethernet frame VXLAN and Geneve carry: 02:..:01 → 02:..:02, IPv4 TCP. */
function innerEth(): Bytes {
  return hex("020000000002 020000000001 0800").bytes(tcp4(INNER_A, INNER_B));
}

describe("VXLAN and Geneve", () => {
  test("VXLAN: the I flag, then Ethernet (the inner MACs)", () => {
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 50000, 4789, hexThen("0800 0000 000001 00", innerEth())))).toBe(0);
    expect(packet.proto).toBe(6);
    expect(addrText(true)).toBe("10.0.0.1");
    expect(packet.l2Src).toBe(0x020000000001);
    expect(packet.l2Dst).toBe(0x020000000002);
    expect(packet.tunnelKinds).toBe(TunnelKind.VXLAN);
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 50000, 4789, hexThen("0000 0000 000001 00", innerEth()))));
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 50000, 4789, hex("0800 0000 000001 00")))).toBe(Weird.vxlan_empty_packet);
  });

  test("Geneve: options skipped, Ethernet or IP by protocol type; version and empty weirds", () => {
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 50000, 6081, hexThen("0000 6558 000001 00", innerEth())))).toBe(0);
    expect(packet.proto).toBe(6);
    expect(packet.tunnelKinds).toBe(TunnelKind.GENEVE);
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 50000, 6081, hexThen("0200 6558 000001 00 0103 8001 0a0b0c0d", innerEth())))).toBe(0);
    expect(packet.l2Src).toBe(0x020000000001);
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 50000, 6081, hexThen("0000 86dd 000001 00", tcp6(V6_A, V6_B))))).toBe(0);
    expect(packet.ipVersion).toBe(6);
    expect(packet.hasL2).toBe(false);
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 50000, 6081, hexThen("4000 6558 000001 00", innerEth())))).toBe(Weird.geneve_invalid_version);
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 50000, 6081, hex("0200 6558 000001 00 0103 8001 0a0b0c0d")))).toBe(Weird.geneve_empty_packet);
    // Options longer than the datagram: not Geneve.
    expectPlainUdp(decodeRaw(udp4(OUTER_A, OUTER_B, 50000, 6081, hex("0400 6558 000001 00 0103 8001"))));
  });

  test("VXLAN over IPv6 may send a zero checksum", () => {
    const b = udp6(V6_A, V6_B, 50000, 4789, hexThen("0800 0000 000001 00", innerEth()));
    b.set(46, 0);
    b.set(47, 0);
    expect(decodeRaw(b)).toBe(0);
    expect(packet.proto).toBe(6);
  });
});

describe("UDP levels", () => {
  test("the parent id is the UDP connection's: same both ways, another port another id", () => {
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 40000, 3544, tcp6(TEREDO_CLIENT, V6_SERVER)))).toBe(0);
    const lo = packet.tunnelUidLo0;
    expect(decodeRaw(udp4(OUTER_B, OUTER_A, 3544, 40000, tcp6(V6_SERVER, TEREDO_CLIENT)))).toBe(0);
    expect(packet.tunnelUidLo0).toBe(lo);
    expect(decodeRaw(udp4(OUTER_A, OUTER_B, 40001, 3544, tcp6(TEREDO_CLIENT, V6_SERVER)))).toBe(0);
    expect(packet.tunnelUidLo0).not.toBe(lo);
  });

  test("depth: Teredo inside four IP tunnels is exceeded_tunnel_max_depth; GTPv1 says tunnel_depth", () => {
    let b = udp4(OUTER_A, OUTER_B, 40000, 3544, tcp6(TEREDO_CLIENT, V6_SERVER));
    for (let i = 0; i < 4; i++) b = v4(4, OUTER_A, OUTER_B, b);
    expect(decodeRaw(b)).toBe(Weird.exceeded_tunnel_max_depth);
    expect(packet.tunnelCount).toBe(4);
    let g = udp4(OUTER_A, OUTER_B, 2152, 2152, hexThen("32 ff 002c 00000001 0007 00 00", tcp4(INNER_A, INNER_B)));
    for (let i = 0; i < 4; i++) g = v4(4, OUTER_A, OUTER_B, g);
    expect(decodeRaw(g)).toBe(Weird.tunnel_depth);
    // Zeek raises it without the packet: a net weird.
    expect(packet.ipVersion).toBe(0);
  });

  test("GTP inside GTP is taken as a regular packet", () => {
    const innerGtp = udp4(INNER_A, INNER_B, 2152, 2152, hexThen("32 ff 002c 00000001 0007 00 00", tcp4(INNER_A, INNER_B)));
    const b = udp4(OUTER_A, OUTER_B, 2152, 2152, hexThen("32 ff 0048 00000001 0007 00 00", innerGtp));
    expect(decodeRaw(b)).toBe(0);
    expect(packet.proto).toBe(17);
    expect(packet.tunnelCount).toBe(1);
  });
});
