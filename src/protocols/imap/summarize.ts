/** The `imap` report section: sessions, users, mailboxes, messages and commands, from `imap.session` and `imap.transaction` records. */
import type { WireEvent } from '../../events/event.js';
import type { JsonObject } from '../../events/json.js';

export function summarizeImap(records: readonly WireEvent[]): JsonObject {
  const sessions = records.filter((r) => r.type === 'imap.session');
  const transactions = records.filter((r) => r.type === 'imap.transaction');
  const sum = (k: string) => sessions.reduce((n, s) => n + lengthOf(s, k), 0);
  const commands = new Map<string, number>();
  for (const t of transactions) {
    const k = typeof t['command'] === 'string' ? (t['uid'] === true ? `UID ${t['command']}` : t['command']) : '';
    commands.set(k, (commands.get(k) ?? 0) + 1);
  }
  return {
    sessions: sessions.length,
    users: [...new Set(sessions.map((s) => s['user']).filter((u): u is string => typeof u === 'string'))].sort(),
    tls: sessions.filter((s) => s['tls'] === true).length,
    mailboxes_selected: sum('mailboxes'),
    messages_fetched: sessions.reduce((n, s) => n + (typeof s['messages_total'] === 'number' ? s['messages_total'] : 0), 0),
    appended: sum('appended'),
    expunged: sum('expunged'),
    failed_logins: sum('failed_logins'),
    commands: [...commands.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([command, count]) => ({ command, count })),
    failed_commands: transactions.filter((t) => t['status'] === 'NO' || t['status'] === 'BAD').length,
  };
}

function lengthOf(e: WireEvent, key: string): number {
  const v = e[key];
  return Array.isArray(v) ? v.length : 0;
}
