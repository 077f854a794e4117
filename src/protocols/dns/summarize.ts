/**
 * Cross-flow views of the `dns` report section, computed from `dns.transaction` /
 * `dns.zone_transfer` records and the `flow.end` records only:
 * - recursion: did clients ask for recursion (RD), did servers offer it (RA);
 * - truncated UDP answers retried over TCP;
 * - iterative walks (root → TLD → authoritative), rebuilt from referrals as chains;
 * - which later connection went to an address a DNS answer had just given;
 * - answers reused within their TTL (a resolver's cache, or a client's).
 */
import type { WireEvent } from '../../events/event.js';
import type { JsonObject, JsonValue } from '../../events/json.js';
import { Timestamp } from '../../events/time.js';
import { isSubdomain, nameKey } from './names.js';

/** Steps of a walk must fall within this many seconds before its final answer. */
const WALK_WINDOW = 30;
/** A TCP retry must follow the truncated UDP answer within this many seconds. */
const TCP_RETRY_WINDOW = 10;
/** Longest list per view, so a huge capture keeps a readable report. */
const MAX_ITEMS = 500;

const seconds = (v: JsonValue | undefined): number | null => {
  if (v instanceof Timestamp) return v.sec + v.ns / 1e9;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
};
const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const arr = (v: JsonValue | undefined): readonly JsonValue[] => (Array.isArray(v) ? v : []);
const obj = (v: JsonValue | undefined): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Timestamp) ? (v as JsonObject) : {});

interface Tx {
  readonly e: WireEvent;
  readonly t: number;
  readonly queryT: number;
  readonly query: string;
  readonly qtype: number;
}

export function summarizeDns(records: readonly WireEvent[], context: { readonly flows: readonly WireEvent[] }): JsonObject {
  const txs: Tx[] = records
    .filter((e) => e.type === 'dns.transaction')
    .map((e) => {
      const t = seconds(e.ts) ?? 0;
      return { e, t, queryT: seconds(e.query_ts) ?? t, query: nameKey(str(e.query)), qtype: Number(e.qtype ?? 0) };
    });
  const answered = txs.filter((x) => x.e.response_frame !== null && x.e.response_frame !== undefined);
  return {
    totals: totals(txs),
    recursion: recursion(txs),
    tcp_retries: tcpRetries(answered),
    resolution_chains: chains(answered, txs),
    name_to_connection: nameToConnection(answered, context.flows),
    caching: caching(answered),
    zone_transfers: records.filter((e) => e.type === 'dns.zone_transfer').map(pick(['flow', 'frame', 'kind', 'zone', 'records', 'records_by_type', 'soa_serials', 'complete', 'messages', 'bytes'])),
  };
}

const pick =
  (keys: string[]) =>
  (e: WireEvent): JsonObject => {
    const out: Record<string, JsonValue | undefined> = {};
    for (const k of keys) out[k] = e[k];
    return out;
  };

function totals(txs: Tx[]): JsonObject {
  const count = (f: (x: Tx) => boolean): number => txs.filter(f).length;
  const byRcode: Record<string, number> = {};
  const byType: Record<string, number> = {};
  for (const x of txs) {
    const rc = x.e.rcode_name === null || x.e.rcode_name === undefined ? '(no response)' : str(x.e.rcode_name);
    byRcode[rc] = (byRcode[rc] ?? 0) + 1;
    const qt = str(x.e.qtype_name) || '(none)';
    byType[qt] = (byType[qt] ?? 0) + 1;
  }
  return {
    transactions: txs.length,
    no_response: count((x) => x.e.no_response === true),
    duplicate_responses: count((x) => x.e.duplicate === true),
    late_responses: count((x) => x.e.late === true),
    unsolicited_responses: count((x) => x.e.unsolicited === true),
    truncated: count((x) => x.e.TC === true),
    by_rcode: sortKeys(byRcode),
    by_qtype: sortKeys(byType),
  };
}

const sortKeys = (o: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(o).sort((a, b) => a[0].localeCompare(b[0])));

/** Per server: how many queries asked for recursion, and whether its answers offered it. */
function recursion(txs: Tx[]): JsonValue[] {
  const by = new Map<string, { queries: number; rd: number; answered: number; ra: number; aa: number }>();
  for (const x of txs) {
    const server = str(x.e.resp_h);
    const s = by.get(server) ?? { queries: 0, rd: 0, answered: 0, ra: 0, aa: 0 };
    s.queries++;
    if (x.e.RD === true) s.rd++;
    if (x.e.response_frame !== null && x.e.response_frame !== undefined) {
      s.answered++;
      if (x.e.RA === true) s.ra++;
      if (x.e.AA === true) s.aa++;
    }
    by.set(server, s);
  }
  return [...by]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .slice(0, MAX_ITEMS)
    .map(([server, s]) => ({
      server,
      queries: s.queries,
      recursion_desired: s.rd,
      responses: s.answered,
      recursion_available: s.ra,
      authoritative: s.aa,
      role: s.answered === 0 ? 'unknown' : s.ra > 0 ? 'recursive resolver' : s.aa > 0 ? 'authoritative server' : 'non-recursive server',
    }));
}

function tcpRetries(answered: Tx[]): JsonValue[] {
  const out: JsonValue[] = [];
  for (const u of answered) {
    if (u.e.proto !== 'udp' || u.e.TC !== true) continue;
    const retry = answered.find(
      (t) =>
        t.e.proto === 'tcp' &&
        t.e.orig_h === u.e.orig_h &&
        t.e.resp_h === u.e.resp_h &&
        t.query === u.query &&
        t.qtype === u.qtype &&
        t.queryT >= u.t &&
        t.queryT - u.t <= TCP_RETRY_WINDOW,
    );
    out.push({
      query: u.e.query,
      qtype_name: u.e.qtype_name,
      client: u.e.orig_h,
      server: u.e.resp_h,
      udp: { flow: u.e.flow, frame: u.e.frame },
      tcp: retry ? { flow: retry.e.flow, frame: retry.e.frame, answers: retry.e.answers ?? null } : null,
      delay: retry ? round(retry.queryT - u.t) : null,
    });
    if (out.length >= MAX_ITEMS) break;
  }
  return out;
}

interface Referral {
  readonly zone: string;
  readonly ns: string[];
  readonly glue: string[];
}

/** A response that delegates: no answers, not authoritative, NS records in the authority section. */
function referralOf(x: Tx): Referral | null {
  if (arr(x.e.answers).length > 0 || x.e.AA === true || x.e.rcode !== 0) return null;
  const ns = arr(x.e.authorities).map(obj).filter((r) => r.type === 2);
  if (ns.length === 0) return null;
  const glue = arr(x.e.additionals)
    .map(obj)
    .filter((r) => r.type === 1 || r.type === 28)
    .map((r) => str(obj(r.data).address));
  return { zone: str(ns[0]!.name), ns: ns.map((r) => str(obj(r.data).target)), glue };
}

const depth = (zone: string): number => (zone === '.' || zone === '' ? 0 : zone.split('.').length);

function chains(answered: Tx[], all: Tx[]): JsonValue[] {
  const out: JsonValue[] = [];
  const iterative = answered.filter((x) => x.e.RD === false);
  for (const final of iterative) {
    if (referralOf(final)) continue;
    if (arr(final.e.answers).length === 0 && final.e.AA !== true) continue;
    const steps: Array<{ x: Tx; r: Referral }> = [];
    for (const x of iterative) {
      if (x.t > final.queryT || final.queryT - x.t > WALK_WINDOW || x.e.orig_h !== final.e.orig_h) continue;
      const r = referralOf(x);
      if (!r || !isSubdomain(final.query, r.zone) || !isSubdomain(final.query, x.query)) continue;
      // Keep the walk going downwards: each referral names a deeper zone than the last.
      const last = steps[steps.length - 1];
      if (last && depth(nameKey(r.zone)) <= depth(nameKey(last.r.zone))) {
        if (nameKey(r.zone) === nameKey(last.r.zone)) steps[steps.length - 1] = { x, r };
        continue;
      }
      steps.push({ x, r });
    }
    if (steps.length === 0) continue;
    const stub = all.find(
      (s) => s.e.RD === true && s.e.resp_h === final.e.orig_h && s.query === final.query && s.queryT <= steps[0]!.x.queryT && s.t >= final.t,
    );
    const hop = (x: Tx, r: Referral | null, next: Tx | undefined): JsonObject => ({
      server: x.e.resp_h,
      query: x.e.query,
      qtype_name: x.e.qtype_name,
      frame: x.e.frame,
      flow: x.e.flow,
      referral_zone: r?.zone,
      referral_ns: r?.ns,
      glue: r?.glue,
      next_server_from_glue: r && next ? r.glue.includes(str(next.e.resp_h)) : undefined,
      answers: r ? undefined : x.e.answers,
      authoritative: r ? undefined : x.e.AA === true,
    });
    const seq = [...steps.map((s) => s.x), final];
    out.push({
      resolver: final.e.orig_h,
      query: final.e.query,
      qtype_name: final.e.qtype_name,
      asked_by: stub ? { client: stub.e.orig_h, frame: stub.e.query_frame ?? stub.e.frame, flow: stub.e.flow } : null,
      chain: seq.map((x, i) => hop(x, i < steps.length ? steps[i]!.r : null, seq[i + 1])),
      zones: steps.map((s) => s.r.zone),
      duration: round(final.t - steps[0]!.x.queryT),
    });
    if (out.length >= MAX_ITEMS) break;
  }
  return out;
}

interface AddressAnswer {
  readonly x: Tx;
  readonly name: string;
  readonly ttl: number;
}

function nameToConnection(answered: Tx[], flows: readonly WireEvent[]): JsonValue[] {
  const byAddress = new Map<string, AddressAnswer[]>();
  const dnsFlows = new Set(answered.map((x) => x.e.flow));
  for (const x of answered) {
    for (const rr of arr(x.e.answer_records).map(obj)) {
      if (rr.type !== 1 && rr.type !== 28) continue;
      const addr = str(obj(rr.data).address);
      const list = byAddress.get(addr) ?? [];
      list.push({ x, name: str(rr.name), ttl: Number(rr.ttl ?? 0) });
      byAddress.set(addr, list);
    }
  }
  const out: JsonValue[] = [];
  for (const f of flows) {
    if (dnsFlows.has(f.flow)) continue;
    const start = seconds(f.start) ?? seconds(f.ts);
    const candidates = byAddress.get(str(f.resp_h));
    if (start === null || !candidates) continue;
    const before = candidates.filter((a) => a.x.t <= start + 1e-6);
    if (before.length === 0) continue;
    const sameClient = before.filter((a) => a.x.e.orig_h === f.orig_h);
    const best = (sameClient.length ? sameClient : before).reduce((a, b) => (b.x.t >= a.x.t ? b : a));
    const age = start - best.x.t;
    out.push({
      flow: f.flow,
      proto: f.proto,
      service: f.service ?? null,
      orig_h: f.orig_h,
      resp_h: f.resp_h,
      resp_p: f.resp_p,
      name: best.x.e.query,
      answer_name: best.name,
      dns_flow: best.x.e.flow,
      dns_frame: best.x.e.frame,
      dns_client: best.x.e.orig_h,
      answer_age: round(age),
      within_ttl: age <= best.ttl,
    });
    if (out.length >= MAX_ITEMS) break;
  }
  return out;
}

function caching(answered: Tx[]): JsonObject {
  const groups = new Map<string, Tx[]>();
  for (const x of answered) {
    if (x.e.duplicate === true || x.e.mdns === true) continue;
    const key = `${str(x.e.resp_h)}|${x.query}|${x.qtype}`;
    const g = groups.get(key) ?? [];
    g.push(x);
    groups.set(key, g);
  }
  const repeated: JsonValue[] = [];
  for (const g of groups.values()) {
    for (let i = 1; i < g.length && repeated.length < MAX_ITEMS; i++) {
      const a = g[i - 1]!;
      const b = g[i]!;
      const ta = firstTtl(a);
      const tb = firstTtl(b);
      const elapsed = b.queryT - a.t;
      if (ta === null || tb === null || elapsed > ta) continue;
      // A cache answers with the TTL counted down by the time that passed.
      const countedDown = tb < ta && Math.abs(ta - tb - elapsed) <= 2;
      repeated.push({
        query: a.e.query,
        qtype_name: a.e.qtype_name,
        server: a.e.resp_h,
        first: { frame: a.e.frame, ttl: ta, rtt: a.e.rtt ?? null },
        again: { frame: b.e.frame, ttl: tb, rtt: b.e.rtt ?? null },
        elapsed: round(elapsed),
        served_from_cache: countedDown || (tb < ta && b.e.AA !== true),
      });
    }
  }
  return { repeated_within_ttl: repeated };
}

function firstTtl(x: Tx): number | null {
  const ttls = arr(x.e.TTLs);
  return typeof ttls[0] === 'number' ? ttls[0] : null;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
