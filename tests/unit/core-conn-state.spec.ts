/**
 * conn_state (TA §15): every row of the table, the RSTOS0 history pattern `^?S[^HAFGIQ]*R.*`, and the §20
 * baseline examples with the final endpoint states they imply.
 */
import { connState, historyLooksLikeRstos0, ConnState } from "../../assembly/conn/conn-state";
import { State } from "../../assembly/conn/endpoint";

const histBuf = memory.data(256);

/** Writes an ASCII history into a scratch buffer; returns its pointer. */
function hist(s: string): usize {
  assert(s.length <= 256);
  for (let i = 0; i < s.length; i++) store<u8>(histBuf + <usize>i, <u8>s.charCodeAt(i));
  return histBuf;
}

function matches(s: string): bool {
  return historyLooksLikeRstos0(hist(s), <u32>s.length);
}

function cs(o: u8, r: u8, os: u64, rs: u64, h: string): u8 {
  return connState(o, r, os, rs, hist(h), <u32>h.length);
}

const STATES: u8[] = [
  State.INACTIVE, State.SYN_SENT, State.SYN_ACK_SENT, State.PARTIAL, State.ESTABLISHED, State.CLOSED, State.RESET,
];
const NAMES: string[] = ["S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"];
const STATE_NAMES: string[] = ["INACTIVE", "SYN_SENT", "SYN_ACK_SENT", "PARTIAL", "ESTABLISHED", "CLOSED", "RESET"];

@inline function inact(s: u8): bool { return s == State.INACTIVE || s == State.PARTIAL; }

/** The §15 table written out independently, row by row (history match supplied by the caller). */
function reference(o: u8, r: u8, os: u64, rs: u64, looksRstos0: bool): u8 {
  if (r == State.RESET && (o == State.SYN_SENT || o == State.SYN_ACK_SENT)) return ConnState.REJ; // 1
  if (r == State.RESET && o == State.RESET && os == 0 && rs == 0) return ConnState.REJ; // 2
  if (r == State.RESET && inact(o)) return ConnState.RSTRH; // 3
  if (r == State.RESET) return ConnState.RSTR; // 4
  if (o == State.RESET && inact(r) && looksRstos0) return ConnState.RSTOS0; // 5
  if (o == State.RESET && inact(r)) return ConnState.OTH; // 6
  if (o == State.RESET) return ConnState.RSTO; // 7
  if (o == State.CLOSED && r == State.CLOSED) return ConnState.SF; // 8
  if (o == State.CLOSED && inact(r)) return ConnState.SH; // 9
  if (o == State.CLOSED) return ConnState.S2; // 10
  if (r == State.CLOSED && inact(o)) return ConnState.SHR; // 11
  if (r == State.CLOSED) return ConnState.S3; // 12
  if (o == State.SYN_SENT && r == State.INACTIVE) return ConnState.S0; // 13
  if (o == State.ESTABLISHED && r == State.ESTABLISHED) return ConnState.S1; // 14
  return ConnState.OTH; // 15
}

class Row {
  constructor(public o: u8, public r: u8, public os: u64, public rs: u64, public h: string, public want: u8) {}
}

function checkRows(rows: Row[]): void {
  for (let i = 0; i < rows.length; i++) {
    const c = rows[i];
    const got = cs(c.o, c.r, c.os, c.rs, c.h);
    if (got != c.want) {
      log("conn_state " + STATE_NAMES[c.o] + "/" + STATE_NAMES[c.r] + " sizes " + c.os.toString() + "/" +
        c.rs.toString() + " history '" + c.h + "': got " + NAMES[got] + ", want " + NAMES[c.want]);
    }
    expect(got).toBe(c.want);
  }
}

describe("conn_state table rows (TA §15)", () => {
  test("rows 1–4: responder RESET", () => {
    checkRows([
      // 1
      new Row(State.SYN_SENT, State.RESET, 0, 0, "Sr", ConnState.REJ),
      new Row(State.SYN_ACK_SENT, State.RESET, 10, 0, "Hr", ConnState.REJ),
      new Row(State.SYN_SENT, State.RESET, 175, 0, "SDr", ConnState.REJ),
      // 2
      new Row(State.RESET, State.RESET, 0, 0, "SRr", ConnState.REJ),
      // 2 does not apply when a size is non-zero → 4 (O = RESET is not inactive)
      new Row(State.RESET, State.RESET, 1, 0, "SDRr", ConnState.RSTR),
      new Row(State.RESET, State.RESET, 0, 1, "SdRr", ConnState.RSTR),
      // 3
      new Row(State.INACTIVE, State.RESET, 0, 0, "^r", ConnState.RSTRH),
      new Row(State.PARTIAL, State.RESET, 5, 0, "Dr", ConnState.RSTRH),
      // 4
      new Row(State.ESTABLISHED, State.RESET, 100, 200, "ShADadr", ConnState.RSTR),
      new Row(State.CLOSED, State.RESET, 100, 200, "ShAdDafr", ConnState.RSTR),
    ]);
  });

  test("rows 5–7: originator RESET", () => {
    checkRows([
      // 5
      new Row(State.RESET, State.INACTIVE, 0, 0, "SR", ConnState.RSTOS0),
      new Row(State.RESET, State.PARTIAL, 0, 0, "SaR", ConnState.RSTOS0),
      // 6: responder inactive, history does not match
      new Row(State.RESET, State.INACTIVE, 0, 0, "SaFR", ConnState.OTH),
      new Row(State.RESET, State.INACTIVE, 0, 0, "R", ConnState.OTH),
      new Row(State.RESET, State.PARTIAL, 0, 0, "SAR", ConnState.OTH),
      // 7: responder active — history irrelevant
      new Row(State.RESET, State.ESTABLISHED, 100, 10, "ShADaGdgtR", ConnState.RSTO),
      new Row(State.RESET, State.SYN_ACK_SENT, 0, 0, "SR", ConnState.RSTO),
      new Row(State.RESET, State.SYN_SENT, 0, 0, "SR", ConnState.RSTO),
      new Row(State.RESET, State.CLOSED, 0, 0, "SR", ConnState.RSTO),
    ]);
  });

  test("rows 8–12: CLOSED sides", () => {
    checkRows([
      new Row(State.CLOSED, State.CLOSED, 10, 20, "ShADadFf", ConnState.SF), // 8
      new Row(State.CLOSED, State.INACTIVE, 10, 0, "SADF", ConnState.SH), // 9
      new Row(State.CLOSED, State.PARTIAL, 10, 0, "Fa", ConnState.SH), // 9
      new Row(State.CLOSED, State.ESTABLISHED, 10, 0, "ShADF", ConnState.S2), // 10
      new Row(State.CLOSED, State.SYN_SENT, 0, 0, "F", ConnState.S2), // 10
      new Row(State.INACTIVE, State.CLOSED, 0, 10, "^hdaf", ConnState.SHR), // 11
      new Row(State.PARTIAL, State.CLOSED, 0, 0, "^fA", ConnState.SHR), // 11
      new Row(State.ESTABLISHED, State.CLOSED, 10, 10, "ShADf", ConnState.S3), // 12
      new Row(State.SYN_ACK_SENT, State.CLOSED, 0, 0, "Hf", ConnState.S3), // 12
    ]);
  });

  test("rows 13–15: the rest", () => {
    checkRows([
      new Row(State.SYN_SENT, State.INACTIVE, 0, 0, "S", ConnState.S0), // 13
      new Row(State.ESTABLISHED, State.ESTABLISHED, 1, 1, "ShADad", ConnState.S1), // 14
      // 15
      new Row(State.SYN_SENT, State.PARTIAL, 0, 0, "Sd", ConnState.OTH),
      new Row(State.SYN_ACK_SENT, State.INACTIVE, 0, 0, "H", ConnState.OTH),
      new Row(State.INACTIVE, State.INACTIVE, 0, 0, "C", ConnState.OTH),
      new Row(State.PARTIAL, State.PARTIAL, 0, 0, "Da", ConnState.OTH),
      new Row(State.ESTABLISHED, State.INACTIVE, 0, 0, "ShA", ConnState.OTH),
      new Row(State.ESTABLISHED, State.SYN_SENT, 0, 0, "", ConnState.OTH),
      new Row(State.PARTIAL, State.ESTABLISHED, 0, 0, "", ConnState.OTH),
      new Row(State.SYN_SENT, State.SYN_SENT, 0, 0, "Ss", ConnState.OTH),
    ]);
  });

  test("all 49 state pairs × sizes × history agree with the table", () => {
    const hs: string[] = ["", "S", "SR", "^SR", "SaR", "SaFR", "ShR", "R", "SdR"];
    const sizes: u64[] = [0, 1];
    let n = 0;
    for (let a = 0; a < STATES.length; a++) {
      for (let b = 0; b < STATES.length; b++) {
        for (let x = 0; x < sizes.length; x++) {
          for (let y = 0; y < sizes.length; y++) {
            for (let k = 0; k < hs.length; k++) {
              const o = STATES[a], r = STATES[b];
              const want = reference(o, r, sizes[x], sizes[y], matches(hs[k]));
              const got = cs(o, r, sizes[x], sizes[y], hs[k]);
              if (got != want) {
                log("pair " + STATE_NAMES[o] + "/" + STATE_NAMES[r] + " '" + hs[k] + "': got " + NAMES[got] +
                  ", want " + NAMES[want]);
              }
              expect(got).toBe(want);
              n++;
            }
          }
        }
      }
    }
    expect(n).toBe(49 * 4 * 9);
  });

  test("conn_state ignores sizes outside row 2", () => {
    // Big sizes (beyond 32 bits) never change the answer except in row 2.
    expect(cs(State.RESET, State.RESET, 0x100000000, 0, "SR")).toBe(ConnState.RSTR);
    expect(cs(State.RESET, State.RESET, 0, 0x100000000, "SR")).toBe(ConnState.RSTR);
    expect(cs(State.CLOSED, State.CLOSED, 0, 0, "")).toBe(ConnState.SF);
    expect(cs(State.SYN_SENT, State.INACTIVE, 12345, 0, "S")).toBe(ConnState.S0);
  });
});

class Pat {
  constructor(public h: string, public want: bool) {}
}

describe("RSTOS0 pattern ^?S[^HAFGIQ]*R.*", () => {
  test("whole-string matches and non-matches", () => {
    const cases: Pat[] = [
      new Pat("SR", true),
      new Pat("^SR", true),
      new Pat("ShR", true), // lowercase h is allowed
      new Pat("SaR", true),
      new Pat("SdR", true),
      new Pat("STR", true),
      new Pat("SWR", true),
      new Pat("SCR", true),
      new Pat("SDR", true),
      new Pat("SSR", true),
      new Pat("SRR", true),
      new Pat("S^R", true), // '^' after the S is just another allowed character
      new Pat("SafgiqR", true), // all lowercase forbidden-letter twins are allowed
      new Pat("SRA", true), // anything after the R
      new Pat("SRHAFGIQ", true),
      new Pat("SR^", true),
      new Pat("ShADaR", false),
      new Pat("S", false),
      new Pat("^S", false),
      new Pat("", false),
      new Pat("^", false),
      new Pat("R", false),
      new Pat("^R", false),
      new Pat("Sr", false), // lowercase r is not R
      new Pat("sR", false), // lowercase s is not S
      new Pat("SAR", false),
      new Pat("SHR", false),
      new Pat("SFR", false),
      new Pat("SGR", false),
      new Pat("SIR", false),
      new Pat("SQR", false),
      new Pat("SdAR", false),
      new Pat("^^SR", false), // at most one leading '^'
      new Pat("DSR", false), // must start with S (after an optional ^)
      new Pat("aSR", false),
      new Pat("Sdddd", false), // no R at all
    ];
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const got = matches(c.h);
      if (got != c.want) log("pattern '" + c.h + "': got " + (got ? "match" : "no match"));
      expect(got).toBe(c.want);
    }
  });

  test("bytes past the given length are not read", () => {
    // "SR" in the buffer but a length of 1: only "S" is the history.
    const p = hist("SR");
    expect(historyLooksLikeRstos0(p, 1)).toBe(false);
    expect(historyLooksLikeRstos0(p, 2)).toBe(true);
    const q = hist("^SR");
    expect(historyLooksLikeRstos0(q, 0)).toBe(false);
    expect(historyLooksLikeRstos0(q, 1)).toBe(false);
    expect(historyLooksLikeRstos0(q, 2)).toBe(false);
    expect(historyLooksLikeRstos0(q, 3)).toBe(true);
  });

  test("agrees with a reference regex matcher on all short histories", () => {
    // Every string of length ≤ 4 over an alphabet with each class of character.
    const alpha = "^SRAHFGIQsrahdDTWC";
    const n = alpha.length;
    let count = 0, bad = 0;
    for (let len = 0; len <= 4; len++) {
      let total = 1;
      for (let i = 0; i < len; i++) total *= n;
      for (let k = 0; k < total; k++) {
        let s = "";
        let v = k;
        for (let i = 0; i < len; i++) {
          s += alpha.charAt(v % n);
          v /= n;
        }
        if (matches(s) != refMatch(s)) {
          if (bad < 10) log("pattern mismatch on '" + s + "'");
          bad++;
        }
        count++;
      }
    }
    expect(bad).toBe(0);
    expect(count).toBeGreaterThan(100000);
  });
});

/** Reference for ^?S[^HAFGIQ]*R.* (whole string), by trying every position of the R. */
function refMatch(s: string): bool {
  for (let start = 0; start <= 1; start++) {
    if (start == 1 && !s.startsWith("^")) continue;
    if (start >= s.length || s.charAt(start) != "S") continue;
    for (let k = start + 1; k < s.length; k++) {
      if (s.charAt(k) != "R") continue;
      let ok = true;
      for (let j = start + 1; j < k; j++) if ("HAFGIQ".includes(s.charAt(j))) ok = false;
      if (ok) return true; // ".*" takes the rest
    }
  }
  return false;
}

class Vector {
  constructor(public what: string, public h: string, public o: u8, public r: u8, public os: u64, public rs: u64,
    public want: u8) {}
}

describe("TA §20 baselines with the states they imply", () => {
  test("histories and conn_state", () => {
    const v: Vector[] = [
      new Vector("normal HTTP GET", "ShADadFf", State.CLOSED, State.CLOSED, 100, 1000, ConnState.SF),
      new Vector("SYN missing, F1 flip", "^hADdFaf", State.CLOSED, State.CLOSED, 10, 10, ConnState.SF),
      new Vector("SYN missing, F2 flip", "^hADadFf", State.CLOSED, State.CLOSED, 10, 10, ConnState.SF),
      new Vector("only server side of SSH", "^hdaf", State.INACTIVE, State.CLOSED, 0, 500, ConnState.SHR),
      new Vector("only server side of SSH (2)", "^hadf", State.INACTIVE, State.CLOSED, 0, 500, ConnState.SHR),
      new Vector("lone bad-checksum SYN", "C", State.INACTIVE, State.INACTIVE, 0, 0, ConnState.OTH),
      new Vector("bad-checksum SYN, then SYN-ACK", "HcADF", State.CLOSED, State.INACTIVE, 10, 0, ConnState.SH),
      new Vector("lone RST", "R", State.RESET, State.INACTIVE, 0, 0, ConnState.OTH),
      new Vector("lone RST from port 80", "^r", State.INACTIVE, State.RESET, 0, 0, ConnState.RSTRH),
      new Vector("SYN, RST", "SR", State.RESET, State.INACTIVE, 0, 0, ConnState.RSTOS0),
      new Vector("SYN, resp ACK, RST", "SaR", State.RESET, State.INACTIVE, 0, 0, ConnState.RSTOS0),
      new Vector("SYN, ACK, FIN, RST", "SaFR", State.RESET, State.INACTIVE, 0, 0, ConnState.OTH),
      new Vector("SYN, ACK, data, FIN, no responder", "SADF", State.CLOSED, State.INACTIVE, 20, 0, ConnState.SH),
      new Vector("FIN from server port first", "^fA", State.PARTIAL, State.CLOSED, 0, 0, ConnState.SHR),
      new Vector("client FIN first, server ACK", "Fa", State.CLOSED, State.PARTIAL, 0, 0, ConnState.SH),
      new Vector("rexmits and gaps, orig RST", "ShADaGdgtR", State.RESET, State.ESTABLISHED, 100, 24257,
        ConnState.RSTO),
      new Vector("orig FIN, orig RST, resp FIN", "ShADadFRf", State.CLOSED, State.CLOSED, 10, 10, ConnState.SF),
      new Vector("both FIN, then resp RST", "ShAdDafFr", State.CLOSED, State.CLOSED, 10, 10, ConnState.SF),
      new Vector("resp FIN then resp RST", "ShAdDafr", State.ESTABLISHED, State.RESET, 10, 10, ConnState.RSTR),
      new Vector("data-only connection", "DaFfA", State.CLOSED, State.CLOSED, 10, 10, ConnState.SF),
      new Vector("same SYN twice", "S", State.SYN_SENT, State.INACTIVE, 0, 0, ConnState.S0),
      new Vector("partial connection, first row", "Da", State.PARTIAL, State.PARTIAL, 10, 0, ConnState.OTH),
      new Vector("injected RST before SYN-ACK", "Sr", State.SYN_SENT, State.RESET, 175, 0, ConnState.REJ),
    ];
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      const got = cs(c.o, c.r, c.os, c.rs, c.h);
      if (got != c.want) log(c.what + ": got " + NAMES[got] + ", want " + NAMES[c.want]);
      expect(got).toBe(c.want);
    }
  });
});
