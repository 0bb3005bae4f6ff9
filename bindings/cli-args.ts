/** Command-line parsing for `synack`: commands, flags, `--set NAME=VALUE`, and the help texts. */
import { EVENT_INFO, type EventName } from './core/events.generated.ts';
import { OPTION_INFO } from './core/options.generated.ts';
import { parseSetting } from './core/options.ts';
import type { AnalyzerOptions } from './core/options.ts';

/** A usage error: exit status 2. */
export class UsageError extends Error {}

export interface Command {
  command: 'conn' | 'events' | 'help';
  file: string;
  format: 'tsv' | 'json' | 'text';
  options: AnalyzerOptions;
  /** Help text to print (command 'help'). */
  help?: string;
}

const EVENT_NAMES = new Set<string>(EVENT_INFO.map((e) => e.name));

export const MAIN_HELP = `usage: synack <command> FILE [options]

Zeek-compatible TCP connection analysis of a pcap or pcapng capture (FILE "-" reads stdin).

commands:
  conn     write Zeek's conn.log (TSV, or JSON lines with --json)
  events   write the TCP events Zeek would raise (text, or JSON lines with --json)

options (both commands):
  --set NAME=VALUE   set an analyzer option (repeatable); see "synack conn --help" for the names
  -C                 ignore checksums (= --set ignore_checksums=true)
  -h, --help         show help

exit status: 0 success, 1 unreadable input, 2 usage error, 3 internal error
`;

function optionsHelp(): string {
  const lines = OPTION_INFO.map((o) => {
    const def = Array.isArray(o.default) ? (o.default.length > 8 ? `${o.default.slice(0, 8).join(',')},…` : o.default.join(',') || 'none') : String(o.default);
    return `  ${o.name.padEnd(40)} ${o.kind.padEnd(7)} ${o.doc} [${def}]`;
  });
  return `analyzer options (--set NAME=VALUE; bools true/false/T/F/1/0, lists comma-separated):\n${lines.join('\n')}\n`;
}

export const CONN_HELP = `usage: synack conn FILE [--json] [--set NAME=VALUE]... [-C]

Writes conn.log to stdout: Zeek's TSV format, or JSON lines with --json. Subscribes to the events of Zeek's
default scripts (the analysis depends on them).

  --json             JSON lines instead of TSV
  --set NAME=VALUE   analyzer option (repeatable)
  -C                 ignore checksums

${optionsHelp()}`;

export const EVENTS_HELP = `usage: synack events FILE [--json | --format text|json] [--only NAME,NAME] [--set NAME=VALUE]... [-C]

Writes every event to stdout, one per line: readable text (default) or the JSON lines of the conformance corpus.

  --json, --format json   JSON lines
  --format text           one readable line per event (default)
  --only NAME,NAME        subscribe to these events only (default: all)
  --set NAME=VALUE        analyzer option (repeatable)
  -C                      ignore checksums

events: ${EVENT_INFO.map((e) => e.name).join(', ')}

${optionsHelp()}`;

/** Parses argv (without node and script). Throws UsageError or SynackOptionError (both exit 2). */
export function parseArgs(argv: string[]): Command {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    return { command: 'help', file: '', format: 'text', options: {}, help: MAIN_HELP };
  }
  if (cmd !== 'conn' && cmd !== 'events') throw new UsageError(`unknown command "${cmd}" (expected conn or events)`);
  const c: Command = { command: cmd, file: '', format: cmd === 'conn' ? 'tsv' : 'text', options: {} };
  const opts = c.options as Record<string, unknown>;
  let only: string[] | undefined;
  const value = (i: number, flag: string): string => {
    if (i >= rest.length) throw new UsageError(`${flag} needs a value`);
    return rest[i];
  };
  for (let i = 0; i < rest.length; i++) {
    let a = rest[i];
    let inline: string | undefined;
    if (a.startsWith('--') && a.includes('=')) {
      inline = a.slice(a.indexOf('=') + 1);
      a = a.slice(0, a.indexOf('='));
    }
    const arg = (flag: string) => inline ?? value(++i, flag);
    switch (a) {
      case '-h': case '--help':
        return { ...c, command: 'help', help: cmd === 'conn' ? CONN_HELP : EVENTS_HELP };
      case '--json': c.format = 'json'; break;
      case '-C': opts.ignore_checksums = true; break;
      case '--set': {
        const [name, v] = parseSetting(arg('--set'));
        opts[name] = v;
        break;
      }
      case '--format': {
        const f = arg('--format');
        const ok = cmd === 'conn' ? ['tsv', 'json'] : ['text', 'json'];
        if (!ok.includes(f)) throw new UsageError(`--format: expected ${ok.join(' or ')}, got "${f}"`);
        c.format = f as Command['format'];
        break;
      }
      case '--only': {
        if (cmd !== 'events') throw new UsageError('--only applies to "synack events"');
        only = arg('--only').split(',').map((s) => s.trim()).filter(Boolean);
        for (const n of only) if (!EVENT_NAMES.has(n)) throw new UsageError(`--only: unknown event "${n}"`);
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown argument "${rest[i]}"`);
        if (c.file) throw new UsageError(`unexpected argument "${a}" (FILE is already ${c.file})`);
        c.file = a;
    }
  }
  if (!c.file) throw new UsageError(`missing FILE argument (see synack ${cmd} --help)`);
  if (cmd === 'events') c.options.subscribe = (only ?? [...EVENT_NAMES]) as EventName[];
  return c;
}
