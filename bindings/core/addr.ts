/**
 * Address parsing for options and local_nets: IPv4 and IPv6 text → the core's 16-byte form (IPv4 as
 * ::ffff:a.b.c.d), CIDR subnets with the prefix counted in the 128-bit space, and subnet membership.
 */

/** An address as the core stores it. */
export interface Addr16 {
  version: 4 | 6;
  bytes: Uint8Array;
}

/** A subnet: network bytes (host bits cleared) and prefix length in the 128-bit space (IPv4: +96). */
export interface Subnet {
  version: 4 | 6;
  bytes: Uint8Array;
  prefix: number;
  /** As written (normalised), for messages. */
  text: string;
}

function parseV4(s: string, out: Uint8Array, at: number): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return false;
    const v = Number(parts[i]);
    if (v > 255) return false;
    out[at + i] = v;
  }
  return true;
}

/** Parses an IPv4 dotted quad or an IPv6 address (with `::` and an embedded IPv4 tail); null when invalid. */
export function parseAddr(s: string): Addr16 | null {
  const bytes = new Uint8Array(16);
  if (!s.includes(':')) {
    if (!parseV4(s, bytes, 12)) return null;
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    return { version: 4, bytes };
  }
  let text = s.toLowerCase();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = new Uint8Array(4);
        if (!parseV4(p, v4, 0)) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return null;
  const words = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = words[i] >> 8;
    bytes[2 * i + 1] = words[i] & 255;
  }
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return { version: mapped ? 4 : 6, bytes };
}

/** Parses `addr/len` (or a bare address, meaning the host); null when invalid. Host bits are cleared. */
export function parseSubnet(s: string): Subnet | null {
  const slash = s.indexOf('/');
  const a = parseAddr(slash < 0 ? s : s.slice(0, slash));
  if (!a) return null;
  const max = a.version === 4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const t = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(t)) return null;
    len = Number(t);
    if (len > max) return null;
  }
  const prefix = a.version === 4 ? len + 96 : len;
  const bytes = a.bytes.slice();
  for (let bit = prefix; bit < 128; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  return { version: a.version, bytes, prefix, text: `${slash < 0 ? s : s.slice(0, slash)}/${len}` };
}

/** Whether `addr` (16 bytes) lies in `net`. */
export function inSubnet(addr: Uint8Array, net: Subnet): boolean {
  const full = net.prefix >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== net.bytes[i]) return false;
  const rest = net.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (addr[full] & mask) === net.bytes[full];
}
