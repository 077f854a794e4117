import { Timestamp } from '../events/time.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';

export type CaptureFormat = 'pcap' | 'pcap-nsec' | 'pcapng';

/** One packet record as read from the file. Readers may reuse this object and its bytes. */
export interface RawPacket {
  /** 1-based, counting every packet record in the file (as Wireshark numbers frames). */
  frame: number;
  /**
   * The capture time as two numbers, whole seconds since 1970 (from a broken capture they
   * may be negative or beyond 2^53) and nanoseconds (0 to 999,999,999): what the packet path
   * reads, with no object per packet.
   */
  sec: number;
  ns: number;
  /** The same time as a `Timestamp`, made when asked (for what keeps or writes it). */
  ts: Timestamp;
  /** LINKTYPE_* value of the packet's interface. */
  link_type: number;
  /** Captured bytes (caplen). Valid only during the callback. */
  data: Uint8Array;
  /**
   * The same bytes as the buffer they were read into, `bytes[offset, offset + caplen)`:
   * what the packet path reads, with no view per packet. Valid only during the callback.
   */
  bytes: Uint8Array;
  offset: number;
  caplen: number;
  /** Length on the wire. */
  orig_len: number;
  /** pcapng interface index (0 for pcap). */
  interface_id: number;
}

/**
 * The RawPacket a reader fills and reuses: the time is kept as numbers and `ts` makes its
 * `Timestamp` only when read (a packet whose time no event writes makes none), at most once
 * per time.
 */
export class PacketRecord implements RawPacket {
  frame = 0;
  sec = 0;
  ns = 0;
  link_type = 0;
  bytes: Uint8Array = NO_BYTES;
  offset = 0;
  caplen = 0;
  orig_len = 0;
  interface_id = 0;
  private made: Timestamp = Timestamp.ZERO;
  private view: Uint8Array | null = NO_BYTES;

  /** The frame's bytes are `bytes[offset, offset + caplen)` (its view, `data`, is made when asked). */
  frameAt(bytes: Uint8Array, offset: number, caplen: number): void {
    this.bytes = bytes;
    this.offset = offset;
    this.caplen = caplen;
    this.view = null;
  }

  get data(): Uint8Array {
    return (this.view ??= this.bytes.subarray(this.offset, this.offset + this.caplen));
  }

  set data(d: Uint8Array) {
    this.frameAt(d, 0, d.length);
    this.view = d;
  }

  get ts(): Timestamp {
    // Compared rather than invalidated: readers set the numbers and nothing else.
    return (this.made = Timestamp.at(this.made, this.sec, this.ns));
  }

  set ts(t: Timestamp) {
    this.sec = t.sec;
    this.ns = t.ns;
    this.made = t;
  }
}

const NO_BYTES = new Uint8Array(0);

/** A RawPacket for a reader to fill and reuse. */
export const newRawPacket = (): PacketRecord => new PacketRecord();

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
