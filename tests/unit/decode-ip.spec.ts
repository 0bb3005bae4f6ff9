import { packet } from "../../assembly/decode/packet";
import { decodeFrame } from "../../assembly/decode/frame";
import { Weird } from "../../assembly/schema.generated";
import { Bytes, hex, loadFrame, addrText, fixIpv4Checksum } from "./fixtures/build";
import { ether, ipv4Tcp, ipv6Tcp, tcpSyn } from "./fixtures/frames";

const RAW: u32 = 101;
const EN10MB: u32 = 1;

/** An IPv4 header from hex with its checksum fixed, followed by `payload` bytes. */
function v4(h: string, payload: i32 = 20): Bytes {
  const b = hex(h);
  fixIpv4Checksum(b, 0);
  return b.zeros(payload);
}

describe("IPv4", () => {
  test("fields", () => {
    loadFrame(ipv4Tcp(), RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipVersion).toBe(4);
    expect(packet.proto).toBe(6);
    expect(packet.ttl).toBe(64);
    expect(packet.df).toBe(true);
    expect(packet.ipId).toBe(0x1234);
    expect(packet.flowLabel).toBe(0);
    expect(packet.ipTotal).toBe(40);
    expect(packet.ipTotalZero).toBe(false);
    expect(packet.ipHdrLen).toBe(20);
    expect(packet.payloadDecl).toBe(20);
    expect(packet.payloadCap).toBe(20);
    expect(packet.isFragment).toBe(false);
    expect(addrText(true)).toBe("10.0.0.1");
    expect(addrText(false)).toBe("10.0.0.2");
    expect(packet.src0).toBe(0);
  });

  test("header with options", () => {
    loadFrame(v4("4600 002c 0001 0000 4006 0000 c0a80001 c0a80002 01010100", 20), RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipHdrLen).toBe(24);
    expect(packet.payloadDecl).toBe(20);
    expect(packet.l4Ptr).toBe(packet.data + 24);
    expect(packet.df).toBe(false);
    expect(addrText(false)).toBe("192.168.0.2");
  });

  test("Ethernet padding is clipped by payloadCap", () => {
    const b = ether("0800").bytes(ipv4Tcp()).zeros(6);
    loadFrame(b, EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.payloadDecl).toBe(20);
    expect(packet.payloadCap).toBe(20);
  });

  test("snaplen truncation: payloadCap below payloadDecl", () => {
    loadFrame(v4("4500 0064 0001 0000 4006 0000 0a000001 0a000002", 30), RAW, 100);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.payloadDecl).toBe(80);
    expect(packet.payloadCap).toBe(30);
  });

  test("fragments: MF set, or an offset", () => {
    loadFrame(v4("4500 0028 0001 2000 4006 0000 0a000001 0a000002"), RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.isFragment).toBe(true);
    loadFrame(v4("4500 0028 0001 0003 4006 0000 0a000001 0a000002"), RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.isFragment).toBe(true);
  });

  test("truncated_IP and unknown_ip_version", () => {
    loadFrame(hex("4500 0028 0001 0000 4006 0000 0a000001 0a00"), RAW);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_IP);
    loadFrame(v4("5500 0028 0001 0000 4006 0000 0a000001 0a000002"), RAW);
    expect(decodeFrame(packet, false)).toBe(Weird.unknown_ip_version);
    // IPv6 needs 40 bytes
    loadFrame(hex("6000 0000 0000 0640 00000000000000000000000000000001 0000"), RAW);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_IP);
  });

  test("total length 0: ip_hdr_len_zero, or the captured length when checksums are ignored", () => {
    const b = ether("0800").bytes(v4("4500 0000 0001 0000 4006 0000 0a000001 0a000002", 30));
    loadFrame(b, EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.ip_hdr_len_zero);
    loadFrame(b, EN10MB);
    expect(decodeFrame(packet, true)).toBe(0);
    expect(packet.ipTotalZero).toBe(true);
    expect(packet.ipTotal).toBe(50);
    expect(packet.payloadDecl).toBe(0);
    expect(packet.payloadCap).toBe(30);
  });

  test("truncated_IP_len: wire length below total + link header", () => {
    loadFrame(ether("0800").bytes(ipv4Tcp()), EN10MB, 53);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_IP_len);
  });

  test("invalid_IP_header_size, internally_truncated_header, IPv4_min_header_size", () => {
    loadFrame(hex("4f00 0028 0001 0000 4006 0000 0a000001 0a000002").zeros(20), RAW);
    expect(decodeFrame(packet, false)).toBe(Weird.invalid_IP_header_size);
    loadFrame(hex("4f00 0064 0001 0000 4006 0000 0a000001 0a000002").zeros(20), RAW, 100);
    expect(decodeFrame(packet, false)).toBe(Weird.internally_truncated_header);
    loadFrame(hex("4400 0028 0001 0000 4006 0000 0a000001 0a000002").zeros(20), RAW);
    expect(decodeFrame(packet, false)).toBe(Weird.IPv4_min_header_size);
  });

  test("bad IP checksum: reported after every field is filled; not computed when ignored", () => {
    const b = ipv4Tcp();
    b.set(11, b.data[11] ^ 0xff);
    loadFrame(b, RAW);
    expect(decodeFrame(packet, false)).toBe(Weird.bad_IP_checksum);
    expect(packet.ipVersion).toBe(4);
    expect(packet.proto).toBe(6);
    expect(packet.payloadCap).toBe(20);
    expect(addrText(true)).toBe("10.0.0.1");
    loadFrame(b, RAW);
    expect(decodeFrame(packet, true)).toBe(0);
  });
});

describe("IPv6", () => {
  test("fields", () => {
    loadFrame(ipv6Tcp(), RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipVersion).toBe(6);
    expect(packet.proto).toBe(6);
    expect(packet.ttl).toBe(63);
    expect(packet.flowLabel).toBe(0x12345);
    expect(packet.df).toBe(false);
    expect(packet.ipTotal).toBe(60);
    expect(packet.ipHdrLen).toBe(40);
    expect(packet.payloadDecl).toBe(20);
    expect(packet.payloadCap).toBe(20);
    expect(addrText(true)).toBe("20010db8000000000000000000000001");
    expect(addrText(false)).toBe("20010db8000000000000000000000002");
  });

  test("hop-by-hop + routing (type 0) + destination options with a home address", () => {
    const b = hex("6000 0000 004c 0040 20010db8000000000000000000000001 20010db8000000000000000000000002");
    b.hex("2b00 0104 00000000");                                      // hop-by-hop → routing, 8 bytes (PadN)
    b.hex("3c02 0001 00000000 20010db8000000000000000000000099");     // routing type 0, 1 segment left → dest opts
    b.hex("0602 0000 c910 20010db80000000000000000000000aa 0100");   // dest opts: Pad1 ×2, home address (201), PadN → TCP
    b.bytes(tcpSyn());
    loadFrame(b, RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.proto).toBe(6);
    expect(packet.ipHdrLen).toBe(40 + 8 + 24 + 24);
    expect(packet.payloadDecl).toBe(20);
    expect(packet.l4Ptr).toBe(packet.data + 96);
    expect(addrText(true)).toBe("20010db80000000000000000000000aa");
    expect(addrText(false)).toBe("20010db8000000000000000000000099");
  });

  test("routing header without segments left keeps the header's destination", () => {
    const b = hex("6000 0000 002c 2b40 20010db8000000000000000000000001 20010db8000000000000000000000002");
    b.hex("0602 0000 00000000 20010db8000000000000000000000099");
    b.bytes(tcpSyn());
    loadFrame(b, RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(addrText(false)).toBe("20010db8000000000000000000000002");
  });

  test("fragment header: a real fragment stops the walk, an atomic one does not", () => {
    const f = hex("6000 0000 001c 2c40 20010db8000000000000000000000001 20010db8000000000000000000000002");
    f.hex("0600 0001 00000001").bytes(tcpSyn());
    loadFrame(f, RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.isFragment).toBe(true);
    expect(packet.proto).toBe(6);
    expect(packet.ipHdrLen).toBe(48);
    const a = hex("6000 0000 001c 2c40 20010db8000000000000000000000001 20010db8000000000000000000000002");
    a.hex("0600 0000 00000001").bytes(tcpSyn());
    loadFrame(a, RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.isFragment).toBe(false);
    expect(packet.proto).toBe(6);
  });

  test("AH length is in 4-byte units + 2; mobility ends the chain", () => {
    const b = hex("6000 0000 0020 3340 20010db8000000000000000000000001 20010db8000000000000000000000002");
    b.hex("0601 0000 00000001 00000001 ").bytes(tcpSyn()); // AH, payload length 1 → 12 bytes
    loadFrame(b, RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipHdrLen).toBe(52);
    expect(packet.proto).toBe(6);
    const m = hex("6000 0000 0008 8740 20010db8000000000000000000000001 20010db8000000000000000000000002");
    m.hex("3b00 0100 00000000");
    loadFrame(m, RAW);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.proto).toBe(135);
  });

  test("truncated extension chain and too many extension headers", () => {
    const t = hex("6000 0000 0018 0040 20010db8000000000000000000000001 20010db8000000000000000000000002");
    t.hex("0603 0000");
    loadFrame(t, RAW, 100);
    expect(decodeFrame(packet, false)).toBe(Weird.ipv6_ext_hdr_truncated);
    const l = hex("6000 0000 0088 3c40 20010db8000000000000000000000001 20010db8000000000000000000000002");
    for (let i = 0; i < 17; i++) l.hex("3c00 0104 00000000");
    loadFrame(l, RAW);
    expect(decodeFrame(packet, false)).toBe(Weird.ipv6_ext_hdr_limit);
  });

  test("extension headers longer than the payload length → invalid_IP_header_size", () => {
    const b = hex("6000 0000 0004 0040 20010db8000000000000000000000001 20010db8000000000000000000000002");
    b.hex("0600 0104 00000000").bytes(tcpSyn());
    loadFrame(b, RAW, 200);
    expect(decodeFrame(packet, false)).toBe(Weird.invalid_IP_header_size);
  });
});
