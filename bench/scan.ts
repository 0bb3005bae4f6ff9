/**
 * A SYN scan: `packets` SYNs, each from its own address and port to one server port, 20 k a second, none
 * answered. Every packet makes a connection that waits for its attempt timer, so the scan measures what a
 * connection costs (creation, timers, removal, its conn.log row) where real traffic spreads it over ~24 packets.
 */
import { makeHost, Opt, PcapWriter, Segment, SYN } from './pcap-writer.ts';

export interface Scan { packets: number; bytes: number }

/** SYNs per second of capture time. */
const RATE = 20_000;

export function writeScan(path: string, packets: number): Scan {
  const w = new PcapWriter(path, 1);
  const s = new Segment();
  const mac = Uint8Array.of(2, 0, 0, 0, 0, 1);
  s.dst = makeHost(Uint8Array.of(192, 0, 2, 80), Uint8Array.of(2, 0, 0, 0, 0, 2));
  s.dport = 80;
  s.flags = SYN;
  s.win = 1024;
  s.opt = Opt.None;
  for (let i = 0; i < packets; i++) {
    // 10.0.0.0/8 sources: distinct addresses up to 16 M packets.
    s.src = makeHost(Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255), mac);
    s.sport = 1024 + (i % 60_000);
    s.seq = (i * 2654435761) >>> 0;
    s.ipId = i & 0xffff;
    w.write(Math.floor((i * 1e6) / RATE), s);
  }
  w.close();
  return { packets, bytes: w.bytes };
}
