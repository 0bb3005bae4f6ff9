/** Helpers of the Deno tests (no jsr: imports: the registry is unreachable here). */
export const SSH = new URL('../../../../shared/conformance/cases/ssh-basic/ssh.pcap', import.meta.url).pathname;

export function assertEquals<T>(actual: T, expected: T): void {
  if (actual !== expected) throw new Error(`expected ${String(expected)}, got ${String(actual)}`);
}
