/** What the main thread and the workers of one split capture say to each other. */
import type { CaptureSummary } from '../../capture/types.js';
import type { Limits } from '../../dissect/limits.js';
import type { InputDamage } from '../../report/input-damage.js';
import type { packEvent } from './event-clone.js';

export type ShareMode = 'ndjson' | 'objects';

/** `workerData` of a share worker. */
export interface ShareInit {
  limits: Limits;
  /** How many shares the capture is split in (each worker governs its heap with its part of the budget). */
  shares: number;
  /** False: detection only (`flows --quick`). */
  dissect: boolean;
  mode: ShareMode;
  checkChecksums: boolean;
  tcpAnalysis: boolean;
  types?: string[];
  filter?: string;
  /** `--keylog` bytes, parsed by each worker into the secret store its engine reads. */
  keylog?: Uint8Array;
  /** The run may hold key material (`work-plan.ts`: TLS then carries what is inside it). */
  mayHoldSecrets: boolean;
  /** Set when the worker reads the capture file itself (split.ts, "every worker reads"). */
  read?: ShareRead;
}

/** A worker that reads the capture itself: which file, which share is its own, how it cuts epochs. */
export interface ShareRead {
  source: string;
  /** The file's size when the split began: every pass of every worker reads exactly these bytes. */
  bytes: number;
  /** This worker's share: the packets `shardOf(..., shares)` sends to `index`. */
  index: number;
  /** An epoch ends after this many packets of the whole capture, or this many bytes of them. */
  epochPackets: number;
  epochBytes: number;
  /** Epochs processed but not yet given their flow ids; the worker stops reading beyond this. */
  maxWaiting: number;
  max_dsb_bytes: number;
  /**
   * The owner share of each bucket (bucket-plan.ts), when known at the start (the main
   * thread's own share); a worker gets it in a `plan` message, planned by the main thread
   * while the worker starts.
   */
  owners?: Uint16Array;
}

/** What the worker that reads share 0 tells the main thread at the end: the capture summary's parts. */
export interface WholeCapture {
  summary: CaptureSummary;
  /** Capture-wide counts (CaptureStats.fields without the hierarchy), packed (event-clone.ts). */
  stats: ReturnType<typeof packEvent>;
  frame: number;
  sec: number;
  ns: number;
}

export type ToShare =
  /** Packets and ticks of one epoch (see packet-batch.ts); `end` also ends the capture. */
  | { kind: 'batch'; epoch: number; buffer: ArrayBuffer; length: number; end: null | { frame: number; sec: number; ns: number } }
  /** The ids of the flows the worker created in `epoch`, in creation order. */
  | { kind: 'ids'; epoch: number; ids: Uint32Array; streams: Uint32Array }
  /**
   * Key log text from a pcapng Decryption Secrets Block, for the packets of later batches
   * (the main thread sends the packets read before the block first).
   */
  | { kind: 'secrets'; data: Uint8Array }
  /** The bucket plan (`ShareRead.owners`), sent once to each worker that reads the file. */
  | { kind: 'plan'; owners: Uint16Array };

export type FromShare =
  | { kind: 'created'; epoch: number; frames: number[]; kinds: number[] }
  /**
   * The epoch's events, in groups: group i has key `keys[4i..4i+3]` (see order.ts) and is
   * `bytes[ends[i-1], ends[i])` (ndjson, UTF-8) or `events[ends[i-1], ends[i])` (objects).
   */
  | { kind: 'output'; epoch: number; keys: Float64Array; ends: Uint32Array; bytes?: Uint8Array; events?: ReturnType<typeof packEvent>[] }
  /** After the last epoch's output: the hierarchy counts and input damage of this share. */
  | { kind: 'done'; hierarchy: [string, number, number][]; damage: ReturnType<InputDamage['seen']>; epochs: number; whole?: WholeCapture; stalledMs?: number }
  /** Reading progress of the worker that reads share 0 (the others read the same bytes). */
  | { kind: 'progress'; read: number; total: number | null }
  /** `capture`: the file cannot be read (a CaptureError, its message as one thread words it). */
  | { kind: 'error'; message: string; capture?: boolean };
