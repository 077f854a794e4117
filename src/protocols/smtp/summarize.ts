/** The `smtp` report section: messages, envelope mismatches, rejected recipients and senders, from `smtp.message` records. */
import type { WireEvent } from '../../events/event.js';
import type { JsonObject } from '../../events/json.js';

export function summarizeSmtp(records: readonly WireEvent[]): JsonObject {
  const messages = records.filter((r) => r.type === 'smtp.message');
  const senders = new Map<string, number>();
  for (const m of messages) {
    const k = typeof m['mailfrom'] === 'string' ? m['mailfrom'] : '';
    senders.set(k, (senders.get(k) ?? 0) + 1);
  }
  return {
    messages: messages.length,
    envelope_mismatches: messages.filter((m) => m['envelope_mismatch'] !== null && m['envelope_mismatch'] !== undefined).length,
    rejected_recipients: messages.reduce((n, m) => n + (Array.isArray(m['rejected_rcptto']) ? m['rejected_rcptto'].length : 0), 0),
    attachments: messages.reduce((n, m) => n + (Array.isArray(m['attachments']) ? m['attachments'].length : 0), 0),
    senders: [...senders.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([mailfrom, count]) => ({ mailfrom, count })),
  };
}
