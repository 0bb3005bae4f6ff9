/**
 * The capture reader: detects pcap or pcapng from the first 4 bytes, then hands out one packet record
 * per call, in place in the input buffer (capture/input.ts). Fatal errors are sticky.
 */
import { Packet } from "../decode/packet";
import { CaptureError } from "../schema.generated";
import { le32 } from "../util/bytes";
import { captureErrorCode, clearCaptureError, fail } from "./error";
import { inputAvail, inputClosed, inputOffset, inputPtr, inputRelease } from "./input";
import { isPcapMagic, pcapNext, pcapReset } from "./pcap";
import { isPcapngMagic, pcapngNext, pcapngReset } from "./pcapng";

export { captureErrorCode, captureErrorOffset, captureErrorValue } from "./error";

const UNKNOWN: u32 = 0;
const PCAP: u32 = 1;
const PCAPNG: u32 = 2;

let format: u32 = UNKNOWN;
let frames: u32 = 0;
let ended: bool = false;

/**
 * Advances past the previous record, then returns 1 when `p` holds the next packet record, 0 when more
 * input is needed (or, after inputClose(), the capture ended cleanly: see captureEnded()), or −code
 * (a CaptureError id) on a fatal error.
 */
// @ts-ignore: decorator
@inline export function nextRecord(p: Packet): i32 {
  inputRelease();
  const err = captureErrorCode();
  if (err != 0) return -err;
  if (format == UNKNOWN) {
    const avail = inputAvail();
    if (avail < 4) {
      if (!inputClosed()) return 0;
      return fail(CaptureError.TruncatedFileHeader, inputOffset(), <u64>avail);
    }
    const m = le32(inputPtr());
    if (isPcapMagic(m)) format = PCAP;
    else if (isPcapngMagic(m)) format = PCAPNG;
    else return fail(CaptureError.NotACapture, inputOffset(), <u64>m);
  }
  const r = format == PCAP ? pcapNext(p) : pcapngNext(p);
  if (r == 1) {
    p.frame = ++frames;
  } else if (r == 0 && inputClosed() && inputAvail() == 0) {
    ended = true;
  }
  return r;
}

/** True once the input was closed and every byte was consumed at a record boundary. */
export function captureEnded(): bool {
  return ended;
}

/** Capture bytes consumed so far (records handed out count once released by the next call). */
export function captureBytesConsumed(): u64 {
  return inputOffset();
}

/** Forgets the format and all per-file state (pair with inputReset()). */
export function captureReset(): void {
  format = UNKNOWN;
  frames = 0;
  ended = false;
  clearCaptureError();
  pcapReset();
  pcapngReset();
}
