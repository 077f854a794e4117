import type { WireEvent } from '../events/event.js';
import { visible } from './safe-text.js';

/**
 * Damage to the input itself (the file, or packets cut or malformed below the
 * application layer) is worth one line on stderr even when the output is JSON: a user
 * piping `events` into jq would otherwise never learn that part of the capture was not
 * read. Protocol-level anomalies stay in the output only (they are findings, not damage).
 */
const DAMAGE = new Set([
  'capture.truncated',
  'capture.bad_record',
  'capture.snaplen_exceeded',
  'capture.packet_too_large',
  'link.truncated',
  'ip.truncated',
  'ip.bad_header_length',
  'ip.bad_version',
  'tcp.truncated',
  'tcp.bad_data_offset',
  'udp.truncated',
]);

/** Link types reported at most, in the note about link types that are not supported. */
const UNSUPPORTED_LISTED = 8;

export class InputDamage {
  private first: { code: string; detail: string; frame: number } | null = null;
  private count = 0;
  /** Link types not supported, as the decoder named them: the file is whole, wirelens cannot read them. */
  private unsupported: string[] = [];

  observe = (e: WireEvent): void => {
    if (e.type !== 'anomaly') return;
    if (e.code === 'capture.unknown_link_type') {
      const detail = `${String(e.detail)} (first at frame ${e.frame})`;
      if (this.unsupported.length < UNSUPPORTED_LISTED && !this.unsupported.includes(detail)) this.unsupported.push(detail);
      return;
    }
    if (!DAMAGE.has(String(e.code))) return;
    this.count++;
    this.first ??= { code: String(e.code), detail: String(e.detail), frame: e.frame };
  };

  /** What a worker saw, to merge into the main thread's. */
  seen(): { first: { code: string; detail: string; frame: number } | null; count: number; unsupported: string[] } {
    return { first: this.first, count: this.count, unsupported: this.unsupported };
  }

  /** Adds a worker's share; the first problem is the one with the lowest frame (ties: the earlier share). */
  absorb(share: ReturnType<InputDamage['seen']>): void {
    this.count += share.count;
    for (const u of share.unsupported) {
      if (this.unsupported.length < UNSUPPORTED_LISTED && !this.unsupported.includes(u)) this.unsupported.push(u);
    }
    if (share.first && (!this.first || share.first.frame < this.first.frame)) this.first = share.first;
  }

  /**
   * One line per link type that is not supported, or none. Not damage: the frames are
   * there, wirelens cannot decode them (the capture summary counts them per link type).
   */
  notes(): string[] {
    // Worded so it cannot be mistaken for the damage warning: the file is intact.
    return this.unsupported.map((u) => `note: ${visible(u)}; capture.summary's link_types[].skipped counts them`);
  }

  /** One line, or null when the input was whole. */
  line(): string | null {
    if (!this.first) return null;
    const { code, detail, frame } = this.first;
    const more = this.count > 1 ? `; ${this.count - 1} more such problem${this.count > 2 ? 's' : ''}` : '';
    return `warning: damaged input, read what could be read: ${code} at frame ${frame}: ${visible(detail)}${more} (see the anomalies)`;
  }
}

