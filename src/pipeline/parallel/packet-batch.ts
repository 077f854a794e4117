/**
 * Packets and ticks on their way from the main thread to one worker, packed into one
 * transferable buffer per batch (no structured cloning of objects, no copy on transfer).
 *
 * Record: u32 kind, u32 caplen, f64 frame, f64 sec, u32 ns, u32 link_type, u32 orig_len,
 * u32 interface_id, then caplen bytes padded to 8.
 */
import { PacketRecord, type RawPacket } from '../../capture/types.js';
import { Timestamp } from '../../events/time.js';

const HEADER = 40;
const KIND_PACKET = 0;
const KIND_TICK = 1;

export class BatchWriter {
  private buf: ArrayBuffer;
  private view: DataView;
  private bytes: Uint8Array;
  length = 0;
  packets = 0;

  constructor(private readonly initial = 1 << 20) {
    this.buf = new ArrayBuffer(initial);
    this.view = new DataView(this.buf);
    this.bytes = new Uint8Array(this.buf);
  }

  addPacket(p: RawPacket): void {
    const n = p.data.length;
    const at = this.reserve(HEADER + pad8(n));
    this.header(at, KIND_PACKET, n, p.frame, p.sec, p.ns);
    const v = this.view;
    v.setUint32(at + 28, p.link_type, true);
    v.setUint32(at + 32, p.orig_len, true);
    v.setUint32(at + 36, p.interface_id, true);
    this.bytes.set(p.data, at + HEADER);
    this.packets++;
  }

  /** The capture second changed at `frame`: every worker expires by time here. */
  addTick(frame: number, ts: Timestamp): void {
    this.header(this.reserve(HEADER), KIND_TICK, 0, frame, ts.sec, ts.ns);
  }

  /** The packed records, handing over the buffer (a new one is used from now on). */
  take(): { buffer: ArrayBuffer; length: number } {
    const out = { buffer: this.buf, length: this.length };
    this.buf = new ArrayBuffer(Math.max(this.initial, this.length));
    this.view = new DataView(this.buf);
    this.bytes = new Uint8Array(this.buf);
    this.length = 0;
    this.packets = 0;
    return out;
  }

  private header(at: number, kind: number, caplen: number, frame: number, sec: number, ns: number): void {
    const v = this.view;
    v.setUint32(at, kind, true);
    v.setUint32(at + 4, caplen, true);
    v.setFloat64(at + 8, frame, true);
    v.setFloat64(at + 16, sec, true);
    v.setUint32(at + 24, ns, true);
  }

  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.byteLength) {
      const grown = new ArrayBuffer(Math.max(at + n, this.buf.byteLength * 2));
      new Uint8Array(grown).set(this.bytes.subarray(0, at));
      this.buf = grown;
      this.view = new DataView(grown);
      this.bytes = new Uint8Array(grown);
    }
    this.length = at + n;
    return at;
  }
}

export interface BatchHandler {
  packet(p: RawPacket): void;
  tick(frame: number, ts: Timestamp): void;
}

/** Replays a batch; the RawPacket passed on is reused and valid only during the call. */
export function readBatch(buffer: ArrayBuffer, length: number, handler: BatchHandler): void {
  const v = new DataView(buffer, 0, length);
  const bytes = new Uint8Array(buffer, 0, length);
  const p = new PacketRecord();
  let at = 0;
  while (at + HEADER <= length) {
    const kind = v.getUint32(at, true);
    const caplen = v.getUint32(at + 4, true);
    const frame = v.getFloat64(at + 8, true);
    const sec = v.getFloat64(at + 16, true);
    const ns = v.getUint32(at + 24, true);
    if (kind === KIND_TICK) {
      handler.tick(frame, new Timestamp(sec, ns));
    } else {
      p.frame = frame;
      p.sec = sec;
      p.ns = ns;
      p.link_type = v.getUint32(at + 28, true);
      p.orig_len = v.getUint32(at + 32, true);
      p.interface_id = v.getUint32(at + 36, true);
      p.data = bytes.subarray(at + HEADER, at + HEADER + caplen);
      handler.packet(p);
    }
    at += HEADER + pad8(caplen);
  }
}

const pad8 = (n: number): number => (n + 7) & ~7;
