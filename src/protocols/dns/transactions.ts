/**
 * Pairs queries with responses on one flow (by id, then by question, compared without
 * case because of 0x20 randomisation) and emits one `dns.transaction` per pair in the
 * vocabulary of Zeek's dns.log. Retransmitted queries are counted, unanswered ones are
 * closed after QUERY_TIMEOUT of capture time (or at the end), and responses that come
 * twice or after the time-out are recorded as duplicate / late, linked to their query.
 */
import type { Position } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import type { JsonValue } from '../../events/json.js';
import type { Timestamp } from '../../events/time.js';
import { className, rcodeName, typeName } from './codes.js';
import type { DecodedMessage } from './message.js';
import { nameKey } from './names.js';

/** Seconds after which a query is given up (Zeek's dns_session_timeout is 10 s). */
export const QUERY_TIMEOUT = 10;

export interface SeenMessage {
  readonly msg: DecodedMessage;
  readonly frame: number;
  readonly ts: Timestamp;
  readonly dir: Direction;
}

/**
 * What a transaction record needs of its query. Pending and closed queries keep only this,
 * not the query's records and `dns.message` fields: a DNS flow waits `udp_idle_timeout`
 * after its last datagram, and thousands wait at once in a busy capture.
 */
interface SeenQuery {
  readonly msg: Pick<DecodedMessage, 'header' | 'question' | 'edns'>;
  readonly frame: number;
  readonly ts: Timestamp;
  readonly dir: Direction;
}

const queryOf = (q: SeenMessage): SeenQuery => ({
  msg: { header: q.msg.header, question: q.msg.question, edns: q.msg.edns },
  frame: q.frame,
  ts: q.ts,
  dir: q.dir,
});

export interface TransactionOutput {
  transaction(fields: Record<string, JsonValue | undefined>, at: Position, dir: Direction): void;
  anomaly(code: string, detail: string, dir: Direction): void;
}

export interface TableOptions {
  readonly maxPending: number;
  /** mDNS / LLMNR: responses without a query are normal (announcements), not anomalies. */
  readonly multicast: boolean;
  /** Fields every transaction carries first (transport, endpoints, mdns/llmnr marks). */
  readonly base: (queryDir: Direction) => TransactionBase;
}

export interface TransactionBase {
  readonly proto: string;
  readonly orig_h: string;
  readonly orig_p: number;
  readonly resp_h: string;
  readonly resp_p: number;
  readonly mdns: true | undefined;
  readonly llmnr: true | undefined;
}

interface Pending {
  readonly query: SeenQuery;
  retransmissions: number;
}

interface Closed {
  readonly key: string;
  readonly query: SeenQuery | null;
  readonly responseFrame: number | null;
}

const questionKey = (m: Pick<DecodedMessage, 'header' | 'question'>): string =>
  `${m.header.id}|${m.question ? `${nameKey(m.question.name)}|${m.question.type}|${m.question.cls}` : '-'}`;

export class TransactionTable {
  /** Open queries in arrival order (Map keeps insertion order, so output is deterministic). */
  private readonly pending = new Map<string, Pending>();
  /** Recently answered or timed-out transactions, to recognise duplicate and late responses. */
  private readonly closed = new Map<string, Closed & { kind: 'answered' | 'timed_out' }>();

  constructor(
    private readonly out: TransactionOutput,
    private readonly opts: TableOptions,
  ) {}

  query(q: SeenMessage): void {
    this.expire(q.ts);
    const key = questionKey(q.msg);
    const open = this.pending.get(key);
    if (open) {
      open.retransmissions++;
      return;
    }
    if (this.pending.size >= this.opts.maxPending) {
      const [oldestKey, oldest] = this.pending.entries().next().value as [string, Pending];
      this.pending.delete(oldestKey);
      this.out.anomaly('dns.pending_limit', `more than ${this.opts.maxPending} open queries; query in frame ${oldest.query.frame} closed unanswered`, q.dir);
      this.giveUp(oldestKey, oldest);
    }
    this.pending.set(key, { query: queryOf(q), retransmissions: 0 });
  }

  response(r: SeenMessage): void {
    this.expire(r.ts);
    const key = this.findPending(r.msg);
    if (key !== null) {
      const p = this.pending.get(key)!;
      this.pending.delete(key);
      this.remember(key, { key, query: p.query, responseFrame: r.frame, kind: 'answered' });
      this.emit(p.query, r, { retransmissions: p.retransmissions });
      return;
    }
    const rkey = questionKey(r.msg);
    const before = this.closed.get(rkey);
    const queryDir: Direction = r.dir === 'c2s' ? 's2c' : 'c2s';
    if (before?.kind === 'answered') {
      this.out.anomaly(
        'dns.duplicate_response',
        `response id ${r.msg.header.id} repeats the one in frame ${before.responseFrame}`,
        r.dir,
      );
      this.emit(before.query, r, { duplicate: true, first_response_frame: before.responseFrame });
      return;
    }
    if (before?.kind === 'timed_out') {
      this.out.anomaly('dns.late_response', `response id ${r.msg.header.id} came after its query (frame ${before.query?.frame}) was given up`, r.dir);
      this.emit(before.query, r, { late: true });
      return;
    }
    if (!this.opts.multicast) {
      this.out.anomaly('dns.unmatched_response', `no query with id ${r.msg.header.id} was seen on this flow`, r.dir);
    }
    this.remember(rkey, { key: rkey, query: null, responseFrame: r.frame, kind: 'answered' });
    this.emit(null, r, { unsolicited: true }, queryDir);
  }

  /** Close every open query as unanswered (end of flow). */
  close(): void {
    for (const [key, p] of this.pending) this.giveUp(key, p);
    this.pending.clear();
  }

  private expire(now: Timestamp): void {
    for (const [key, p] of this.pending) {
      if (now.since(p.query.ts) <= QUERY_TIMEOUT) break;
      this.pending.delete(key);
      this.giveUp(key, p);
    }
  }

  private giveUp(key: string, p: Pending): void {
    this.remember(key, { key, query: p.query, responseFrame: null, kind: 'timed_out' });
    this.emit(p.query, null, { retransmissions: p.retransmissions, no_response: true });
  }

  /** The open query a response answers: same id and question, or same id when the response has no question. */
  private findPending(m: DecodedMessage): string | null {
    const exact = questionKey(m);
    if (this.pending.has(exact)) return exact;
    if (m.question) return null;
    for (const [key, p] of this.pending) if (p.query.msg.header.id === m.header.id) return key;
    return null;
  }

  private remember(key: string, c: Closed & { kind: 'answered' | 'timed_out' }): void {
    this.closed.delete(key);
    this.closed.set(key, c);
    if (this.closed.size > this.opts.maxPending) this.closed.delete(this.closed.keys().next().value as string);
  }

  private emit(
    q: SeenQuery | null,
    r: SeenMessage | null,
    extra: Record<string, JsonValue | undefined>,
    dirIfNoQuery?: Direction,
  ): void {
    const first = (q ?? r)!;
    const queryDir = q ? q.dir : dirIfNoQuery ?? 'c2s';
    const question = (q ?? r)!.msg.question;
    const resp = r?.msg;
    const answers = resp ? resp.records.filter((x) => x.section === 'answers') : [];
    const b = this.opts.base(queryDir);
    // Keys written out, not spread: a literal that starts with a spread costs ~1 µs per
    // further key in this V8 (Node 20), ten times the whole literal.
    const fields: Record<string, JsonValue | undefined> = {
      proto: b.proto,
      orig_h: b.orig_h,
      orig_p: b.orig_p,
      resp_h: b.resp_h,
      resp_p: b.resp_p,
      mdns: b.mdns,
      llmnr: b.llmnr,
      trans_id: first.msg.header.id,
      rtt: q && r ? round6(r.ts.since(q.ts)) : null,
      query: question?.name ?? null,
      qclass: question?.cls ?? null,
      qclass_name: question ? className(question.cls) : null,
      qtype: question?.type ?? null,
      qtype_name: question ? typeName(question.type) : null,
      opcode: first.msg.header.opcode,
      rcode: resp ? resp.header.rcode : null,
      rcode_ext: resp && resp.edns ? resp.rcode : undefined,
      rcode_name: resp ? rcodeName(resp.rcode) : null,
      AA: resp?.header.aa ?? false,
      TC: resp?.header.tc ?? false,
      RD: (q ?? r)!.msg.header.rd,
      RA: resp?.header.ra ?? false,
      Z: first.msg.header.z ? 1 : 0,
      AD: resp?.header.ad ?? false,
      CD: (q ?? r)!.msg.header.cd,
      answers: resp ? answers.map((a) => a.text) : null,
      TTLs: resp ? answers.map((a) => a.ttl) : null,
      rejected: resp ? resp.header.rcode !== 0 && resp.questionCount === 0 : false,
      query_frame: q?.frame ?? null,
      query_ts: q?.ts ?? null,
      response_frame: r?.frame ?? null,
      ...extra,
      answer_records: resp ? answers.map((a) => a.json) : undefined,
      authorities: resp ? resp.records.filter((x) => x.section === 'authorities').map((a) => a.json) : undefined,
      additionals: resp ? resp.records.filter((x) => x.section === 'additionals').map((a) => a.json) : undefined,
      edns: resp?.edns ?? undefined,
      query_edns: q?.msg.edns ?? undefined,
    };
    const at = r ? { frame: r.frame, ts: r.ts } : { frame: q!.frame, ts: q!.ts };
    this.out.transaction(fields, at, queryDir);
  }
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
