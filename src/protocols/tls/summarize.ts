/**
 * The report's `tls` section beside its records: what a reader of Zeek's ssl.log and
 * x509.log looks for first. Computed from `tls.session` and `tls.certificate` events only.
 */
import type { WireEvent } from '../../events/event.js';
import type { JsonObject, JsonValue } from '../../events/json.js';

/** Counts by key, keys sorted, so the output does not depend on event order. */
function tally(values: readonly (string | null | undefined)[]): JsonObject {
  const counts = new Map<string, number>();
  for (const v of values) if (typeof v === 'string' && v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
  const out: Record<string, JsonValue> = {};
  for (const k of [...counts.keys()].sort()) out[k] = counts.get(k)!;
  return out;
}

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);

export function summarizeTls(records: readonly WireEvent[]): JsonObject {
  const sessions = records.filter((r) => r.type === 'tls.session');
  const certs = records.filter((r) => r.type === 'tls.certificate');
  const unique = new Map<string, WireEvent>();
  const seen = new Map<string, number>();
  for (const c of certs) {
    const fp = str(c['sha256']);
    if (!fp) continue;
    if (!unique.has(fp)) unique.set(fp, c);
    seen.set(fp, (seen.get(fp) ?? 0) + 1);
  }
  return {
    sessions: sessions.length,
    established: sessions.filter((s) => s['established'] === true).length,
    resumed: sessions.filter((s) => s['resumed'] === true).length,
    versions: tally(sessions.map((s) => str(s['version']))),
    ciphers: tally(sessions.map((s) => str(s['cipher']))),
    curves: tally(sessions.map((s) => str(s['curve']))),
    server_names: tally(sessions.map((s) => str(s['server_name']))),
    next_protocols: tally(sessions.map((s) => str(s['next_protocol']))),
    ja3: tally(sessions.map((s) => str(s['ja3']))),
    ja4: tally(sessions.map((s) => str(s['ja4']))),
    alerts: tally(sessions.map((s) => str(s['last_alert']))),
    certificates: [...unique.keys()].sort().map((fp) => {
      const c = unique.get(fp)!;
      return {
        sha256: fp,
        subject: c['subject'],
        issuer: c['issuer'],
        not_after: c['not_after'],
        expired: c['expired'],
        self_signed: c['self_signed'],
        san_dns: c['san_dns'],
        seen: seen.get(fp) ?? 0,
      };
    }),
  };
}
