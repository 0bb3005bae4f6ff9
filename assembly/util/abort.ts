/**
 * The core's abort handler (wired with `--use abort=`), so the module imports nothing. Nothing in the core
 * throws on input; reaching this is an internal bug or memory exhaustion. The location is kept in a small
 * static area the host reads (abortInfo), and the resulting trap becomes a SynackInternalError naming it.
 */
// u32 line, u32 column, u32 file pointer, u32 message pointer (AS strings: UTF-16, byte length at ptr − 4).
const info = memory.data(16);

export function abortInfo(): usize { return info; }

export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  store<u32>(info, line);
  store<u32>(info, column, 4);
  store<u32>(info, <u32>changetype<usize>(fileName), 8);
  store<u32>(info, <u32>changetype<usize>(message), 12);
  unreachable();
}
