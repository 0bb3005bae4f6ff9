/**
 * Option validation. Unknown names and bad values are rejected by name (SynackOptionError). Values come typed
 * (the API) or as CLI strings (`--set NAME=VALUE`): bools true/false/T/F/1/0, counts, seconds, ports and nets as
 * comma lists (nets as CIDR, IPv4 or IPv6).
 */
import { parseSubnet, type Subnet } from './addr.ts';
import { SynackOptionError } from './errors.ts';
import { EVENT_INFO, DEFAULT_EVENTS, type EventName } from './events.generated.ts';
import { OPTION_INFO, type OptionInfo, type OptionValues } from './options.generated.ts';

/** Settings of an analyzer: the schema options plus the event subscription. */
export interface AnalyzerOptions extends OptionValues {
  /** Events to report (default: those of Zeek's default script set, DEFAULT_EVENTS). */
  subscribe?: readonly EventName[];
  /**
   * Of the subscribed events, the ones delivered (default: all). The others still shape the analysis and the
   * snapshots the delivered events show, exactly as when they are delivered, but cost no record: conn.log
   * subscribes to Zeek's default events and takes only connection_state_remove.
   */
  deliver?: readonly EventName[];
}

/** Options checked and converted to what the core takes. */
export interface ResolvedOptions {
  /** Numeric options set by the user: [id, value]. */
  numeric: [number, number][];
  /** Port lists set by the user: [list id, ports]. */
  ports: [number, number[]][];
  /** Net lists set by the user for the core: [list id, subnets]. */
  nets: [number, Subnet[]][];
  /** Extra local networks for conn.log (host option local_nets). */
  localNets: Subnet[];
  /** Subscribed event ids. */
  subscribed: Set<number>;
  /** The subscribed ids whose records are delivered. */
  delivered: Set<number>;
}

const BY_NAME = new Map<string, OptionInfo>(OPTION_INFO.map((o) => [o.name, o]));
const EVENT_IDS = new Map<string, number>(EVENT_INFO.map((e) => [e.name, e.id]));

/** Names of all options. */
export const OPTION_NAMES: readonly string[] = OPTION_INFO.map((o) => o.name);

function info(name: string): OptionInfo {
  const o = BY_NAME.get(name);
  if (o) return o;
  const near = OPTION_INFO.filter((x) => x.name.toLowerCase().includes(name.toLowerCase().replace(/_s$/, '')));
  const hint = near.length && name.length >= 3 ? ` (did you mean ${near.slice(0, 3).map((x) => x.name).join(', ')}?)` : '';
  throw new SynackOptionError(name, `unknown option "${name}"${hint}`);
}

function bad(o: OptionInfo, what: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : Array.isArray(got) ? JSON.stringify(got) : String(got);
  throw new SynackOptionError(o.name, `option ${o.name}: expected ${what}, got ${shown}`);
}

const EXPECT: Record<OptionInfo['kind'], string> = {
  bool: 'true or false',
  count: 'a whole number ≥ 0',
  seconds: 'seconds (a number ≥ 0)',
  ports: 'a list of TCP ports (0–65535)',
  nets: 'a list of subnets in CIDR form (10.0.0.0/8, 2001:db8::/32)',
};

/** Checks one typed value; returns it in the core's form. */
function check(o: OptionInfo, v: unknown): number | number[] | Subnet[] {
  const expect = o.kind === 'count' && o.max !== undefined ? `a whole number from 0 to ${o.max}` : EXPECT[o.kind];
  switch (o.kind) {
    case 'bool':
      if (typeof v !== 'boolean') bad(o, expect, v);
      return v ? 1 : 0;
    case 'count':
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || (o.max !== undefined && v > o.max)) bad(o, expect, v);
      return v;
    case 'seconds':
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(o, expect, v);
      return v;
    case 'ports':
      if (!Array.isArray(v) || !v.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535)) bad(o, expect, v);
      return [...new Set(v as number[])];
    case 'nets': {
      if (!Array.isArray(v)) bad(o, expect, v);
      return (v as unknown[]).map((s) => {
        const net = typeof s === 'string' ? parseSubnet(s.trim()) : null;
        if (!net) bad(o, expect, s);
        return net;
      });
    }
  }
}

/** Converts a CLI string to the typed value of option `name` (errors name the option). */
export function parseOptionValue(name: string, text: string): boolean | number | number[] | string[] {
  const o = info(name);
  const t = text.trim();
  const list = () => (t === '' ? [] : t.split(',').map((s) => s.trim()));
  switch (o.kind) {
    case 'bool':
      if (/^(true|t|1)$/i.test(t)) return true;
      if (/^(false|f|0)$/i.test(t)) return false;
      return bad(o, 'true, false, T, F, 1 or 0', text);
    case 'count':
    case 'seconds': {
      if (!/^\d+(\.\d*)?([eE][+-]?\d+)?$|^\.\d+$/.test(t)) return bad(o, o.kind === 'count' ? 'a whole number ≥ 0' : 'seconds (a number ≥ 0)', text);
      return Number(t);
    }
    case 'ports':
      return list().map((s) => {
        const m = /^(\d{1,5})(\/tcp)?$/.exec(s);
        if (!m) bad(o, EXPECT.ports, s);
        return Number(m[1]);
      });
    case 'nets':
      return list();
  }
}

/** Parses `NAME=VALUE` (a `--set` argument) into [name, typed value]. */
export function parseSetting(arg: string): [string, boolean | number | number[] | string[]] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new SynackOptionError(arg, `expected NAME=VALUE, got ${JSON.stringify(arg)}`);
  const name = arg.slice(0, eq).trim();
  return [name, parseOptionValue(name, arg.slice(eq + 1))];
}

/** Validates typed options (unknown names and bad values throw SynackOptionError) and resolves them. */
export function resolveOptions(options: AnalyzerOptions = {}): ResolvedOptions {
  const r: ResolvedOptions = { numeric: [], ports: [], nets: [], localNets: [], subscribed: new Set(), delivered: new Set() };
  for (const [name, v] of Object.entries(options)) {
    if (v === undefined || name === 'subscribe' || name === 'deliver') continue;
    const o = info(name);
    const val = check(o, v);
    if (o.name === 'local_nets') r.localNets = val as Subnet[];
    else if (o.host) continue;
    else if (o.kind === 'ports') r.ports.push([o.id, val as number[]]);
    else if (o.kind === 'nets') r.nets.push([o.id, val as Subnet[]]);
    else r.numeric.push([o.id, val as number]);
  }
  r.subscribed = eventIds('subscribe', options.subscribe ?? DEFAULT_EVENTS);
  r.delivered = options.deliver === undefined ? r.subscribed : eventIds('deliver', options.deliver);
  for (const id of r.delivered) {
    if (!r.subscribed.has(id)) throw new SynackOptionError('deliver', `option deliver: "${EVENT_INFO.find((e) => e.id === id)!.name}" is not subscribed`);
  }
  return r;
}

function eventIds(option: 'subscribe' | 'deliver', names: unknown): Set<number> {
  if (!Array.isArray(names)) throw new SynackOptionError(option, `option ${option}: expected a list of event names`);
  const ids = new Set<number>();
  for (const n of names) {
    const id = EVENT_IDS.get(n);
    if (id === undefined) throw new SynackOptionError(option, `option ${option}: unknown event "${n}"`);
    ids.add(id);
  }
  return ids;
}
