/**
 * Site::local_nets for conn.log's local_orig and local_resp: Zeek's default (private address space) plus the
 * user's nets, asked by address text, by IPv4 number or by the 16 address bytes, with answers cached by address.
 */
import { inSubnet, parseAddr, parseSubnet, type Subnet } from '../core/addr.ts';

/** Zeek 6.0+ Site::local_nets default: private address space (events.md §3.1). */
export const DEFAULT_LOCAL_NETS: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/24',
  '239.0.0.0/8', '240.0.0.0/4', '255.255.255.255/32',
  '2002::/24', '2002:a00::/24', '2002:6440::/26', '2002:7f00::/24', '2002:a9fe::/32', '2002:ac10::/28',
  '2002:c000::/40', '2002:c000:200::/40', '2002:c0a8::/32', '2002:c612::/31', '2002:c633:6400::/40',
  '2002:cb00:7100::/40', '2002:e000::/40', '2002:ef00::/24', '2002:f000::/20', '2002:ffff:ffff::/48',
  '::/128', '::1/128', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:2::/48', '2001:db8::/32', 'fc00::/7',
  'fe80::/10', 'fec0::/10',
];

const DEFAULT_NETS: Subnet[] = DEFAULT_LOCAL_NETS.map((s) => parseSubnet(s)!);

/** An IPv4 dotted quad as a number, or −1 when `s` is not one (parseAddr then decides). */
function v4Number(s: string): number {
  let v = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 46) {
      if (digits === 0 || dots === 3) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (ch >= 48 && ch <= 57) {
      part = part * 10 + ch - 48;
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? v * 256 + part : -1;
}

/** The 12 bytes before an IPv4 address in its 16-byte (IPv4-mapped) form. */
const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/**
 * The subnets among `nets` that hold IPv4 addresses, as [network, mask] over the 32-bit address: what inSubnet
 * decides on the IPv4-mapped form, without parsing the text of every address.
 */
function v4Subnets(nets: Subnet[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of nets) {
    const head = Math.min(n.prefix, 96);
    let covers = true;
    for (let bit = 0; bit < head && covers; bit++) {
      const m = 0x80 >> (bit & 7);
      covers = (n.bytes[bit >> 3] & m) === (V4_MAPPED_PREFIX[bit >> 3] & m);
    }
    if (!covers) continue;
    const len = n.prefix - head;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const net = ((n.bytes[12] << 24) | (n.bytes[13] << 16) | (n.bytes[14] << 8) | n.bytes[15]) >>> 0;
    out.push([(net & mask) >>> 0, mask]);
  }
  return out;
}

/** Whether the 16 address bytes are in the default local nets or `nets`. */
function bytesInLocalNets(bytes: Uint8Array, nets: Subnet[]): boolean {
  return DEFAULT_NETS.some((n) => inSubnet(bytes, n)) || nets.some((n) => inSubnet(bytes, n));
}

/** Whether the address text `h` is in the default local nets or `nets` (parsing it). */
export function inLocalNets(h: string, nets: Subnet[]): boolean {
  const a = parseAddr(h);
  return a !== null && bytesInLocalNets(a.bytes, nets);
}

/** Which addresses are local: the defaults and `nets`. Cached by address; the cache is bounded. */
export class LocalNets {
  /**
   * The local subnets that hold IPv4 addresses (v4Subnets) by the first byte of the addresses they hold: an address
   * is checked against the few that can hold it (none, for most public addresses), not against all of them.
   */
  readonly #v4ByFirstByte: [number, number][][] = Array.from({ length: 256 }, () => []);
  readonly #byText = new Map<string, boolean>();

  constructor(readonly nets: Subnet[]) {
    for (const [net, mask] of v4Subnets([...DEFAULT_NETS, ...nets])) {
      const top = mask >>> 24;
      for (let b = 0; b < 256; b++) if ((b & top) === net >>> 24) this.#v4ByFirstByte[b].push([net, mask]);
    }
  }

  /** By address text (an arrow: connRow takes it as its `isLocal`). */
  has = (h: string): boolean => {
    let v = this.#byText.get(h);
    if (v === undefined) {
      const v4 = v4Number(h);
      v = v4 >= 0 ? this.hasV4(v4) : inLocalNets(h, this.nets);
      this.#remember(h, v);
    }
    return v;
  };

  /** An IPv4 address as its 32-bit number. */
  hasV4(v4: number): boolean {
    const nets = this.#v4ByFirstByte[v4 >>> 24];
    for (let i = 0; i < nets.length; i++) if (((v4 & nets[i][1]) >>> 0) === nets[i][0]) return true;
    return false;
  }

  /** The address whose 16 bytes are at `at` in `u8` and whose text is `h`: no need to parse the text. */
  hasBytes(u8: Uint8Array, at: number, h: string): boolean {
    let v = this.#byText.get(h);
    if (v === undefined) {
      v = bytesInLocalNets(u8.subarray(at, at + 16), this.nets);
      this.#remember(h, v);
    }
    return v;
  }

  #remember(h: string, v: boolean): void {
    if (this.#byText.size >= 1 << 16) this.#byText.clear();
    this.#byText.set(h, v);
  }
}
