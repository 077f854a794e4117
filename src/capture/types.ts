import { Timestamp } from '../events/time.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';

export type CaptureFormat = 'pcap' | 'pcap-nsec' | 'pcapng';

/** One packet record as read from the file. Readers may reuse this object and its bytes. */
export interface RawPacket {
  /** 1-based, counting every packet record in the file (as Wireshark numbers frames). */
  frame: number;
  ts: Timestamp;
  /** LINKTYPE_* value of the packet's interface. */
  link_type: number;
  /** Captured bytes (caplen). Valid only during the callback. */
  data: Uint8Array;
  /** Length on the wire. */
  orig_len: number;
  /** pcapng interface index (0 for pcap). */
  interface_id: number;
}

/** A RawPacket for a reader to fill and reuse. */
export const newRawPacket = (): RawPacket => ({
  frame: 0,
  ts: Timestamp.ZERO,
  link_type: 0,
  data: new Uint8Array(0),
  orig_len: 0,
  interface_id: 0,
});

/** Problems inside an otherwise readable file; the reader reports them and goes on. */
export interface CaptureProblem {
  /** An anomaly code from `CORE_ANOMALIES` (`capture.truncated`, ...). */
  code: CoreAnomalyCode;
  detail: string;
  /** Frame number the problem belongs to (the packet being read, or the last one read). */
  frame: number;
}

export interface CaptureInterface {
  link_type: number;
  snaplen: number;
  name?: string;
  /** Timestamp units per second after `if_tsresol` (1e6 by default). */
  ts_units_per_second: number;
}

/** Kinds of decryption secrets a capture can carry that wirelens uses: 'tls' is an NSS key log. */
export type SecretsKind = 'tls';

export interface CaptureHandlers {
  /** Called once, after the file header is read and before the first packet. */
  start?(info: { format: CaptureFormat; compressed: boolean }): void;
  /** Called for each interface as it is described (pcap: once, from the file header). */
  interface?(iface: CaptureInterface, index: number): void;
  packet(packet: RawPacket): void;
  problem(problem: CaptureProblem): void;
  /**
   * Decryption secrets embedded in the file (pcapng Decryption Secrets Block): 'tls' is TLS
   * key log text (secrets type TLSK), to give to `parseKeyLog`. `data` is valid only during
   * the call. `frame` is the number of packets read before the block: its secrets are for
   * the packets after it. Without this handler the blocks are skipped silently, as before.
   */
  secrets?(kind: SecretsKind, data: Uint8Array, frame: number): void;
}

export interface CaptureSummary {
  format: CaptureFormat;
  compressed: boolean;
  /** The interfaces, at most MAX_LISTED_INTERFACES of them (see `interface_count`). */
  interfaces: CaptureInterface[];
  /** Every interface described, when more than those listed. */
  interface_count?: number;
  packets: number;
  /** Bytes of the file as read (after gunzip). */
  file_bytes: number;
}

/** A file that cannot be read at all. The message is one line naming the file and what was found. */
export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}
