/**
 * Classic libpcap files: a 24-byte file header, then 16-byte record headers each followed
 * by caplen bytes. Both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d)
 * magics. Format reference: draft-ietf-opsawg-pcap.
 */
import { newRawPacket, type CaptureHandlers, type CaptureInterface, type PacketRecord } from './types.js';
import type { RecordParser } from './record-stream.js';

/** Beyond this a record length is corruption, not a packet; the stream cannot be resynchronised. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

const FILE_HEADER = 24;
const RECORD_HEADER = 16;
/**
 * The link-type field's upper bits carry the FCS length (bits 28-31) and its presence flag
 * (bit 26); the link type proper is below (libpcap's LT_LINKTYPE mask).
 */
const LINKTYPE_MASK = 0x03ffffff;

export class PcapParser implements RecordParser {
  wanted = FILE_HEADER;
  stopped = false;
  packets = 0;
  readonly interfaces: CaptureInterface[] = [];
  private headerDone = false;
  private little = true;
  private nano = false;
  private snaplen = 0;
  private snaplenReported = false;
  private readonly packet: PacketRecord = newRawPacket();

  constructor(
    private readonly handlers: CaptureHandlers,
    private readonly compressed: boolean,
  ) {}

  parse(buf: Uint8Array, pos: number, end: number): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (!this.headerDone) {
      if (end - pos < FILE_HEADER) return pos;
      this.readFileHeader(view, pos);
      pos += FILE_HEADER;
    }
    const little = this.little;
    const nano = this.nano;
    const handlers = this.handlers;
    const packet = this.packet;
    while (true) {
      if (end - pos < RECORD_HEADER) {
        this.wanted = RECORD_HEADER;
        return pos;
      }
      const caplen = view.getUint32(pos + 8, little);
      if (caplen > MAX_RECORD_BYTES) {
        this.stopped = true;
        handlers.problem({
          code: 'capture.packet_too_large',
          detail: `record ${this.packets + 1} claims ${caplen} bytes (limit ${MAX_RECORD_BYTES}); the rest of the file cannot be read`,
          frame: this.packets + 1,
        });
        return pos;
      }
      if (end - pos < RECORD_HEADER + caplen) {
        this.wanted = RECORD_HEADER + caplen;
        return pos;
      }
      const sec = view.getUint32(pos, little);
      const frac = view.getUint32(pos + 4, little);
      let ns = nano ? frac : frac * 1000;
      let s = sec;
      // Writers sometimes store a fraction of a whole second or more: carry it.
      if (ns >= 1e9) {
        s += Math.floor(ns / 1e9);
        ns %= 1e9;
      }
      this.packets++;
      packet.frame = this.packets;
      packet.sec = s;
      packet.ns = ns;
      packet.orig_len = view.getUint32(pos + 12, little);
      packet.frameAt(buf, pos + RECORD_HEADER, caplen);
      if (caplen > this.snaplen && this.snaplen !== 0 && !this.snaplenReported) {
        // Reported once per file: a writer with a wrong snaplen would otherwise flag every packet.
        this.snaplenReported = true;
        handlers.problem({
          code: 'capture.snaplen_exceeded',
          detail: `frame ${this.packets}: ${caplen} bytes captured, snaplen is ${this.snaplen} (reported once per file)`,
          frame: this.packets,
        });
      }
      handlers.packet(packet);
      pos += RECORD_HEADER + caplen;
    }
  }

  private readFileHeader(view: DataView, pos: number): void {
    const magic = view.getUint32(pos, false);
    this.little = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
    this.nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    this.snaplen = view.getUint32(pos + 16, this.little);
    const linkType = view.getUint32(pos + 20, this.little) & LINKTYPE_MASK;
    this.headerDone = true;
    this.handlers.start?.({ format: this.nano ? 'pcap-nsec' : 'pcap', compressed: this.compressed });
    const iface: CaptureInterface = {
      link_type: linkType,
      snaplen: this.snaplen,
      ts_units_per_second: this.nano ? 1e9 : 1e6,
    };
    this.interfaces.push(iface);
    this.packet.link_type = linkType;
    this.handlers.interface?.(iface, 0);
  }

  finish(leftover: number): void {
    if (!this.headerDone) {
      // Only reached when the file is shorter than its header; readCapture turns it into an error.
      return;
    }
    if (leftover > 0) {
      this.handlers.problem({
        code: 'capture.truncated',
        detail: `the file ends inside record ${this.packets + 1} (${leftover} of ${this.wanted} bytes present)`,
        frame: this.packets + 1,
      });
    }
  }

  get headerRead(): boolean {
    return this.headerDone;
  }
}
