import { packet } from "../../assembly/decode/packet";
import { decodeFrame } from "../../assembly/decode/frame";
import { Tcp, TcpFlag } from "../../assembly/decode/tcp";
import { tcpChecksumOk, ipv4HeaderChecksumOk, sumBytes, foldSum } from "../../assembly/decode/checksum";
import { parseSynOptions, synOptions } from "../../assembly/decode/tcp-options";
import { Bytes, hex, loadFrame, fixIpv4Checksum } from "./fixtures/build";

const RAW: u32 = 101;

/** Reference checksum: plain big-endian 16-bit sum over pseudo header + segment, written into the segment. */
function fixTcpChecksum(b: Bytes, ipAt: i32, tcpAt: i32, v6: bool): void {
  const tcpLen = b.length - tcpAt;
  b.data[tcpAt + 16] = 0;
  b.data[tcpAt + 17] = 0;
  let sum: u64 = 0;
  const srcAt = v6 ? ipAt + 8 : ipAt + 12;
  const addrLen = v6 ? 32 : 8;
  for (let i = 0; i < addrLen; i += 2) sum += (<u64>b.data[srcAt + i] << 8) | <u64>b.data[srcAt + i + 1];
  sum += 6 + <u64>tcpLen;
  for (let i = 0; i < tcpLen; i += 2) {
    const hi = <u64>b.data[tcpAt + i] << 8;
    sum += i + 1 < tcpLen ? hi | <u64>b.data[tcpAt + i + 1] : hi;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  const c = ~(<u32>sum) & 0xffff;
  b.data[tcpAt + 16] = <u8>(c >> 8);
  b.data[tcpAt + 17] = <u8>c;
}

function v4Segment(payload: i32): Bytes {
  const total = 40 + payload;
  const b = hex("4500").u16(<u32>total).hex("0001 0000 4006 0000 c0a80001 c0a80002");
  fixIpv4Checksum(b, 0);
  b.hex("c350 01bb 11223344 55667788 5018 7210 0000 0000");
  for (let i = 0; i < payload; i++) b.u8(<u32>(i * 7 + 3));
  fixTcpChecksum(b, 0, 20, false);
  return b;
}

function v6Segment(payload: i32): Bytes {
  const b = hex("6000 0000").u16(<u32>(20 + payload)).hex("0640 fe80000000000000000000000000000a fe80000000000000000000000000000b");
  b.hex("c350 01bb 11223344 55667788 5018 7210 0000 0000");
  for (let i = 0; i < payload; i++) b.u8(<u32>(255 - (i & 0xff)));
  fixTcpChecksum(b, 0, 40, true);
  return b;
}

describe("TCP header view", () => {
  test("accessors", () => {
    loadFrame(hex("c350 01bb 11223344 55667788 80d2 7210 abcd 0007"), RAW);
    const t = packet.data;
    expect(Tcp.srcPort(t)).toBe(50000);
    expect(Tcp.dstPort(t)).toBe(443);
    expect(Tcp.seq(t)).toBe(0x11223344);
    expect(Tcp.ack(t)).toBe(0x55667788);
    expect(Tcp.dataOffset(t)).toBe(8);
    expect(Tcp.flags(t)).toBe(TcpFlag.SYN | TcpFlag.ACK | TcpFlag.ECE | TcpFlag.CWR);
    expect(Tcp.window(t)).toBe(0x7210);
    expect(Tcp.checksum(t)).toBe(0xabcd);
    expect(Tcp.urgent(t)).toBe(7);
  });
});

describe("checksums", () => {
  test("IPv4 header checksum", () => {
    const b = v4Segment(0);
    loadFrame(b, RAW);
    expect(ipv4HeaderChecksumOk(packet.data, 20)).toBe(true);
    b.set(8, 0x3f);
    loadFrame(b, RAW);
    expect(ipv4HeaderChecksumOk(packet.data, 20)).toBe(false);
  });

  test("TCP over IPv4, even and odd payload lengths, long segments", () => {
    const sizes: i32[] = [0, 1, 2, 3, 5, 7, 13, 17, 100, 1461, 9001];
    for (let i = 0; i < sizes.length; i++) {
      const b = v4Segment(sizes[i]);
      loadFrame(b, RAW);
      expect(decodeFrame(packet, false)).toBe(0);
      expect(tcpChecksumOk(packet, packet.l4Ptr, packet.payloadDecl)).toBe(true);
      b.set(b.length - 1, b.data[b.length - 1] ^ 0x10);
      loadFrame(b, RAW);
      expect(decodeFrame(packet, false)).toBe(0);
      expect(tcpChecksumOk(packet, packet.l4Ptr, packet.payloadDecl)).toBe(false);
    }
  });

  test("sumBytes equals a plain 16-bit sum at every length and alignment, all-ones and random bytes, past 64 KiB", () => {
    const buf = heap.alloc(140000 + 16);
    let seed: u32 = 12345;
    const lengths: u32[] = [];
    for (let n: u32 = 0; n <= 200; n++) lengths.push(n);
    lengths.push(65535); lengths.push(65536); lengths.push(65600); lengths.push(140000);
    let bad = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let i: u32 = 0; i < 140016; i++) {
        seed = seed * 1103515245 + 12345;
        store<u8>(buf + i, pass == 0 ? 0xff : <u8>(seed >> 16));
      }
      for (let k = 0; k < lengths.length; k++) {
        const n = lengths[k], at = buf + <usize>(k & 7);
        // Reference: little-endian words one by one, an odd last byte as the low byte of a word.
        let want: u64 = 7;
        for (let i: u32 = 0; i + 1 < n; i += 2) want += <u64>load<u16>(at + i);
        if (n & 1) want += <u64>load<u8>(at + n - 1);
        if (foldSum(sumBytes(at, n, 7)) != foldSum(want)) bad++;
      }
    }
    expect(bad).toBe(0);
    heap.free(buf);
  });

  test("TCP over IPv6", () => {
    const sizes: i32[] = [0, 1, 31, 1000];
    for (let i = 0; i < sizes.length; i++) {
      const b = v6Segment(sizes[i]);
      loadFrame(b, RAW);
      expect(decodeFrame(packet, false)).toBe(0);
      expect(tcpChecksumOk(packet, packet.l4Ptr, packet.payloadDecl)).toBe(true);
      b.set(45, b.data[45] ^ 1);
      loadFrame(b, RAW);
      expect(decodeFrame(packet, false)).toBe(0);
      expect(tcpChecksumOk(packet, packet.l4Ptr, packet.payloadDecl)).toBe(false);
    }
  });
});

function options(h: string): void {
  const b = hex("c350 01bb 00000001 00000000 0002 ffff 0000 0000").hex(h);
  const hlen = b.length;
  b.set(12, <u8>((hlen / 4) << 4));
  loadFrame(b, RAW);
  parseSynOptions(packet.data, <u32>hlen);
}

describe("SYN options", () => {
  test("Linux SYN: MSS, SACK-permitted, timestamps, NOP, window scale", () => {
    options("020405b4 0402 080a 23e9f8a8 00000000 01 030307");
    expect(synOptions.mss).toBe(1460);
    expect(synOptions.sackOk).toBe(true);
    expect(synOptions.hasTs).toBe(true);
    expect(synOptions.tsVal).toBe(602536104);
    expect(synOptions.tsEcr).toBe(0);
    expect(synOptions.winScale).toBe(7);
  });

  test("absent options", () => {
    options("");
    expect(synOptions.mss).toBe(0);
    expect(synOptions.winScale).toBe(-1);
    expect(synOptions.sackOk).toBe(false);
    expect(synOptions.hasTs).toBe(false);
  });

  test("short lengths give no value; a length of 1 advances by 1", () => {
    options("0203 05 0302 0408 0a0000 00 010101");
    expect(synOptions.mss).toBe(0);
    expect(synOptions.winScale).toBe(-1);
    expect(synOptions.sackOk).toBe(true); // SACK-permitted counts with any length
    options("0401 030307 0000");
    expect(synOptions.winScale).toBe(7);
  });

  test("EOL ends the walk; length 0 and overruns stop it", () => {
    options("00 030307 01010101");
    expect(synOptions.winScale).toBe(-1);
    options("fe00 030307 000000");
    expect(synOptions.winScale).toBe(-1);
    options("0402 020405b4 030e07");
    expect(synOptions.sackOk).toBe(true);
    expect(synOptions.mss).toBe(1460);
    expect(synOptions.winScale).toBe(-1);
  });

  test("window scale as sent, not clamped", () => {
    options("03030e 03031e 0000");
    expect(synOptions.winScale).toBe(30);
  });
});
