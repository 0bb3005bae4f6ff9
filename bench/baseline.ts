/**
 * The baseline: a trivial classic-pcap reader in plain JS that walks the records and reads the TCP ports of
 * IPv4 packets over Ethernet (and 802.1Q, and IPv6 without extension headers). It reads the file the same way
 * the core driver does (1 MiB+ chunks with readSync), so the ratio core / baseline is the price of analysis.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 1 << 20;

export interface BaselineRun {
  seconds: number;
  bytes: number;
  packets: number;
  tcp: number;
  /** Sum of the ports, so the reads are not optimized away. */
  portSum: number;
}

export function trivialRead(file: string): BaselineRun {
  const t0 = performance.now();
  const fd = openSync(file, 'r');
  let buf = new Uint8Array(CHUNK * 2);
  let dv = new DataView(buf.buffer);
  let have = 0, bytes = 0, packets = 0, tcp = 0, portSum = 0;
  let start = 24; // skip the file header (assumed little-endian, µs)
  try {
    for (;;) {
      if (buf.length - have < CHUNK) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf.subarray(0, have));
        buf = bigger;
        dv = new DataView(buf.buffer);
      }
      const n = readSync(fd, buf, have, buf.length - have, null);
      if (n === 0) break;
      have += n;
      bytes += n;
      let o = start;
      while (o + 16 <= have) {
        const caplen = dv.getUint32(o + 8, true);
        if (o + 16 + caplen > have) break;
        const f = o + 16;
        packets++;
        let l3 = f + 12;
        let type = dv.getUint16(l3);
        if (type === 0x8100) { l3 += 4; type = dv.getUint16(l3); }
        l3 += 2;
        let l4 = -1;
        if (type === 0x0800 && buf[l3 + 9] === 6) l4 = l3 + ((buf[l3] & 15) << 2);
        else if (type === 0x86dd && buf[l3 + 6] === 6) l4 = l3 + 40;
        if (l4 >= 0 && l4 + 4 <= f + caplen) {
          tcp++;
          portSum += dv.getUint16(l4) + dv.getUint16(l4 + 2);
        }
        o = f + caplen;
      }
      // Keep the partial record at the front.
      buf.copyWithin(0, o, have);
      have -= o;
      start = 0;
    }
  } finally {
    closeSync(fd);
  }
  return { seconds: (performance.now() - t0) / 1000, bytes, packets, tcp, portSum };
}
