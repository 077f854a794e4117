/**
 * pcapng files: a sequence of blocks `type, total length, body, total length`, grouped in
 * sections that each start with a Section Header Block carrying the byte order. Interfaces
 * (IDB) are numbered per section; frames count packet blocks (EPB, SPB, PB) over the whole
 * file, as Wireshark numbers them. Reference: draft-ietf-opsawg-pcapng.
 */
import { newRawPacket, type CaptureHandlers, type CaptureInterface, type PacketRecord } from './types.js';
import type { RecordParser } from './record-stream.js';
import { MAX_RECORD_BYTES } from './pcap-reader.js';
import { TimestampConverter } from './timestamps.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
/** Interfaces kept per section (their packets are decoded), and listed in the summary. */
export const MAX_INTERFACES = 65536;
export const MAX_LISTED_INTERFACES = 256;
const PB_OBSOLETE = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;
const DSB = 0x0000000a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/**
 * Known blocks without packets, skipped silently: NRB, ISB, IRIG, ARINC 429, systemd
 * journal, custom; and DSB when no one asked for secrets.
 */
const KNOWN_NON_PACKET = new Set([0x4, 0x5, 0x7, 0x8, 0x9, DSB, 0xbad, 0x40000bad]);

/** Decryption Secrets Block secrets types (pcapng draft §4.7 and Wireshark's wtap.h). */
const SECRETS_TLS = 0x544c534b; // 'TLSK': NSS key log text
const SECRETS_NAMES: ReadonlyMap<number, string> = new Map([
  [0x57474b4c, 'WireGuard key log'],
  [0x5a4e574b, 'ZigBee NWK key'],
  [0x5a415053, 'ZigBee APS key'],
  [0x5353484b, 'SSH key log'],
  [0x55414b4c, 'OPC UA key log'],
]);

const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

const MAX_BLOCK_BYTES = MAX_RECORD_BYTES + 64 * 1024;

/**
 * `DEFAULT_LIMITS.max_dsb_bytes`, repeated here because capture/ imports nothing above it
 * (a test keeps the two equal); the pipeline passes the configured value.
 */
export const DEFAULT_MAX_DSB_BYTES = 64 * 1024 * 1024;

interface SectionInterface {
  info: CaptureInterface;
  ts: TimestampConverter;
  snaplenReported: boolean;
}

export class PcapngParser implements RecordParser {
  wanted = 12;
  stopped = false;
  packets = 0;
  sections = 0;
  /** The interfaces of every section, in file order, at most MAX_LISTED_INTERFACES. */
  readonly interfaces: CaptureInterface[] = [];
  /** Interface description blocks read, listed or not. */
  interfaceCount = 0;
  /** Sections whose interfaces passed MAX_INTERFACES (reported once each). */
  private interfacesCapped = false;
  private little = true;
  private section: SectionInterface[] = [];
  /** The last packet's time, for a simple packet block (which has none). */
  private lastSec = 0;
  private lastNs = 0;
  private readonly unknownReported = new Set<number>();
  private readonly secretsReported = new Set<number>();
  private readonly packet: PacketRecord = newRawPacket();

  constructor(
    private readonly handlers: CaptureHandlers,
    private readonly compressed: boolean,
    private readonly maxSecretsBytes: number = DEFAULT_MAX_DSB_BYTES,
  ) {}

  parse(buf: Uint8Array, pos: number, end: number): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (!this.stopped) {
      const avail = end - pos;
      if (avail < 12) {
        this.wanted = 12;
        return pos;
      }
      let type = view.getUint32(pos, this.little);
      if (type === SHB) {
        // The byte order of a section is only known from its SHB's magic, which follows the length.
        const bom = view.getUint32(pos + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.little = true;
        else if (bom === 0x4d3c2b1a) this.little = false;
        else {
          this.stop('capture.bad_record', `a section header has a bad byte-order magic 0x${bom.toString(16)}; reading stopped`);
          return pos;
        }
        type = SHB;
      }
      const length = view.getUint32(pos + 4, this.little);
      if (length < 12 || length % 4 !== 0) {
        this.stop('capture.bad_record', `block of type 0x${type.toString(16)} has impossible total length ${length}; reading stopped`);
        return pos;
      }
      if (length > MAX_BLOCK_BYTES) {
        this.stop(
          'capture.packet_too_large',
          `block of type 0x${type.toString(16)} claims ${length} bytes (limit ${MAX_BLOCK_BYTES}); the rest of the file cannot be read`,
        );
        return pos;
      }
      if (avail < length) {
        this.wanted = length;
        return pos;
      }
      const trailer = view.getUint32(pos + length - 4, this.little);
      if (trailer !== length) {
        this.problem(
          'capture.bad_record',
          `block of type 0x${type.toString(16)}: total length ${length} at its head but ${trailer} at its tail; block skipped`,
          this.packets,
        );
      } else {
        this.block(type, buf, view, pos, length);
      }
      pos += length;
    }
    return pos;
  }

  private block(type: number, buf: Uint8Array, view: DataView, pos: number, length: number): void {
    switch (type) {
      case EPB:
        return this.timestampedPacket(buf, view, pos, length, false);
      case SPB:
        return this.simplePacket(buf, view, pos, length);
      case PB_OBSOLETE:
        return this.timestampedPacket(buf, view, pos, length, true);
      case IDB:
        return this.interfaceDescription(buf, view, pos, length);
      case SHB:
        return this.sectionHeader(view, pos, length);
      case DSB:
        if (this.handlers.secrets !== undefined) return this.decryptionSecrets(buf, view, pos, length);
        return;
      default:
        if (KNOWN_NON_PACKET.has(type)) return;
        if (!this.unknownReported.has(type)) {
          // Once per type: a file full of vendor blocks would otherwise flood the anomalies.
          this.unknownReported.add(type);
          this.problem('capture.unknown_block', `skipped block of unknown type 0x${type.toString(16)} (reported once per type)`, this.packets);
        }
    }
  }

  /** Secrets type, secrets length, secrets (padded to 4), options. */
  private decryptionSecrets(buf: Uint8Array, view: DataView, pos: number, length: number): void {
    const frame = this.packets;
    if (length < 20) {
      this.problem('capture.secrets_ignored', `decryption secrets block of ${length} bytes is too short (20 at least); skipped`, frame);
      return;
    }
    const type = view.getUint32(pos + 8, this.little);
    const size = view.getUint32(pos + 12, this.little);
    if (16 + size > length - 4) {
      this.problem('capture.secrets_ignored', `decryption secrets block: secrets length ${size} exceeds the block (${length} bytes); skipped`, frame);
      return;
    }
    if (type !== SECRETS_TLS) {
      if (!this.secretsReported.has(type)) {
        this.secretsReported.add(type);
        const name = SECRETS_NAMES.get(type);
        this.problem(
          'capture.secrets_ignored',
          `decryption secrets of type 0x${type.toString(16).padStart(8, '0')}${name ? ` (${name})` : ''} are not used (reported once per type)`,
          frame,
        );
      }
      return;
    }
    if (size > this.maxSecretsBytes) {
      this.problem('capture.secrets_limit', `decryption secrets block of ${size} bytes of TLS key log is above max_dsb_bytes (${this.maxSecretsBytes}); skipped`, frame);
      return;
    }
    this.handlers.secrets!('tls', buf.subarray(pos + 16, pos + 16 + size), frame);
  }

  private sectionHeader(view: DataView, pos: number, length: number): void {
    if (length < 28) {
      this.problem('capture.bad_record', `section header block of ${length} bytes is too short (28 at least)`, this.packets);
    } else {
      const major = view.getUint16(pos + 12, this.little);
      if (major !== 1) {
        this.problem('capture.bad_record', `section header version ${major}.x is not 1.x; reading it as 1.0`, this.packets);
      }
    }
    this.sections++;
    this.section = [];
    this.interfacesCapped = false;
    if (this.sections === 1) this.handlers.start?.({ format: 'pcapng', compressed: this.compressed });
  }

  private interfaceDescription(buf: Uint8Array, view: DataView, pos: number, length: number): void {
    const index = this.section.length;
    this.interfaceCount++;
    if (index >= MAX_INTERFACES) {
      // A file of a million interface blocks held 844 MB; packets of these interfaces are
      // reported as naming an unknown interface.
      if (!this.interfacesCapped) {
        this.interfacesCapped = true;
        this.problem('capture.interface_limit', `more than ${MAX_INTERFACES} interfaces in one section; later ones are ignored`, this.packets);
      }
      return;
    }
    if (length < 20) {
      // Keep the numbering of later interfaces right with a placeholder of an unknown link type.
      this.problem('capture.bad_record', `interface description block ${index} of ${length} bytes is too short`, this.packets);
    }
    const little = this.little;
    const linkType = length >= 20 ? view.getUint16(pos + 8, little) : 0xffff;
    const snaplen = length >= 20 ? view.getUint32(pos + 12, little) : 0;
    let name: string | undefined;
    let tsresol = 6;
    let tsoffset = 0;
    const optEnd = pos + length - 4;
    let off = pos + 16;
    while (off + 4 <= optEnd) {
      const code = view.getUint16(off, little);
      const len = view.getUint16(off + 2, little);
      const value = off + 4;
      if (code === 0) break;
      if (value + len > optEnd) {
        this.problem('capture.bad_record', `interface ${index}: option ${code} runs past the block; options ignored from there`, this.packets);
        break;
      }
      if (code === OPT_IF_NAME) name = utf8Trimmed(buf, value, len);
      else if (code === OPT_IF_TSRESOL && len >= 1) {
        const r = buf[value]!;
        if (TimestampConverter.valid(r)) tsresol = r;
        else this.problem('capture.bad_record', `interface ${index}: unsupported if_tsresol 0x${r.toString(16)}; using microseconds`, this.packets);
      } else if (code === OPT_IF_TSOFFSET && len >= 8) {
        const lo = view.getUint32(value + (little ? 0 : 4), little);
        const hi = view.getInt32(value + (little ? 4 : 0), little);
        tsoffset = hi * 4294967296 + lo;
      }
      off = value + ((len + 3) & ~3);
    }
    const ts = new TimestampConverter(tsresol, tsoffset);
    const info: CaptureInterface = { link_type: linkType, snaplen, ts_units_per_second: ts.unitsPerSecond };
    if (name !== undefined) info.name = name;
    this.section.push({ info, ts, snaplenReported: false });
    // The summary names the first interfaces and counts all: one line listing a million
    // was 34.7 MB.
    if (this.interfaces.length < MAX_LISTED_INTERFACES) this.interfaces.push(info);
    this.handlers.interface?.(info, index);
  }

  /**
   * Enhanced (EPB) and obsolete (PB) packet blocks share their layout; the PB has a 16-bit
   * interface id followed by a drops counter where the EPB has a 32-bit id.
   */
  private timestampedPacket(buf: Uint8Array, view: DataView, pos: number, length: number, obsolete: boolean): void {
    const frame = this.packets + 1;
    const name = obsolete ? 'packet block' : 'enhanced packet block';
    if (length < 32) {
      this.problem('capture.bad_record', `${name} of ${length} bytes is too short; skipped`, frame);
      return;
    }
    const little = this.little;
    const ifId = obsolete ? view.getUint16(pos + 8, little) : view.getUint32(pos + 8, little);
    const caplen = view.getUint32(pos + 20, little);
    if (28 + caplen > length - 4) {
      this.problem('capture.bad_record', `${name}: captured length ${caplen} exceeds the block (${length} bytes); skipped`, frame);
      return;
    }
    const iface = this.section[ifId];
    if (iface === undefined) {
      this.problem('capture.bad_record', `packet on interface ${ifId}, which is not described in this section; skipped`, frame);
      return;
    }
    // Straight into the packet record: no Timestamp object per packet.
    const packet = this.packet;
    iface.ts.convertInto(view.getUint32(pos + 12, little), view.getUint32(pos + 16, little), packet);
    this.deliver(iface, ifId, buf, pos + 28, caplen, view.getUint32(pos + 24, little));
  }

  private simplePacket(buf: Uint8Array, view: DataView, pos: number, length: number): void {
    const frame = this.packets + 1;
    const iface = this.section[0];
    if (length < 16) {
      this.problem('capture.bad_record', `simple packet block of ${length} bytes is too short; skipped`, frame);
      return;
    }
    if (iface === undefined) {
      this.problem('capture.bad_record', 'simple packet block before any interface description; skipped', frame);
      return;
    }
    const origLen = view.getUint32(pos + 8, this.little);
    // The captured length is implied: the original length, cut by the snaplen and the block.
    let caplen = Math.min(origLen, length - 16);
    if (iface.info.snaplen !== 0 && caplen > iface.info.snaplen) caplen = iface.info.snaplen;
    // No timestamp in an SPB: keep the time of the packet before.
    const packet = this.packet;
    packet.sec = this.lastSec;
    packet.ns = this.lastNs;
    this.deliver(iface, 0, buf, pos + 12, caplen, origLen);
  }

  /** The packet record, its time already set; its bytes are `buf[at, at + caplen)`. */
  private deliver(iface: SectionInterface, ifId: number, buf: Uint8Array, at: number, caplen: number, origLen: number): void {
    this.packets++;
    const packet = this.packet;
    packet.frame = this.packets;
    packet.link_type = iface.info.link_type;
    packet.frameAt(buf, at, caplen);
    packet.orig_len = origLen;
    packet.interface_id = ifId;
    this.lastSec = packet.sec;
    this.lastNs = packet.ns;
    const snaplen = iface.info.snaplen;
    if (snaplen !== 0 && caplen > snaplen && !iface.snaplenReported) {
      iface.snaplenReported = true;
      this.problem(
        'capture.snaplen_exceeded',
        `frame ${this.packets}: ${caplen} bytes captured, interface ${ifId} snaplen is ${snaplen} (reported once per interface)`,
        this.packets,
      );
    }
    this.handlers.packet(packet);
  }

  private problem(code: CoreAnomalyCode, detail: string, frame: number): void {
    this.handlers.problem({ code, detail, frame });
  }

  private stop(code: CoreAnomalyCode, detail: string): void {
    this.stopped = true;
    this.problem(code, detail, this.packets);
  }

  finish(leftover: number): void {
    if (leftover > 0) {
      this.problem(
        'capture.truncated',
        `the file ends inside a block (${leftover} of ${this.wanted} bytes present) after frame ${this.packets}`,
        this.packets + 1,
      );
    }
  }
}

const utf8 = new TextDecoder('utf-8');

/** Option strings are UTF-8; some writers add a NUL terminator inside the length. */
function utf8Trimmed(buf: Uint8Array, start: number, len: number): string {
  let end = start + len;
  while (end > start && buf[end - 1] === 0) end--;
  return utf8.decode(buf.subarray(start, end));
}
