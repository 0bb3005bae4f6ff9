// as-pect 8 configuration: specs live in tests/unit (not assembly/__tests__). Run through scripts/aspect.mjs.
import { readFileSync, existsSync } from "node:fs";

/** Files a spec may read through the `fixtures` import, by id (as-pect has no file system access). */
const FILES = [
  "tcp-options/options.pcap",
  "cisco-fabric-path/cisco-fabric-path.pcap",
  "pbb/pbb.pcap",
  "vntag-in-vlan/vntag_vlan_sandwich_clean.pcap",
  "mpls-in-vlan/mpls-in-vlan.pcap",
  "vlan-mpls-mixed/mixed-vlan-mpls.pcap",
  "tcp-padding/tcp-http-with-padding.pcap",
  "irc-starttls-sll/irc-starttls.pcap",
  "irc-dcc-send/irc-dcc-send.pcapng",
  "inactivity-timeout-split/retransmit-timeout.pcapng",
].map((f) => "../shared/conformance/cases/" + f);
const cache = new Map();
function file(id) {
  if (!cache.has(id)) {
    const path = FILES[id];
    cache.set(id, path && existsSync(path) ? new Uint8Array(readFileSync(path)) : null);
  }
  return cache.get(id);
}

export default {
  entries: ["tests/unit/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let exports = null;
    const fixtures = {
      /** Size of fixture file `id`, or −1 when it is not available. */
      fixtureSize(id) {
        const f = file(id);
        return f ? f.length : -1;
      },
      /** Copies `len` bytes of fixture `id` from `offset` to `ptr`. */
      fixtureCopy(id, offset, len, ptr) {
        const f = file(id);
        new Uint8Array(exports.memory.buffer).set(f.subarray(offset, offset + len), ptr);
      },
    };
    const result = await instantiate(binary, createImports({ fixtures }));
    exports = result.exports;
    return result;
  },
  outputBinary: false,
};
