/** The `ftp` report section: sessions, logins and the files moved, from `ftp.session` and `ftp.transfer` records. */
import type { WireEvent } from '../../events/event.js';
import type { JsonObject } from '../../events/json.js';

export function summarizeFtp(records: readonly WireEvent[]): JsonObject {
  const transfers = records.filter((r) => r.type === 'ftp.transfer');
  const sessions = records.filter((r) => r.type === 'ftp.session');
  const users = [...new Set(sessions.map((s) => s['user']).filter((u): u is string => typeof u === 'string'))].sort();
  return {
    sessions: sessions.length,
    users,
    failed_logins: sessions.reduce((n, s) => n + (typeof s['failed_logins'] === 'number' ? s['failed_logins'] : 0), 0),
    transfers: transfers.length,
    bytes_transferred: transfers.reduce((n, t) => n + (typeof t['bytes'] === 'number' ? t['bytes'] : 0), 0),
    incomplete_transfers: transfers.filter((t) => t['complete'] === false).length,
    files: transfers.filter((t) => t['direction'] !== 'listing').map((t) => ({ file: t['file'] ?? null, direction: t['direction'] ?? null, bytes: t['bytes'] ?? null })),
  };
}
