/**
 * Deterministic generator of a large, realistic TCP capture (classic pcap, Ethernet): connections arrive as a
 * Poisson process and run concurrently, each a small script of phases — handshake, request/response rounds,
 * close — whose packets are scheduled in observation time (capture point next to the clients) and merged
 * through a min-heap, so timestamps never decrease and memory depends on concurrency, not on capture size.
 *
 * Mix: IPv4 and IPv6, some 802.1Q; rejected and unanswered SYNs; uploads, downloads, keep-alive and
 * interactive sessions; 1448-byte segments, slow-start flights, delayed ACKs; retransmissions, reordering and
 * capture losses (ACKed but unseen data → content gaps); FIN closes from either side, client aborts, server
 * resets, idle connections left open; 4-tuple reuse of recently closed connections. A warm-up period is simulated
 * but not written, so the capture starts in steady state, with connections already in progress.
 *
 *   node --import tsx bench/gen.ts --packets 2000000 --out /tmp/bench.pcap [--seed 1]
 */
import { ACK, FIN, Opt, PSH, PcapWriter, POOL, RST, SYN, Segment, makeHost, type Host } from './pcap-writer.ts';
import { Rng } from './rng.ts';

export interface GenOptions {
  packets: number;
  path: string;
  seed?: number;
  /** New connections per second of capture time. */
  arrivalsPerSec?: number;
  /**
   * Seconds simulated before the first packet is written, so the capture starts in steady state (long
   * interactive sessions already running; the analyzer then sees them as partial connections). Default 20.
   */
  warmupSec?: number;
}

export interface GenResult {
  packets: number;
  bytes: number;
  connections: number;
  /** Capture duration in seconds. */
  seconds: number;
  /** Most generator connections in flight at once (not counting the analyzer's close delays). Counts of
   * connections, IPv6, 802.1Q and reuse are of connections that start after the warm-up. */
  maxConcurrent: number;
  ipv6: number;
  vlan: number;
  reused: number;
  wallMs: number;
}

/** Impairment rates per data segment. */
const P_LOSS = 0.001, P_REXMIT = 0.004, P_REORDER = 0.003;
const SERVER_PORTS = [80, 443, 443, 443, 443, 22, 8080, 25, 3306, 9000, 6379, 993];

interface Pkt {
  t: number;
  c2s: boolean;
  flags: number;
  /** Sequence number relative to the sender's ISN + 1 (a SYN is −1). */
  rel: number;
  /** Acknowledgement relative to the peer's ISN + 1. */
  ack: number;
  len: number;
}

const Step = { Rounds: 1, Close: 2, Done: 3 } as const;

class Conn {
  q: Pkt[] = [];
  qi = 0;
  tEnd = 0;
  cli!: Host;
  srv!: Host;
  vlan = -1;
  cport = 0;
  sport = 0;
  cIsn = 0;
  sIsn = 0;
  cBase = 0;
  sBase = 0;
  rtt = 0;
  /** Serialization time of a full segment (µs). */
  gap = 0;
  ts = false;
  tsC = 0;
  tsS = 0;
  mssC = 1448;
  mssS = 1448;
  cSent = 0;
  sSent = 0;
  rounds = 0;
  interactive = false;
  step: number = Step.Done;
  closed = false;
  ipIdC = 0;
  ipIdS = 0;
  flowC = 0;
  flowS = 0;
  ttlS = 52;
  get key(): number { return this.q[this.qi].t; }
}

/** Min-heap of connections keyed by the time of their next packet. */
class Heap {
  a: Conn[] = [];
  get size(): number { return this.a.length; }
  push(c: Conn): void {
    const a = this.a;
    let i = a.length;
    a.push(c);
    const k = c.key;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].key <= k) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = c;
  }
  pop(): Conn {
    const a = this.a, top = a[0], last = a.pop()!;
    if (a.length > 0) {
      const k = last.key, n = a.length;
      let i = 0;
      for (;;) {
        let m = 2 * i + 1;
        if (m >= n) break;
        if (m + 1 < n && a[m + 1].key < a[m].key) m++;
        if (a[m].key >= k) break;
        a[i] = a[m];
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

function v4(a: number, b: number, c: number, d: number): Uint8Array { return new Uint8Array([a, b, c, d]); }
function v6(prefix: number, i: number): Uint8Array {
  const x = new Uint8Array(16);
  x.set([0x20, 0x01, 0x0d, 0xb8, prefix >> 8, prefix & 255]);
  const n = i + 1;
  x[12] = (n >> 24) & 255; x[13] = (n >> 16) & 255; x[14] = (n >> 8) & 255; x[15] = n & 255;
  return x;
}
function mac(kind: number, i: number): Uint8Array { return new Uint8Array([0x02, kind, (i >> 16) & 255, (i >> 8) & 255, i & 255, 0x01]); }

export function generate(opts: GenOptions): GenResult {
  const started = performance.now();
  const rng = new Rng(opts.seed ?? 1);
  const w = new PcapWriter(opts.path, opts.seed ?? 1);
  const seg = new Segment();
  const clients4 = Array.from({ length: 6000 }, (_, i) => makeHost(v4(10, 1 + (i >> 8), i & 255, 2 + (i % 200)), mac(1, i)));
  const clients6 = Array.from({ length: 600 }, (_, i) => makeHost(v6(0x0a00, i), mac(2, i)));
  const servers4 = Array.from({ length: 48 }, (_, i) => makeHost(v4(198, 51, 100, 10 + i), mac(3, i)));
  const servers6 = Array.from({ length: 8 }, (_, i) => makeHost(v6(0x0b00, i), mac(4, i)));
  const nextPort = new Uint16Array(clients4.length + clients6.length).fill(32768);
  const recent: Conn[] = [];
  const heap = new Heap();
  const arrivalMean = 1e6 / (opts.arrivalsPerSec ?? 2000);
  const warmup = (opts.warmupSec ?? 20) * 1e6;
  let nextArrival = 0, now = 0, first = -1;
  const res: GenResult = { packets: 0, bytes: 0, connections: 0, seconds: 0, maxConcurrent: 0, ipv6: 0, vlan: 0, reused: 0, wallMs: 0 };

  const push = (c: Conn, t: number, c2s: boolean, flags: number, rel: number, ack: number, len: number): void => {
    c.q.push({ t, c2s, flags, rel, ack, len });
    if (t > c.tEnd) c.tEnd = t;
  };

  /** Data from one side in slow-start flights; the receiver ACKs every second segment (delayed ACK otherwise). */
  const sendData = (c: Conn, c2s: boolean, bytes: number, t: number, piggyback: boolean, abortAfter = -1): number => {
    const mss = c2s ? c.mssC : c.mssS;
    let rel = c2s ? c.cSent : c.sSent;
    const end = rel + bytes;
    const peer = c2s ? c.sSent : c.cSent;
    const ackDelay = c2s ? c.rtt : 20 + rng.int(0, 150);
    let cwnd = 10, inFlight = 0, pending = 0, sent = 0;
    while (rel < end) {
      if (abortAfter >= 0 && sent >= abortAfter) break;
      const len = Math.min(mss, end - rel);
      const last = rel + len >= end;
      if (!last && pending === 0 && rng.chance(P_REORDER)) {
        const len2 = Math.min(mss, end - rel - len);
        const f2 = rel + len + len2 >= end ? ACK | PSH : ACK;
        push(c, t, c2s, f2, rel + len, peer, len2);
        push(c, t + c.gap, c2s, ACK, rel, peer, len);
        rel += len + len2;
        t += 2 * c.gap;
        pending = 2;
        inFlight += 2;
        sent += 2;
      } else {
        const f = last ? ACK | PSH : ACK;
        if (!rng.chance(P_LOSS)) push(c, t, c2s, f, rel, peer, len);
        if (rng.chance(P_REXMIT)) push(c, t + c.rtt + (rng.chance(0.3) ? 200_000 : 0), c2s, f, rel, peer, len);
        rel += len;
        t += c.gap;
        pending++;
        inFlight++;
        sent++;
      }
      if (pending >= 2 || (rel >= end && !piggyback)) {
        const at = pending === 1 ? t + 40_000 : t + ackDelay;
        push(c, at, !c2s, ACK, peer, rel, 0);
        pending = 0;
      }
      if (inFlight >= cwnd && rel < end) {
        t += c.rtt;
        inFlight = 0;
        cwnd = Math.min(cwnd * 2, 256);
      }
    }
    if (c2s) c.cSent = rel; else c.sSent = rel;
    return t;
  };

  const newConn = (t: number): Conn => {
    const c = new Conn();
    const counted = t >= warmup;
    if (counted) res.connections++;
    if (recent.length > 0 && rng.chance(0.02)) {
      const old = recent[rng.int(0, recent.length - 1)];
      recent[recent.indexOf(old)] = recent[recent.length - 1];
      recent.pop();
      c.cli = old.cli; c.srv = old.srv; c.vlan = old.vlan; c.cport = old.cport; c.sport = old.sport;
      if (counted) res.reused++;
    } else {
      const six = rng.chance(0.12);
      const ci = six ? rng.int(0, clients6.length - 1) : rng.int(0, clients4.length - 1);
      c.cli = six ? clients6[ci] : clients4[ci];
      c.srv = six ? servers6[rng.int(0, servers6.length - 1)] : servers4[rng.int(0, servers4.length - 1)];
      const pi = six ? clients4.length + ci : ci;
      c.cport = nextPort[pi];
      nextPort[pi] = c.cport >= 60999 ? 32768 : c.cport + 1;
      c.sport = SERVER_PORTS[rng.int(0, SERVER_PORTS.length - 1)];
      c.vlan = ci % 10 === 3 ? 100 + (ci % 4) : -1;
    }
    if (counted && c.cli.v6) res.ipv6++;
    if (counted && c.vlan >= 0) res.vlan++;
    c.cIsn = rng.u32(); c.sIsn = rng.u32();
    c.cBase = rng.int(0, POOL - 1); c.sBase = rng.int(0, POOL - 1);
    c.rtt = rng.logInt(150, 120_000);
    c.gap = rng.logInt(12, 200);
    c.ts = rng.chance(0.75);
    c.tsC = rng.u32(); c.tsS = rng.u32();
    const mtuMss = c.cli.v6 ? 1440 : 1460;
    c.mssC = c.mssS = mtuMss - (c.ts ? 12 : 0);
    c.ipIdC = rng.int(0, 65535); c.ipIdS = rng.int(0, 65535);
    c.flowC = rng.u32() & 0xfffff; c.flowS = rng.u32() & 0xfffff;
    c.ttlS = 64 - rng.int(2, 20);
    const r = rng.next();
    push(c, t, true, SYN, -1, 0, 0);
    if (r < 0.03) {
      // Unanswered SYN, retransmitted after 1 s and 3 s.
      const n = rng.int(1, 3);
      if (n > 1) push(c, t + 1_000_000, true, SYN, -1, 0, 0);
      if (n > 2) push(c, t + 3_000_000, true, SYN, -1, 0, 0);
      c.step = Step.Done;
    } else if (r < 0.07) {
      // Rejected: RST-ACK with sequence 0.
      c.sIsn = 0xffffffff;
      push(c, t + c.rtt, false, RST | ACK, 0, 0, 0);
      c.step = Step.Done;
    } else {
      push(c, t + c.rtt, false, SYN | ACK, -1, 0, 0);
      push(c, t + c.rtt + rng.int(10, 100), true, ACK, 0, 0, 0);
      c.interactive = rng.chance(0.2);
      c.rounds = c.interactive ? rng.int(10, 100) : rng.chance(0.25) ? rng.int(2, 10) : 1;
      c.step = Step.Rounds;
    }
    return c;
  };

  /** Queues the next phase of `c`; false when the connection has nothing more to send. */
  const advance = (c: Conn): boolean => {
    c.q.length = 0;
    c.qi = 0;
    let t = c.tEnd;
    if (c.step === Step.Rounds) {
      t += c.interactive ? rng.logInt(2_000, 1_000_000) : rng.logInt(30, 1_000_000);
      const upload = !c.interactive && rng.chance(0.02);
      const q = c.interactive ? rng.logInt(1, 120) : upload ? rng.logInt(8_000, 400_000) : rng.logInt(80, 1_400);
      const resp = c.interactive ? rng.logInt(1, 600) : upload ? rng.logInt(100, 400) : responseSize(rng);
      t = sendData(c, true, q, t, true) + c.rtt + rng.logInt(20, 20_000);
      if (!c.interactive && rng.chance(0.02)) {
        // Server reset in the middle of the response.
        sendData(c, false, resp, t, false, rng.int(0, 20));
        push(c, c.tEnd + rng.int(10, 1000), false, RST | ACK, c.sSent, c.cSent, 0);
        c.step = Step.Done;
      } else {
        sendData(c, false, resp, t, false);
        // A few connections just stop (they wait for the analyzer's inactivity timeout).
        if (--c.rounds === 0) c.step = rng.chance(0.002) ? Step.Done : Step.Close;
      }
    } else if (c.step === Step.Close) {
      t += rng.logInt(50, 50_000);
      const r = rng.next();
      if (r < 0.45) {
        push(c, t, true, FIN | ACK, c.cSent, c.sSent, 0);
        push(c, t + c.rtt, false, FIN | ACK, c.sSent, c.cSent + 1, 0);
        push(c, t + c.rtt + rng.int(10, 200), true, ACK, c.cSent + 1, c.sSent + 1, 0);
      } else if (r < 0.92) {
        push(c, t, false, FIN | ACK, c.sSent, c.cSent, 0);
        push(c, t + rng.int(30, 2000), true, FIN | ACK, c.cSent, c.sSent + 1, 0);
        push(c, t + 2000 + c.rtt, false, ACK, c.sSent + 1, c.cSent + 1, 0);
      } else {
        push(c, t, true, RST | ACK, c.cSent, c.sSent, 0);
      }
      c.step = Step.Done;
      c.closed = true;
    } else {
      return false;
    }
    c.q.sort((a, b) => a.t - b.t);
    return true;
  };

  const emit = (c: Conn, p: Pkt): void => {
    const s = seg;
    if (p.c2s) {
      s.src = c.cli; s.dst = c.srv; s.sport = c.cport; s.dport = c.sport;
      s.seq = c.cIsn + 1 + p.rel; s.ack = c.sIsn + 1 + p.ack;
      s.ipId = c.ipIdC++; s.ttl = 64; s.flow = c.flowC;
      s.tsval = c.tsC + Math.floor(p.t / 1000); s.tsecr = c.tsS + Math.floor((p.t - c.rtt) / 1000);
      s.payOff = (c.cBase + p.rel) % POOL;
      s.win = p.flags & SYN ? 64240 : 502;
    } else {
      s.src = c.srv; s.dst = c.cli; s.sport = c.sport; s.dport = c.cport;
      s.seq = c.sIsn + 1 + p.rel; s.ack = c.cIsn + 1 + p.ack;
      s.ipId = c.ipIdS++; s.ttl = c.ttlS; s.flow = c.flowS;
      s.tsval = c.tsS + Math.floor(p.t / 1000); s.tsecr = c.tsC + Math.floor(p.t / 1000);
      s.payOff = (c.sBase + p.rel) % POOL;
      s.win = p.flags & SYN ? 65160 : 509;
    }
    if (!(p.flags & ACK)) s.ack = 0;
    s.vlan = c.vlan;
    s.flags = p.flags;
    s.opt = p.flags & RST ? Opt.None : p.flags & SYN ? (c.ts ? Opt.SynFull : Opt.SynBasic) : c.ts ? Opt.Timestamps : Opt.None;
    s.mss = c.cli.v6 ? 1440 : 1460;
    s.payLen = p.len;
    w.write(p.t, s);
  };

  while (w.packets < opts.packets) {
    if (heap.size === 0 || nextArrival <= heap.a[0].key) {
      heap.push(newConn(nextArrival));
      nextArrival += Math.max(1, Math.round(rng.exp(arrivalMean)));
      if (heap.size > res.maxConcurrent) res.maxConcurrent = heap.size;
      continue;
    }
    const c = heap.pop();
    const p = c.q[c.qi++];
    now = p.t;
    if (now >= warmup) {
      if (first < 0) first = now;
      emit(c, p);
    }
    if (c.qi < c.q.length || advance(c)) heap.push(c);
    else if (c.closed) {
      // Its tuple may come back in a later connection (port reuse).
      if (recent.length < 512) recent.push(c);
      else recent[rng.int(0, 511)] = c;
    }
  }
  w.close();
  res.packets = w.packets;
  res.bytes = w.bytes;
  res.seconds = (now - first) / 1e6;
  res.wallMs = performance.now() - started;
  return res;
}

/** Response sizes: mostly small objects, a long tail of downloads. */
function responseSize(rng: Rng): number {
  const r = rng.next();
  if (r < 0.65) return rng.logInt(150, 3_000);
  if (r < 0.93) return rng.logInt(3_000, 30_000);
  if (r < 0.993) return rng.logInt(30_000, 150_000);
  return rng.logInt(150_000, 800_000);
}

function flag(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  const a = process.argv.slice(2);
  const r = generate({
    packets: Number(flag(a, '--packets', '2000000')),
    path: flag(a, '--out', 'bench.pcap'),
    seed: Number(flag(a, '--seed', '1')),
  });
  console.log(JSON.stringify(r));
}
