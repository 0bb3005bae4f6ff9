/** synack's public entry (host-neutral): the API types, the Analyzer, errors, event tables and log writers. */
export * from './core/api.ts';
export { Analyzer, type AnalyzerStats } from './core/analyzer.ts';
export { EVENT_INFO, DEFAULT_EVENTS, CONN_STATES, ENDPOINT_STATES } from './core/events.generated.ts';
export { OPTION_INFO } from './core/options.generated.ts';
export { resolveOptions, parseOptionValue, parseSetting, OPTION_NAMES } from './core/options.ts';
export type { WasmSource } from './core/instance.ts';
export { ConnLogWriter, CONN_COLUMNS } from './logs/conn-log.ts';
export { DEFAULT_LOCAL_NETS } from './logs/local-nets.ts';
export { eventJson, connJson, type Sha1 } from './logs/events-json.ts';
export { eventText } from './logs/events-text.ts';
