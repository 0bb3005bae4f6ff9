import { packet } from "../../assembly/decode/packet";
import { decodeFrame } from "../../assembly/decode/frame";
import { Weird } from "../../assembly/schema.generated";
import { hex, loadFrame, addrText } from "./fixtures/build";
import { ipv4Tcp, ipv6Tcp } from "./fixtures/frames";

describe("cooked, loopback and raw link types", () => {
  test("LINUX_SLL: source MAC, no destination", () => {
    loadFrame(hex("0000 0001 0006 66778899aabb 0000 0800").bytes(ipv4Tcp()), 113);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.l2Len).toBe(16);
    expect(packet.ipVersion).toBe(4);
    expect(packet.hasL2).toBe(true);
    expect(packet.l2Src).toBe(0x66778899aabb);
    expect(packet.l2Dst).toBe(0);
  });

  test("LINUX_SLL: address of another length is not a MAC; ARP is not IP; truncated", () => {
    loadFrame(hex("0000 0304 0000 0000000000000000 86dd").bytes(ipv6Tcp()), 113);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.hasL2).toBe(false);
    expect(packet.ipVersion).toBe(6);
    loadFrame(hex("0000 0001 0006 66778899aabb 0000 0806 0001080006040001"), 113);
    expect(decodeFrame(packet, false)).toBe(-1);
    loadFrame(hex("0000 0001 0006 66778899aabb 0000 0800"), 113);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_Linux_SLL_header);
  });

  test("LINUX_SLL2", () => {
    loadFrame(hex("86dd 0000 00000002 0001 04 06 66778899aabb0000").bytes(ipv6Tcp()), 276);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.l2Len).toBe(20);
    expect(packet.ipVersion).toBe(6);
    expect(packet.l2Src).toBe(0x66778899aabb);
    expect(packet.hasL2).toBe(true);
    loadFrame(hex("0800 0000 00000002 0001 04 06 66778899aabb0000"), 276);
    expect(decodeFrame(packet, false)).toBe(Weird.truncated_Linux_SLL2_header);
  });

  test("NULL: family in little- and big-endian order, IPv6 family variants", () => {
    loadFrame(hex("02000000").bytes(ipv4Tcp()), 0);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.l2Len).toBe(4);
    expect(packet.hasL2).toBe(false);
    expect(addrText(true)).toBe("10.0.0.1");
    loadFrame(hex("00000002").bytes(ipv4Tcp()), 0);
    expect(decodeFrame(packet, false)).toBe(0);
    loadFrame(hex("1e000000").bytes(ipv6Tcp()), 0);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipVersion).toBe(6);
    loadFrame(hex("0000001c").bytes(ipv6Tcp()), 0);
    expect(decodeFrame(packet, false)).toBe(0);
    loadFrame(hex("00000018").bytes(ipv6Tcp()), 108);
    expect(decodeFrame(packet, false)).toBe(0);
  });

  test("NULL: other families → −1; truncated → null_analyzer_failed", () => {
    loadFrame(hex("07000000").bytes(ipv4Tcp()), 0);
    expect(decodeFrame(packet, false)).toBe(-1);
    loadFrame(hex("02000000"), 0);
    expect(decodeFrame(packet, false)).toBe(Weird.null_analyzer_failed);
  });

  test("raw IP link types 12, 14, 101, 228, 229", () => {
    loadFrame(ipv4Tcp(), 101);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.l2Len).toBe(0);
    expect(packet.hasL2).toBe(false);
    loadFrame(ipv4Tcp(), 12);
    expect(decodeFrame(packet, false)).toBe(0);
    loadFrame(ipv4Tcp(), 14);
    expect(decodeFrame(packet, false)).toBe(0);
    loadFrame(ipv4Tcp(), 228);
    expect(decodeFrame(packet, false)).toBe(0);
    loadFrame(ipv6Tcp(), 229);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipVersion).toBe(6);
    loadFrame(ipv6Tcp(), 101);
    expect(decodeFrame(packet, false)).toBe(0);
    expect(packet.ipVersion).toBe(6);
  });
});
