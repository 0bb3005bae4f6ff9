/**
 * Real captures from ../shared/conformance (read through the `fixtures` import of as-pect.config.js;
 * skipped when absent): streaming them in odd-size chunks yields the same records as feeding them whole,
 * and every frame decodes without a weird.
 */
import { packet } from "../../assembly/decode/packet";
import { decodeFrame } from "../../assembly/decode/frame";
import { nextRecord, captureEnded } from "../../assembly/capture/reader";
import { inputClose, inputCommit, inputSpace, inputWritePtr } from "../../assembly/capture/input";
import { fixtureSize, fixtureCopy, startCapture } from "./fixtures/build";

const NAMES: string[] = [
  "tcp-options", "cisco-fabric-path", "pbb", "vntag-in-vlan", "mpls-in-vlan", "vlan-mpls-mixed",
  "tcp-padding", "irc-starttls-sll", "irc-dcc-send (pcapng)", "retransmit-timeout (pcapng)",
];
/** TCP packets (proto 6, not fragments) expected per file; -1 = not checked. From the Zeek conn.log pkts where exact. */
const TCP_PACKETS: i32[] = [-1, 32, 8, 1, -1, -1, 25, 20, -1, -1];

/** A digest of one record: enough to tell records apart. */
function digest(): u64 {
  let h: u64 = <u64>packet.frame * 31 + <u64>packet.capLen * 7 + <u64>packet.wireLen * 13 + packet.fileOffset;
  h = h * 1000003 + <u64>reinterpret<u64>(packet.ts);
  for (let i: u32 = 0; i < packet.capLen; i++) h = h * 131 + <u64>load<u8>(packet.data + i);
  h = h * 17 + <u64>packet.linkType;
  return h;
}

/** Streams fixture `id` in chunks of `chunk` bytes (0 = whole); returns the records' digests. */
function readAll(id: i32, chunk: i32): u64[] {
  startCapture();
  const size = fixtureSize(id);
  const out: u64[] = [];
  let off = 0;
  while (true) {
    if (off < size) {
      const space = <i32>inputSpace();
      let n = chunk == 0 ? size - off : min(chunk, size - off);
      if (n > space) n = space;
      fixtureCopy(id, off, n, inputWritePtr());
      inputCommit(<u32>n);
      off += n;
      if (off == size) inputClose();
    }
    let r = nextRecord(packet);
    while (r == 1) {
      out.push(digest());
      r = nextRecord(packet);
    }
    expect(r).toBe(0);
    if (r != 0 || captureEnded()) break;
  }
  return out;
}

describe("real captures", () => {
  test("odd-size chunks give the same records as the whole file", () => {
    for (let id = 0; id < NAMES.length; id++) {
      if (fixtureSize(id) < 0) continue;
      const whole = readAll(id, 0);
      expect(whole.length).toBeGreaterThan(0);
      // Byte-sized chunks only for small files (the debug test build is slow per call).
      const chunks: i32[] = fixtureSize(id) <= 20000 ? [1, 7, 61, 1000] : [4093, 65521];
      for (let c = 0; c < chunks.length; c++) {
        const parts = readAll(id, chunks[c]);
        expect(parts.length).toBe(whole.length, NAMES[id]);
        for (let i = 0; i < whole.length; i++) expect(parts[i]).toBe(whole[i], NAMES[id]);
      }
    }
  });

  test("every frame decodes (checksums ignored); TCP packet counts match Zeek's", () => {
    for (let id = 0; id < NAMES.length; id++) {
      if (fixtureSize(id) < 0) continue;
      startCapture();
      const size = fixtureSize(id);
      let off = 0;
      let tcp = 0;
      let weirds = 0;
      while (true) {
        if (off < size) {
          const n = min(<i32>inputSpace(), size - off);
          fixtureCopy(id, off, n, inputWritePtr());
          inputCommit(<u32>n);
          off += n;
          if (off == size) inputClose();
        }
        let r = nextRecord(packet);
        while (r == 1) {
          const d = decodeFrame(packet, true); // some traces need zeek -C
          if (d > 0) weirds++;
          if (d == 0 && packet.proto == 6 && !packet.isFragment) tcp++;
          r = nextRecord(packet);
        }
        if (r != 0 || captureEnded()) break;
      }
      log(NAMES[id] + ": " + tcp.toString() + " TCP packets, " + weirds.toString() + " weirds");
      expect(weirds).toBe(0, NAMES[id]);
      if (TCP_PACKETS[id] >= 0) expect(tcp).toBe(TCP_PACKETS[id], NAMES[id]);
    }
  });
});
