/**
 * Hostile IP and TCP headers: each packet is dropped with a counted weird (or, for TCP option oddities Zeek
 * accepts silently, analysed without one), and the run ends in Done — never a trap.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, describe, pcap, tcpFrame, type RunOptions, type RunResult, type TcpSpec } from './fixtures.ts';

async function run(frames: Uint8Array[], o: RunOptions = {}): Promise<RunResult> {
  const r = await analyze(pcap(frames), o);
  assert.equal(r.status, 'Done', describe(r));
  return r;
}

async function expectWeird(frames: Uint8Array[], weird: string, o: RunOptions = {}): Promise<RunResult> {
  const r = await run(frames, o);
  assert.ok((r.weirds[weird] ?? 0) > 0, `expected weird ${weird}: ${describe(r)}`);
  assert.ok(r.stats.weirds > 0, `weirds counter: ${describe(r)}`);
  return r;
}

/** Sets bytes of a built frame (offsets from the start of the frame). */
function patch(frame: Uint8Array, at: number, ...bytes: number[]): Uint8Array {
  const f = frame.slice();
  f.set(bytes, at);
  return f;
}

const IP = 14; // IPv4 header offset in an untagged Ethernet frame
const syn = (t: TcpSpec = {}): Uint8Array => tcpFrame({ flags: 'S', ...t });

// ---- IPv4 ----

test('IPv4 IHL below 5', async () => {
  await expectWeird([syn({ ihl: 4 })], 'IPv4_min_header_size');
});

test('IPv4 IHL larger than the total length', async () => {
  await expectWeird([syn({ ihl: 15 })], 'invalid_IP_header_size');
});

test('IPv4 IHL larger than the captured bytes', async () => {
  // A 60-byte header announced, total length 100, but only 40 IP bytes captured (wire length says 100).
  const f = syn({ ihl: 15, totalLength: 100 }).subarray(0, IP + 40);
  const r = await analyze(pcap([{ ts: 1e9, data: f, wireLen: IP + 100 }]));
  assert.equal(r.status, 'Done', describe(r));
  assert.ok(r.weirds.internally_truncated_header > 0, describe(r));
});

test('IPv4 total length larger than the frame', async () => {
  await expectWeird([syn({ totalLength: 1500 })], 'truncated_IP_len');
});

test('IPv4 total length 0 is dropped with checksums checked', async () => {
  const r = await expectWeird([syn({ totalLength: 0 })], 'ip_hdr_len_zero');
  assert.equal(r.stats.connections, 0, describe(r));
});

test('IPv4 total length 0 is analysed with ignore_checksums (TSO)', async () => {
  const r = await expectWeird([syn({ totalLength: 0 })], 'ip_hdr_len_zero', { options: { ignore_checksums: 1 } });
  assert.equal(r.stats.connections, 1, describe(r));
  assert.equal(r.stats.tcp_packets, 1, describe(r));
});

test('IPv4 bad header checksum', async () => {
  const r = await expectWeird([syn({ badIpChecksum: true })], 'bad_IP_checksum');
  assert.equal(r.stats.connections, 0, describe(r));
  const ok = await run([syn({ badIpChecksum: true })], { options: { ignore_checksums: 1 } });
  assert.equal(ok.stats.connections, 1, describe(ok));
});

test('frames cut inside the Ethernet, VLAN and IP headers', async () => {
  const f = syn({ vlan: 7 });
  // Zeek's Ethernet analyzer wants more than 16 bytes; its VLAN analyzer more than 4.
  await expectWeird([f.subarray(0, 10)], 'truncated_ethernet_frame');
  await expectWeird([f.subarray(0, 16)], 'truncated_ethernet_frame');
  await expectWeird([f.subarray(0, 17)], 'truncated_VLAN_header');
  await expectWeird([f.subarray(0, 18 + 12)], 'truncated_IP');
  await expectWeird([patch(syn(), IP, 0x75)], 'unknown_ip_version');
});

// ---- IPv6 ----

const V6 = { src: '2001:db8::1', dst: '2001:db8::2' };

/** An extension header of 8 bytes: next header, length 0, padding. */
function ext8(next: number): number[] {
  return [next, 0, 1, 4, 0, 0, 0, 0];
}

test('IPv6 endless extension header chain', async () => {
  // 64 destination-option headers each pointing at another one: the walk is bounded.
  const chain = new Uint8Array(Array.from({ length: 64 }, (_, i) => ext8(i === 63 ? 6 : 60)).flat());
  await expectWeird([syn({ ...V6, ext: chain, firstNext: 60 })], 'ipv6_ext_hdr_limit');
});

test('IPv6 hop-by-hop header pointing at itself many times', async () => {
  const chain = new Uint8Array(Array.from({ length: 40 }, () => ext8(0)).flat());
  const r = await run([syn({ ...V6, ext: chain, firstNext: 0 })]);
  assert.ok(r.stats.weirds > 0 && r.stats.connections === 0, describe(r));
});

test('IPv6 truncated extension header chain', async () => {
  // A hop-by-hop header claiming 88 bytes with only 8 present (and the payload length agreeing with that).
  const ext = new Uint8Array([6, 10, 1, 4, 0, 0, 0, 0]);
  const f = syn({ ...V6, ext, firstNext: 0, payloadLength: 8 }).subarray(0, 14 + 48);
  await expectWeird([f], 'ipv6_ext_hdr_truncated');
});

test('IPv6 payload length beyond the frame', async () => {
  await expectWeird([syn({ ...V6, payloadLength: 4000 })], 'truncated_IP_len');
});

// ---- TCP header ----

test('TCP data offset below 5', async () => {
  await expectWeird([syn({ dataOffset: 4 })], 'bad_TCP_header_len');
});

test('TCP data offset beyond the segment', async () => {
  await expectWeird([syn({ dataOffset: 15 })], 'truncated_header');
});

test('TCP header shorter than 20 bytes', async () => {
  const f = syn();
  const cut = f.subarray(0, IP + 20 + 12);
  const r = await analyze(pcap([{ ts: 1e9, data: cut, wireLen: f.length }]));
  assert.equal(r.status, 'Done', describe(r));
  assert.ok(r.stats.weirds > 0, describe(r));
});

test('bad TCP checksum', async () => {
  const r = await expectWeird([syn({ badTcpChecksum: true })], 'bad_TCP_checksum');
  assert.equal(r.stats.tcp_packets, 1);
});

// ---- TCP options ----

const optionEvents: RunOptions = { events: ['tcp_option', 'tcp_options', 'conn_weird', 'flow_weird', 'net_weird', 'connection_SYN_packet'] };

test('TCP option with length 0 ends the walk', async () => {
  const r = await run([syn({ options: [2, 4, 5, 0xb4, 3, 0, 0, 0] })], optionEvents);
  assert.equal(r.events.tcp_option, 1, `only the MSS option is reported: ${describe(r)}`);
  assert.equal(r.events.connection_SYN_packet, 1);
});

test('TCP option running past the header', async () => {
  const r = await run([syn({ options: [1, 1, 8, 40, 0, 0, 0, 0] })], optionEvents);
  assert.equal(r.events.tcp_option, 2, `the two NOPs only: ${describe(r)}`);
});

test('TCP option length byte missing at the end of the header', async () => {
  const r = await run([syn({ options: [1, 1, 1, 2] })], optionEvents);
  assert.equal(r.events.tcp_option, 3, describe(r));
});

test('TCP option length 1 for a kind ≥ 2', async () => {
  // The walk advances by the length, so each length byte 1 is read next as a NOP.
  const r = await run([syn({ options: [3, 1, 2, 1, 8, 1, 5, 1] })], optionEvents);
  assert.equal(r.events.tcp_option, 8, describe(r));
  assert.ok(r.weirds.tcp_option_window_scale_invalid_len > 0, describe(r));
  assert.ok(r.weirds.tcp_option_mss_invalid_len > 0, describe(r));
  assert.ok(r.weirds.tcp_option_timestamps_invalid_len > 0, describe(r));
  assert.ok(r.weirds.tcp_option_sack_blocks_invalid_len > 0, describe(r));
});

test('40 bytes of NOPs', async () => {
  const r = await run([syn({ options: Array(40).fill(1) })], optionEvents);
  assert.equal(r.events.tcp_option, 40, describe(r));
  assert.equal(r.events.tcp_options, 1, describe(r));
});

test('every option kind with every length', async () => {
  // 256 kinds × lengths 0..40 in 40-byte option areas: no trap, one connection.
  const frames: Uint8Array[] = [];
  for (let kind = 0; kind < 256; kind++) {
    for (const len of [0, 1, 2, 3, 4, 10, 38, 39, 40, 255]) {
      const o = Array(40).fill(1);
      o[0] = kind;
      o[1] = len;
      frames.push(syn({ options: o, seq: 1000 }));
    }
  }
  const r = await run(frames, { events: 'all' });
  assert.equal(r.stats.tcp_packets, frames.length, describe(r));
});

test('SYN with window scale 255', async () => {
  await expectWeird([syn({ options: [3, 3, 255, 1] })], 'TCP_scale_range');
});
