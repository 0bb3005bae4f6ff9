/**
 * Aruba GRE with 802.11 inside (decode/wifi.ts): data frames and their link addresses, LLC/SNAP, and
 * A-MSDUs, where one frame holds several packets that decodeFrame() and decodeNextSubframe() return in
 * turn. 802.11 headers and subframes are hex.
 */
import { packet } from "../../assembly/decode/packet";
import { decodeFrame, decodeNextSubframe } from "../../assembly/decode/frame";
import { TunnelKind } from "../../assembly/decode/encap";
import { Weird } from "../../assembly/schema.generated";
import { Bytes, hex, loadFrame, addrText } from "./fixtures/build";
import { v4, tcp4, hexThen, OUTER_A, OUTER_B } from "./support/tunnel-frames";

const RAW: u32 = 101;

/** Aruba GRE (type 0x8200) around `wifi`, over IPv4. */
function aruba(wifi: Bytes): Bytes {
  return v4(47, OUTER_A, OUTER_B, hexThen("0000 8200", wifi));
}

/** Data frame, From-DS: addr1 = DA, addr2 = BSSID, addr3 = SA; sequence control 0. */
const DATA_FROM_DS = "0802 0000 aa0000000001 bb0000000002 cc0000000003 0000";
/** QoS data, From-DS, A-MSDU bit set in the QoS control. */
const QOS_AMSDU = "8802 0000 aa0000000001 bb0000000002 cc0000000003 0000 8000";
const LLC_IPV4 = "aaaa 03 000000 0800";

/** One A-MSDU subframe: DA, SA, length, then LLC/SNAP and the packet, padded to 4 when `pad`. */
function subframe(ip: Bytes, pad: bool): Bytes {
  const body = hex(LLC_IPV4).bytes(ip);
  const b = hex("dd0000000001 ee0000000002").u16(body.length).bytes(body);
  if (pad) b.zeros(body.length & 3);
  return b;
}

function load(b: Bytes): i32 {
  loadFrame(b, RAW);
  return decodeFrame(packet, false, 3);
}

describe("802.11 in Aruba GRE", () => {
  test("a data frame: LLC/SNAP IPv4, link addresses by the DS bits (From-DS: SA is addr3)", () => {
    expect(load(aruba(hex(DATA_FROM_DS + LLC_IPV4).bytes(tcp4("0a000101", "0a000102"))))).toBe(0);
    expect(packet.proto).toBe(6);
    expect(addrText(true)).toBe("10.0.1.1");
    expect(packet.tunnelKinds).toBe(TunnelKind.GRE);
    expect(packet.l2Dst).toBe(0xaa0000000001);
    expect(packet.l2Src).toBe(0xcc0000000003);
    expect(packet.moreSubframes).toBe(false);
  });

  test("frames without IP: management, null data, protected QoS, other LLC", () => {
    expect(load(aruba(hex("8000 0000 aa0000000001 bb0000000002 cc0000000003 0000 00000000")))).toBe(-1);
    expect(load(aruba(hex("4802 0000 aa0000000001 bb0000000002 cc0000000003 0000 00000000")))).toBe(-1);
    expect(load(aruba(hex("8842 0000 aa0000000001 bb0000000002 cc0000000003 0000 0000").bytes(tcp4("0a000101", "0a000102"))))).toBe(-1);
    expect(load(aruba(hex(DATA_FROM_DS + "f0f0 03 000000 0800").bytes(tcp4("0a000101", "0a000102"))))).toBe(-1);
  });

  test("truncated 802.11 and LLC headers are net weirds", () => {
    expect(load(aruba(hex("0802 0000 aa0000000001 bb0000")))).toBe(Weird.truncated_802_11_header);
    expect(packet.ipVersion).toBe(0);
    expect(load(aruba(hex(DATA_FROM_DS + "aaaa03")))).toBe(Weird.truncated_802_11_llc_header);
  });
});

describe("A-MSDU", () => {
  test("two packets in one frame, with Zeek's length % 4 padding between them", () => {
    const first = tcp4("0a000101", "0a000102");
    const second = v4(6, "0a000201", "0a000202", hex("04d2 0050 00000001 00000000 5010 ffff 0000 0000").zeros(3));
    const b = aruba(hex(QOS_AMSDU).bytes(subframe(first, true)).bytes(subframe(second, false)));
    expect(load(b)).toBe(0);
    expect(addrText(true)).toBe("10.0.1.1");
    expect(packet.ipTotal).toBe(40);
    expect(packet.moreSubframes).toBe(true);
    expect(decodeNextSubframe(packet, false, 3)).toBe(0);
    expect(addrText(true)).toBe("10.0.2.1");
    expect(packet.ipTotal).toBe(43);
    expect(packet.payloadCap).toBe(23);
    // Same tunnel level and link addresses for every subframe.
    expect(packet.tunnelCount).toBe(1);
    expect(packet.l2Dst).toBe(0xaa0000000001);
    expect(packet.moreSubframes).toBe(false);
  });

  test("each subframe's IP sees only its own bytes", () => {
    // The first subframe's IPv4 header claims 60 bytes but the subframe holds 40.
    const liar = hex("4500 003c 0101 4000 4006 0000 0a000101 0a000102").zeros(20);
    const b = aruba(hex(QOS_AMSDU).bytes(subframe(liar, true)).bytes(subframe(tcp4("0a000201", "0a000202"), false)));
    loadFrame(b, RAW);
    // Zeek checks the total length against the wire length of the whole 802.11 frame, so this passes,
    // with the captured payload cut at the subframe.
    expect(decodeFrame(packet, true, 3)).toBe(0);
    expect(packet.payloadDecl).toBe(40);
    expect(packet.payloadCap).toBe(20);
  });

  test("a cut-short subframe header or body ends the walk with its weird", () => {
    const one = subframe(tcp4("0a000101", "0a000102"), true);
    expect(load(aruba(hex(QOS_AMSDU).bytes(one).hex("dd0000000001 ee00")))).toBe(0);
    expect(packet.moreSubframes).toBe(true);
    expect(decodeNextSubframe(packet, false, 3)).toBe(Weird.truncated_802_11_amsdu_header);
    expect(packet.moreSubframes).toBe(false);
    expect(load(aruba(hex(QOS_AMSDU).bytes(one).hex("dd0000000001 ee0000000002 0100 aaaa")))).toBe(0);
    expect(decodeNextSubframe(packet, false, 3)).toBe(Weird.truncated_802_11_amsdu_packet);
    expect(packet.moreSubframes).toBe(false);
  });

  test("a subframe that cannot be analysed stops the walk with invalid_802_11_amsdu_inner_packet", () => {
    const bad = hex("dd0000000001 ee0000000002 000a f0f0 03 000000 0800 0000");
    const good = subframe(tcp4("0a000201", "0a000202"), false);
    expect(load(aruba(hex(QOS_AMSDU).bytes(bad).hex("00 00").bytes(good)))).toBe(-1);
    expect(packet.moreSubframes).toBe(true);
    expect(decodeNextSubframe(packet, false, 3)).toBe(Weird.invalid_802_11_amsdu_inner_packet);
    expect(packet.moreSubframes).toBe(false);
    // A dropped packet (here: truncated IP) does the same, after its own weird.
    const cut = hex("dd0000000001 ee0000000002 000c " + LLC_IPV4 + "4500 0014");
    expect(load(aruba(hex(QOS_AMSDU).bytes(cut).bytes(good)))).toBe(Weird.truncated_IP);
    expect(decodeNextSubframe(packet, false, 3)).toBe(Weird.invalid_802_11_amsdu_inner_packet);
    expect(packet.moreSubframes).toBe(false);
    // ARP is handed on (not IP, not a failure).
    const arp = hex("dd0000000001 ee0000000002 000a aaaa 03 000000 0806 0001");
    expect(load(aruba(hex(QOS_AMSDU).bytes(arp).hex("00 00").bytes(good)))).toBe(-1);
    expect(decodeNextSubframe(packet, false, 3)).toBe(0);
    expect(addrText(true)).toBe("10.0.2.1");
  });

  test("an A-MSDU inside a subframe's tunnel is refused", () => {
    const inner = aruba(hex(QOS_AMSDU).bytes(subframe(tcp4("0a000301", "0a000302"), false)));
    const b = aruba(hex(QOS_AMSDU).bytes(subframe(inner, false)));
    expect(load(b)).toBe(Weird.encapsulation_limit);
    expect(decodeNextSubframe(packet, false, 3)).toBe(Weird.invalid_802_11_amsdu_inner_packet);
  });
});
