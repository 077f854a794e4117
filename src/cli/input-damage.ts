import type { WireEvent } from '../events/event.js';
import { visible } from '../report/safe-text.js';

/**
 * Damage to the input itself (the file, or packets cut or malformed below the
 * application layer) is worth one line on stderr even when the output is JSON: a user
 * piping `events` into jq would otherwise never learn that part of the capture was not
 * read. Protocol-level anomalies stay in the output only (they are findings, not damage).
 */
const DAMAGE = new Set([
  'capture.truncated',
  'capture.bad_record',
  'capture.unknown_link_type',
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

export class InputDamage {
  private first: { code: string; detail: string; frame: number } | null = null;
  private count = 0;

  observe = (e: WireEvent): void => {
    if (e.type !== 'anomaly' || !DAMAGE.has(String(e.code))) return;
    this.count++;
    this.first ??= { code: String(e.code), detail: String(e.detail), frame: e.frame };
  };

  /** One line, or null when the input was whole. */
  line(): string | null {
    if (!this.first) return null;
    const { code, detail, frame } = this.first;
    const more = this.count > 1 ? `; ${this.count - 1} more such problem${this.count > 2 ? 's' : ''}` : '';
    return `warning: damaged input, read what could be read: ${code} at frame ${frame}: ${visible(detail)}${more} (see the anomalies)`;
  }
}

/** The one instance the command line reports on. */
export const inputDamage = new InputDamage();
