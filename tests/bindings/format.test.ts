/** Address, uid, flag and TCP option formatting; address and subnet parsing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTcpOptions, encodeTcpOptions, formatAddr, formatMac, formatTcpFlags, formatUid, parseTcpFlags, parseUid } from '../../bindings/core/format.ts';
import { inSubnet, parseAddr, parseSubnet } from '../../bindings/core/addr.ts';

const v6 = (s: string) => formatAddr(parseAddr(s)!.bytes, 0, 6);

test('IPv4 addresses print as dotted quads', () => {
  const a = parseAddr('192.168.1.102')!;
  assert.equal(a.version, 4);
  assert.deepEqual([...a.bytes.subarray(10, 12)], [0xff, 0xff]);
  assert.equal(formatAddr(a.bytes, 0, 4), '192.168.1.102');
  assert.equal(formatAddr(a.bytes, 0, 6), '192.168.1.102', 'IPv4-mapped prints as IPv4, like Zeek');
});

test('IPv6 addresses are compressed like inet_ntop (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['2001:0470:4867:0099:0000:0000:0000:0021', '2001:470:4867:99::21'],
    ['FE80:0:0:0:0217:F2FF:FED7:CF65', 'fe80::217:f2ff:fed7:cf65'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:1:1:1:0:1', '2001:db8:1:1:1:1:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:4860:b002::68', '2001:4860:b002::68'],
    ['fe80::', 'fe80::'],
    ['::1.2.3.4', '::1.2.3.4'],
  ];
  for (const [input, want] of cases) assert.equal(v6(input), want, input);
});

test('address parsing rejects malformed text', () => {
  for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', '']) {
    assert.equal(parseAddr(bad), null, bad);
  }
});

test('subnets: prefix in the 128-bit space, host bits cleared, membership', () => {
  const n = parseSubnet('10.1.2.3/8')!;
  assert.equal(n.prefix, 104);
  assert.deepEqual([...n.bytes.subarray(12)], [10, 0, 0, 0]);
  assert.ok(inSubnet(parseAddr('10.200.0.1')!.bytes, n));
  assert.ok(!inSubnet(parseAddr('11.0.0.1')!.bytes, n));
  const m = parseSubnet('2002:c633:6400::/40')!;
  assert.equal(m.prefix, 40);
  assert.ok(inSubnet(parseAddr('2002:c633:64ff::1')!.bytes, m));
  assert.ok(!inSubnet(parseAddr('2002:c633:6500::1')!.bytes, m));
  assert.equal(parseSubnet('1.2.3.4')!.prefix, 128);
  assert.equal(parseSubnet('10.0.0.0/33'), null);
  assert.equal(parseSubnet('::/129'), null);
});

test('uids: C + base62, least significant digit first, and back', () => {
  assert.equal(formatUid(0, 0, 0), 'C0');
  assert.equal(formatUid(61, 0, 0), 'Cz');
  assert.equal(formatUid(62, 0, 0), 'C01');
  const lo = 0x0123456789abcdefn, hi = 0xfedcba98;
  const s = formatUid(Number(lo & 0xffffffffn), Number(lo >> 32n), hi);
  let v = 0n;
  for (const ch of [...s.slice(1)].reverse()) v = v * 62n + BigInt('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.indexOf(ch));
  assert.equal(v, (BigInt(hi) << 64n) | lo);
  assert.deepEqual(parseUid(s), [lo, hi]);
});

test('uids match base62 by bigint arithmetic on random values and on zero, full and sparse limbs', () => {
  const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const reference = (v: bigint): string => {
    let s = 'C';
    do { s += B62[Number(v % 62n)]; v /= 62n; } while (v > 0n);
    return s;
  };
  let seed = 7;
  const word = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const pick = seed % 8;
    // Whole random words, and words with zero or full 16-bit halves (limbs that drop out or carry).
    return pick === 0 ? 0 : pick === 1 ? 0xffffffff : pick === 2 ? (seed & 0xffff) : pick === 3 ? (seed & 0xffff0000) >>> 0 : seed;
  };
  for (let i = 0; i < 3000; i++) {
    const lo0 = word(), lo1 = word(), hi = word();
    const v = (BigInt(hi) << 64n) | (BigInt(lo1) << 32n) | BigInt(lo0);
    assert.equal(formatUid(lo0, lo1, hi), reference(v), `${hi}:${lo1}:${lo0}`);
  }
  // Every length of text: each digit count odd and even (two digits come from a pass), at 62^k − 1, 62^k, 62^k + 1.
  const edges: bigint[] = [];
  for (let v = 0n; v < 4000n; v++) edges.push(v);
  for (let p = 62n; p < 1n << 96n; p *= 62n) edges.push(p - 1n, p, p + 1n);
  edges.push((1n << 96n) - 1n);
  for (const v of edges) {
    const w = (k: number) => Number((v >> BigInt(32 * k)) & 0xffffffffn);
    assert.equal(formatUid(w(0), w(1), w(2)), reference(v), String(v));
  }
});

test('TCP flags in Zeek order S F R A P U', () => {
  assert.equal(formatTcpFlags(2), 'S');
  assert.equal(formatTcpFlags(18), 'SA');
  assert.equal(formatTcpFlags(1 | 16), 'FA');
  assert.equal(formatTcpFlags(24), 'AP');
  assert.equal(formatTcpFlags(63), 'SFRAPU');
  assert.equal(formatTcpFlags(0), '');
  for (let b = 0; b < 64; b++) assert.equal(parseTcpFlags(formatTcpFlags(b)), b);
});

test('MAC addresses', () => {
  assert.equal(formatMac(Uint8Array.from([0, 0x1b, 0x21, 0xaa, 0xbb, 0xcc]), 0), '00:1b:21:aa:bb:cc');
});

test('TCP options: known kinds with valid lengths get their fields', () => {
  const bytes = Uint8Array.from([
    2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 5, 10, 0, 0, 1, 0, 0, 0, 2, 0,
    27, 8, 5, 6, 0, 0, 0, 9, 28, 4, 0, 0, 34, 2, 0,
  ]);
  assert.deepEqual(decodeTcpOptions(bytes, 0, bytes.length), [
    { kind: 2, length: 4, mss: 1460 }, { kind: 1, length: 1 }, { kind: 3, length: 3, window_scale: 7 },
    { kind: 4, length: 2 }, { kind: 8, length: 10, send_timestamp: 1, echo_timestamp: 2 },
    { kind: 5, length: 10, sack: [256, 512] }, { kind: 27, length: 8, rate: 5, ttl_diff: 6, qs_nonce: 9 },
    { kind: 28, length: 4 }, { kind: 34, length: 2 }, { kind: 0, length: 1 },
  ]);
});

test('TCP options: invalid lengths and unknown kinds keep their data; the walk stops where Zeek stops', () => {
  const d = (...b: number[]) => decodeTcpOptions(Uint8Array.from(b), 0, b.length);
  assert.deepEqual(d(2, 3, 9), [{ kind: 2, length: 3, data: Uint8Array.from([9]) }]);
  assert.deepEqual(d(99, 4, 1, 2), [{ kind: 99, length: 4, data: Uint8Array.from([1, 2]) }]);
  assert.deepEqual(d(99, 2), [{ kind: 99, length: 2 }]);
  assert.deepEqual(d(3, 1, 1), [{ kind: 3, length: 1 }, { kind: 1, length: 1 }, { kind: 1, length: 1 }], 'length 1 accepted, advance by 1');
  assert.deepEqual(d(1, 2), [{ kind: 1, length: 1 }], 'no room for the length byte');
  assert.deepEqual(d(1, 2, 0), [{ kind: 1, length: 1 }], 'length 0 stops');
  assert.deepEqual(d(2, 9, 0, 0), [], 'overrun stops');
  assert.deepEqual(d(0, 1, 1), [{ kind: 0, length: 1 }], 'EOL ends the list');
  assert.deepEqual(d(29, 3, 0), [{ kind: 29, length: 3, data: Uint8Array.from([0]) }]);
  assert.deepEqual(d(34, 4, 0, 0), [{ kind: 34, length: 4, data: Uint8Array.from([0, 0]) }]);
});

test('TCP option encoding inverts decoding', () => {
  const opts = [{ kind: 2, length: 4, mss: 1220 }, { kind: 1, length: 1 }, { kind: 5, length: 18, sack: [1, 2, 3, 4] }, { kind: 0, length: 1 }];
  const b = encodeTcpOptions(opts);
  assert.deepEqual(decodeTcpOptions(b, 0, b.length), opts);
});
