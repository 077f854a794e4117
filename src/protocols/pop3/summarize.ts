/** The `pop3` report section: sessions, users, messages retrieved and deleted, from `pop3.session` and `pop3.message` records. */
import type { WireEvent } from '../../events/event.js';
import type { JsonObject } from '../../events/json.js';

export function summarizePop3(records: readonly WireEvent[]): JsonObject {
  const sessions = records.filter((r) => r.type === 'pop3.session');
  const count = (k: string) => sessions.reduce((n, s) => n + (Array.isArray(s[k]) ? s[k].length : 0), 0);
  return {
    sessions: sessions.length,
    users: [...new Set(sessions.map((s) => s['user']).filter((u): u is string => typeof u === 'string'))].sort(),
    retrieved: count('retrieved'),
    deleted: count('deleted'),
    messages: records.filter((r) => r.type === 'pop3.message').length,
  };
}
