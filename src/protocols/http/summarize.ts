/**
 * Page view: the cross-flow summary of the `http` report section, computed from
 * `http.transaction` records (HTTP/1.x and HTTP/2) and the `flow.end` records.
 *
 * - Servers: transactions grouped by host, with objects, bytes and status codes.
 * - Pages: per client address, a page starts at an HTML document that was not itself
 *   fetched from another page (no Referer naming a known page); later requests of the same
 *   client that name the page as Referer, or, lacking a Referer, follow it before the next
 *   page, are its objects.
 *
 * The textbook response-time model (Kurose & Ross, ch. 2), set against what was measured:
 *   - non-persistent HTTP: every object costs 2 RTT (TCP handshake, then request/response)
 *     plus its transmit time, objects fetched one after another:
 *         model_non_persistent = Σ (2·RTT + transmit_i)
 *   - persistent HTTP (no pipelining): one RTT to open the connection, then 1 RTT per
 *     object plus its transmit time:
 *         model_persistent = RTT + Σ (RTT + transmit_i)
 * RTT is the TCP handshake RTT of the page's connections (median, from `tcp_rtt`); an
 * object's transmit time is measured from its first to its last response byte. The measured
 * total runs from the page's first request to its last response byte, so parallel
 * connections and pipelining show up as a measured time below both models.
 */
import type { JsonObject, JsonValue } from '../../events/json.js';
import type { WireEvent } from '../../events/event.js';
import { Timestamp } from '../../events/time.js';

interface Obj {
  readonly rec: WireEvent;
  readonly client: string;
  readonly host: string;
  readonly url: string;
  readonly start: Timestamp | null;
  readonly end: Timestamp | null;
  readonly firstByte: Timestamp | null;
  readonly html: boolean;
  readonly referrer: string | null;
}

const ts = (v: unknown): Timestamp | null => (v instanceof Timestamp ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Referers are compared without scheme, so http and https pages still match. */
const normalizeUrl = (u: string): string => u.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/#.*$/, '');

export function summarizeHttp(records: readonly WireEvent[], context: { readonly flows: readonly WireEvent[] }): JsonObject {
  const clientOf = new Map<number, string>();
  for (const f of context.flows) if (typeof f.flow === 'number') clientOf.set(f.flow, str(f.orig_h) ?? '?');
  const objs: Obj[] = [];
  for (const r of records) {
    if (r.type !== 'http.transaction') continue;
    const host = str(r.host) ?? '(no host)';
    const uri = str(r.uri) ?? '';
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? normalizeUrl(uri) : `${host}${uri}`;
    const mimes = Array.isArray(r.resp_mime_types) ? (r.resp_mime_types as JsonValue[]) : [];
    objs.push({
      rec: r,
      client: (r.flow !== null && clientOf.get(r.flow)) || '?',
      host,
      url,
      start: ts(r.request_ts),
      end: ts(r.response_end_ts),
      firstByte: ts(r.response_first_byte_ts),
      html: mimes.some((m) => m === 'text/html' || m === 'application/xhtml+xml'),
      referrer: str(r.referrer),
    });
  }
  objs.sort((a, b) => (a.start && b.start ? a.start.compare(b.start) : 0) || a.rec.frame - b.rec.frame);
  return { servers: servers(objs), pages: pages(objs) };
}

function servers(objs: Obj[]): JsonValue {
  const by = new Map<string, { objects: number; bytes: number; statuses: Map<string, number>; flows: Set<number> }>();
  for (const o of objs) {
    let s = by.get(o.host);
    if (!s) by.set(o.host, (s = { objects: 0, bytes: 0, statuses: new Map(), flows: new Set() }));
    s.objects++;
    s.bytes += num(o.rec.response_body_len);
    const code = o.rec.status_code === undefined || o.rec.status_code === null ? 'none' : String(o.rec.status_code);
    s.statuses.set(code, (s.statuses.get(code) ?? 0) + 1);
    if (o.rec.flow !== null) s.flows.add(o.rec.flow);
  }
  return [...by.entries()]
    .sort((a, b) => b[1].objects - a[1].objects || (a[0] < b[0] ? -1 : 1))
    .map(([host, s]) => ({
      host,
      objects: s.objects,
      response_bytes: s.bytes,
      connections: s.flows.size,
      status_codes: Object.fromEntries([...s.statuses.entries()].sort()),
    }));
}

function pages(objs: Obj[]): JsonValue {
  interface Page {
    root: Obj;
    objects: Obj[];
  }
  const result: Page[] = [];
  const byClient = new Map<string, { current: Page | null; byUrl: Map<string, Page> }>();
  for (const o of objs) {
    let c = byClient.get(o.client);
    if (!c) byClient.set(o.client, (c = { current: null, byUrl: new Map() }));
    const ref = o.referrer ? c.byUrl.get(normalizeUrl(o.referrer)) : undefined;
    if (o.html && !ref) {
      const page: Page = { root: o, objects: [o] };
      result.push(page);
      c.current = page;
      c.byUrl.set(o.url, page);
      continue;
    }
    const page = ref ?? (o.referrer ? undefined : c.current ?? undefined);
    if (page) {
      page.objects.push(o);
      if (o.html) c.byUrl.set(o.url, page);
    }
  }
  return result.map((p) => pageRecord(p.root, p.objects));
}

function pageRecord(root: Obj, objects: Obj[]): JsonObject {
  const starts = objects.map((o) => o.start).filter((t): t is Timestamp => t !== null);
  const ends = objects.map((o) => o.end).filter((t): t is Timestamp => t !== null);
  const first = starts.reduce<Timestamp | null>((m, t) => (m === null || t.isBefore(m) ? t : m), null);
  const last = ends.reduce<Timestamp | null>((m, t) => (m === null || m.isBefore(t) ? t : m), null);
  const rtts = objects.map((o) => o.rec.tcp_rtt).filter((x): x is number => typeof x === 'number' && x > 0).sort((a, b) => a - b);
  const rtt = rtts.length ? rtts[Math.floor(rtts.length / 2)]! : null;
  const transmit = objects.map((o) => (o.firstByte && o.end ? Math.max(0, o.end.since(o.firstByte)) : 0));
  const totalTransmit = transmit.reduce((a, b) => a + b, 0);
  const flows = new Set(objects.map((o) => o.rec.flow));
  const byServer = new Map<string, number>();
  for (const o of objects) byServer.set(o.host, (byServer.get(o.host) ?? 0) + 1);
  const n = objects.length;
  return {
    client: root.client,
    url: root.url,
    frame: root.rec.frame,
    objects: n,
    by_server: Object.fromEntries([...byServer.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
    connections: flows.size,
    connection_reuse: flows.size < n,
    versions: [...new Set(objects.map((o) => String(o.rec.version)))].sort(),
    measured_seconds: first && last ? round(last.since(first)) : null,
    rtt_seconds: rtt,
    transmit_seconds: round(totalTransmit),
    model_non_persistent_seconds: rtt === null ? null : round(n * 2 * rtt + totalTransmit),
    model_persistent_seconds: rtt === null ? null : round(rtt + n * rtt + totalTransmit),
    items: objects.map((o) => ({
      frame: o.rec.frame,
      flow: o.rec.flow,
      host: o.host,
      uri: str(o.rec.uri),
      status_code: o.rec.status_code ?? null,
      bytes: num(o.rec.response_body_len),
      seconds: o.start && o.end ? round(o.end.since(o.start)) : null,
    })),
  };
}
