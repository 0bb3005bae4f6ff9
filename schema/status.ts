/**
 * Status codes returned by the core's exports and capture errors reported with a byte offset.
 * Generated into both sides like the event table.
 */
export const RUN_STATUS = [
  { id: 0, name: 'NeedInput', doc: 'all complete records consumed; give more bytes or call finish()' },
  { id: 1, name: 'RingFull', doc: 'the event ring needs draining; call run() again afterwards' },
  { id: 2, name: 'Done', doc: 'finish() completed; every event is in the ring' },
  { id: 3, name: 'Error', doc: 'the capture is unreadable; see errorCode()/errorOffset()' },
] as const;

/** Capture errors. The message is completed with the byte offset (and the values named in it). */
export const CAPTURE_ERRORS = [
  { id: 1, name: 'NotACapture', message: 'not a pcap or pcapng file (unknown magic number)' },
  { id: 2, name: 'TruncatedFileHeader', message: 'file ends inside the pcap file header' },
  { id: 3, name: 'TruncatedRecordHeader', message: 'file ends inside a packet record header' },
  { id: 4, name: 'TruncatedRecord', message: 'file ends inside a packet record' },
  { id: 5, name: 'RecordTooLarge', message: 'captured length exceeds the limit of the reader' },
  { id: 6, name: 'CapLenAboveSnapLen', message: 'captured length is larger than the snap length' },
  { id: 7, name: 'UnsupportedVersion', message: 'unsupported pcap/pcapng version' },
  { id: 8, name: 'BadBlockLength', message: 'pcapng block length is invalid (below 12, not a multiple of 4, or trailer mismatch)' },
  { id: 9, name: 'TruncatedBlock', message: 'file ends inside a pcapng block' },
  { id: 10, name: 'BlockTooLarge', message: 'pcapng block exceeds the limit of the reader' },
  { id: 11, name: 'UnknownInterface', message: 'pcapng packet refers to an interface that was not described' },
  { id: 12, name: 'MissingSectionHeader', message: 'pcapng block before any section header' },
  { id: 13, name: 'BadPacketLength', message: 'captured length is larger than the block that holds it' },
  { id: 14, name: 'TooManyInterfaces', message: 'pcapng section describes more interfaces than the reader keeps' },
  { id: 15, name: 'BadTimestampResolution', message: 'pcapng if_tsresol is finer than libpcap accepts (10^-19 or 2^-63)' },
] as const;

/** Counters the core keeps as f64 at statsPtr(), by index. */
export const STATS = [
  { id: 0, name: 'packets', doc: 'packet records read from the capture' },
  { id: 1, name: 'bytes_consumed', doc: 'capture bytes consumed (for progress)' },
  { id: 2, name: 'tcp_packets', doc: 'packets handed to TCP analysis' },
  { id: 3, name: 'non_tcp_packets', doc: 'IP packets of other protocols (counted and skipped)' },
  { id: 4, name: 'non_ip_packets', doc: 'frames without IPv4/IPv6 (counted and skipped)' },
  { id: 5, name: 'weirds', doc: 'weirds raised (before sampling)' },
  { id: 6, name: 'connections', doc: 'connections created' },
  { id: 7, name: 'open_connections', doc: 'connections open now' },
  { id: 8, name: 'peak_connections', doc: 'most connections open at once' },
  { id: 9, name: 'buffered_bytes', doc: 'stream bytes held by reassemblers now' },
  { id: 10, name: 'fragments', doc: 'IP fragments offered to reassembly' },
] as const;
