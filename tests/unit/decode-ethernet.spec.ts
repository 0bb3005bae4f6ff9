import { packet } from "../../assembly/decode/packet";
import { decodeFrame } from "../../assembly/decode/frame";
import { Weird } from "../../assembly/schema.generated";
import { hex, loadFrame } from "./fixtures/build";
import { ether, ipv4Tcp, ipv6Tcp, MAC_DST, MAC_SRC } from "./fixtures/frames";

const EN10MB: u32 = 1;

function expectIpv4At(l2Len: u32): void {
  expect(packet.l2Len).toBe(l2Len);
  expect(packet.ipVersion).toBe(4);
  expect(packet.proto).toBe(6);
  expect(packet.ipPtr).toBe(packet.data + l2Len);
  expect(packet.l4Ptr).toBe(packet.data + l2Len + 20);
}

describe("Ethernet", () => {
  test("Ethernet II with IPv4: MACs, no VLAN", () => {
    loadFrame(ether("0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expectIpv4At(14);
    expect(packet.hasL2).toBe(true);
    expect(packet.l2Dst).toBe(0x001122334455);
    expect(packet.l2Src).toBe(0x66778899aabb);
    expect(packet.vlan).toBe(-1);
    expect(packet.innerVlan).toBe(-1);
  });

  test("Ethernet II with IPv6", () => {
    loadFrame(ether("86dd").bytes(ipv6Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipVersion).toBe(6);
    expect(packet.l2Len).toBe(14);
  });

  test("802.1Q tag", () => {
    loadFrame(ether("8100").hex("2064 0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expectIpv4At(18);
    expect(packet.vlan).toBe(100);
    expect(packet.innerVlan).toBe(-1);
  });

  test("QinQ (802.1ad outer, 802.1Q inner)", () => {
    loadFrame(ether("88a8").hex("000a 8100 0014 0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expectIpv4At(22);
    expect(packet.vlan).toBe(10);
    expect(packet.innerVlan).toBe(20);
  });

  test("no stale VLAN from the previous packet", () => {
    loadFrame(ether("8100").hex("0064 0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    loadFrame(ether("0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.vlan).toBe(-1);
  });

  test("too many VLAN tags → encapsulation_limit", () => {
    const b = ether("8100");
    for (let i = 0; i < 9; i++) b.hex("0001 8100");
    b.hex("0001 0800").bytes(ipv4Tcp());
    loadFrame(b, EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.encapsulation_limit);
  });

  test("MPLS, one label", () => {
    loadFrame(ether("8847").hex("00001 1ff").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expectIpv4At(18);
  });

  test("MPLS, two labels, IPv6 inside", () => {
    loadFrame(ether("8847").hex("000010ff 000021ff").bytes(ipv6Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipVersion).toBe(6);
    expect(packet.l2Len).toBe(22);
  });

  test("MPLS with a non-IP payload → −1; cut short → truncated_link_header", () => {
    loadFrame(ether("8847").hex("000011ff").hex(MAC_DST + MAC_SRC + "0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(-1);
    loadFrame(ether("8847").hex("00001000 00001000 000010"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_link_header);
  });

  test("PPPoE session with IPv4 and IPv6", () => {
    loadFrame(ether("8864").hex("1100 0001 002a 0021").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expectIpv4At(22);
    loadFrame(ether("8864").hex("1100 0001 003e 0057").bytes(ipv6Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipVersion).toBe(6);
    loadFrame(ether("8864").hex("1100 0001 0010 c021").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(-1);
    loadFrame(ether("8864").hex("1100 0001"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_pppoe_header);
  });

  test("PBB 802.1ah: I-TAG then the customer frame; MACs of the first header", () => {
    loadFrame(ether("88e7").hex("00012345 aaaaaaaaaaaa bbbbbbbbbbbb 8100 0005 0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expectIpv4At(14 + 4 + 14 + 4);
    expect(packet.vlan).toBe(5);
    expect(packet.l2Src).toBe(0x66778899aabb);
    loadFrame(ether("88e7").hex("00012345 aaaaaaaaaaaa"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_PBB_header);
  });

  test("VN-Tag", () => {
    loadFrame(ether("8926").hex("80010000 0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expectIpv4At(20);
    loadFrame(ether("8926").hex("80010000 8100 0007 0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.vlan).toBe(7);
    loadFrame(ether("8926").hex("800100"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_vntag_header);
  });

  test("Cisco FabricPath: 16-byte outer header, then classic Ethernet", () => {
    // From the Zeek btest trace: outer 6393 70b7 c70c / 1aac fae2 a8f4 ... as laid out there.
    loadFrame(hex("f351d64e6200 964ebf4e521d 8903 0000").hex(MAC_DST + MAC_SRC + "0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expectIpv4At(30);
    expect(packet.l2Dst).toBe(0xf351d64e6200);
    expect(packet.l2Src).toBe(0x964ebf4e521d);
    loadFrame(hex("f351d64e6200 964ebf4e521d 8903 0000").hex(MAC_DST + MAC_SRC), EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_link_header_cfp);
  });

  test("frames without IP: ARP, LLDP, 802.3 LLC → −1", () => {
    loadFrame(ether("0806").hex("0001 0800 0604 0001").hex(MAC_SRC + "0a000001" + "000000000000" + "0a000002"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(-1);
    loadFrame(ether("88cc").hex("0207 04" + MAC_SRC + "0000"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(-1);
    loadFrame(ether("0026").hex("4242 03 0000000000000000000000000000000000000000000000000000000000000000000000"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(-1);
  });

  test("EtherType 1501..1535 → undefined_ether_type; 802.3 length beyond the frame → truncated_ethernet_frame", () => {
    loadFrame(ether("05e0").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.undefined_ether_type);
    loadFrame(ether("05dc").hex("424203 00"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_ethernet_frame);
  });

  test("truncated Ethernet and VLAN headers", () => {
    loadFrame(hex(MAC_DST + MAC_SRC + "0800 45"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_ethernet_frame);
    loadFrame(ether("8100").hex("0064 08"), EN10MB);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_VLAN_header);
  });

  test("all-zero MACs mean no L2 address", () => {
    loadFrame(hex("000000000000 000000000000 0800").bytes(ipv4Tcp()), EN10MB);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.hasL2).toBe(false);
  });

  test("unknown link type → −1", () => {
    loadFrame(ipv4Tcp(), 147);
    expect(decodeFrame(packet, false)).toBe(-1);
  });
});
