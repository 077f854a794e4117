/**
 * Pairs queries with responses on one flow (by id, then by question, compared without
 * case because of 0x20 randomisation) and emits one `dns.transaction` per pair in the
 * vocabulary of Zeek's dns.log. Retransmitted queries are counted, unanswered ones are
 * closed after QUERY_TIMEOUT of capture time (or at the end), and responses that come
 * twice or after the time-out are recorded as duplicate / late, linked to their query.
 */
import type { Position } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import type { JsonObject } from '../../events/json.js';
import type { Timestamp } from '../../events/time.js';
import type { DnsAnomalyCode, DnsTransactionFields, DnsTransactionMarks } from './events.js';
import { className, rcodeName, typeName } from './codes.js';
import type { DecodedMessage } from './message.js';
import type { DnsQuestion } from './parser.js';
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
 * What a transaction record needs of its query, flat. Pending and closed queries keep only
 * this, not the decoded message: a DNS flow waits `udp_idle_timeout` after its last
 * datagram, and thousands wait at once in a busy capture (each one's table was 1.4 KB).
 */
interface SeenQuery {
  readonly id: number;
  readonly opcode: number;
  readonly rd: boolean;
  readonly cd: boolean;
  readonly z: boolean;
  readonly question: DnsQuestion | null;
  readonly edns: JsonObject | null;
  readonly frame: number;
  readonly ts: Timestamp;
  readonly dir: Direction;
}

interface Pending extends SeenQuery {
  retransmissions: number;
}

const queryOf = (q: SeenMessage): Pending => {
  const h = q.msg.header;
  return { id: h.id, opcode: h.opcode, rd: h.rd, cd: h.cd, z: h.z, question: q.msg.question, edns: q.msg.edns, frame: q.frame, ts: q.ts, dir: q.dir, retransmissions: 0 };
};

interface Closed {
  readonly kind: 'answered' | 'timed_out';
  readonly query: SeenQuery | null;
  readonly responseFrame: number | null;
}

/** Where transactions go, and the fields every one of them carries first. */
export interface TransactionOutput {
  transaction(fields: DnsTransactionFields, at: Position, dir: Direction): void;
  anomaly(code: DnsAnomalyCode, detail: string, dir: Direction): void;
  /** Transport, endpoints (the querier is `orig`), mdns/llmnr marks. */
  base(queryDir: Direction): TransactionBase;
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

const questionKey = (id: number, question: DnsQuestion | null): string =>
  `${id}|${question ? `${nameKey(question.name)}|${question.type}|${question.cls}` : '-'}`;

export class TransactionTable {
  /** Open queries in arrival order (Map keeps insertion order, so output is deterministic); null while none. */
  private pending: Map<string, Pending> | null = null;
  /** Recently answered or timed-out transactions, to recognise duplicate and late responses. */
  private closed: Map<string, Closed> | null = null;

  /**
   * `multicast`: mDNS / LLMNR, where responses without a query are normal (announcements),
   * not anomalies.
   */
  constructor(
    private readonly out: TransactionOutput,
    private readonly maxPending: number,
    private readonly multicast: boolean,
    /**
     * Responses sent to a multicast group answer no one query: their id MUST be zero and
     * ignored on reception (RFC 6762 §18.1), so a probe and the announcement after it, both
     * id 0, are not a pair. Such responses are recorded on their own.
     */
    private readonly ignoreResponseIds = false,
  ) {}

  query(q: SeenMessage): void {
    this.expire(q.ts);
    const key = questionKey(q.msg.header.id, q.msg.question);
    const pending = (this.pending ??= new Map());
    const open = pending.get(key);
    if (open) {
      open.retransmissions++;
      return;
    }
    if (pending.size >= this.maxPending) {
      const [oldestKey, oldest] = pending.entries().next().value as [string, Pending];
      pending.delete(oldestKey);
      this.out.anomaly('dns.pending_limit', `more than ${this.maxPending} open queries; query in frame ${oldest.frame} closed unanswered`, q.dir);
      this.giveUp(oldestKey, oldest);
    }
    pending.set(key, queryOf(q));
  }

  response(r: SeenMessage): void {
    this.expire(r.ts);
    if (this.ignoreResponseIds) {
      this.emit(null, r, { unsolicited: true }, r.dir === 'c2s' ? 's2c' : 'c2s');
      return;
    }
    const key = this.findPending(r.msg);
    if (key !== null) {
      const p = this.pending!.get(key)!;
      this.forget(key);
      this.remember(key, { kind: 'answered', query: p, responseFrame: r.frame });
      this.emit(p, r, { retransmissions: p.retransmissions });
      return;
    }
    const rkey = questionKey(r.msg.header.id, r.msg.question);
    const before = this.closed?.get(rkey);
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
    if (!this.multicast) {
      this.out.anomaly('dns.unmatched_response', `no query with id ${r.msg.header.id} was seen on this flow`, r.dir);
    }
    this.remember(rkey, { kind: 'answered', query: null, responseFrame: r.frame });
    this.emit(null, r, { unsolicited: true }, queryDir);
  }

  /** Close every open query as unanswered (end of flow). */
  close(): void {
    const pending = this.pending;
    this.pending = null;
    if (pending) for (const [key, p] of pending) this.giveUp(key, p);
  }

  private expire(now: Timestamp): void {
    const pending = this.pending;
    if (!pending) return;
    for (const [key, p] of pending) {
      if (now.since(p.ts) <= QUERY_TIMEOUT) break;
      this.forget(key);
      this.giveUp(key, p);
    }
  }

  private forget(key: string): void {
    this.pending!.delete(key);
    if (this.pending!.size === 0) this.pending = null;
  }

  private giveUp(key: string, p: Pending): void {
    this.remember(key, { kind: 'timed_out', query: p, responseFrame: null });
    this.emit(p, null, { retransmissions: p.retransmissions, no_response: true });
  }

  /** The open query a response answers: same id and question, or same id when the response has no question. */
  private findPending(m: DecodedMessage): string | null {
    const pending = this.pending;
    if (!pending) return null;
    const exact = questionKey(m.header.id, m.question);
    if (pending.has(exact)) return exact;
    if (m.question) return null;
    for (const [key, p] of pending) if (p.id === m.header.id) return key;
    return null;
  }

  private remember(key: string, c: Closed): void {
    const closed = (this.closed ??= new Map());
    closed.delete(key);
    closed.set(key, c);
    if (closed.size > this.maxPending) closed.delete(closed.keys().next().value as string);
  }

  private emit(
    q: SeenQuery | null,
    r: SeenMessage | null,
    extra: DnsTransactionMarks,
    dirIfNoQuery?: Direction,
  ): void {
    // A response without its query stands for both.
    const first: SeenQuery = q ?? queryOf(r!);
    const queryDir = q ? q.dir : dirIfNoQuery ?? 'c2s';
    const question = first.question;
    const resp = r?.msg;
    // The response's records sorted into their sections in one pass (a filter and a map per
    // list before: five walks of the records and ten arrays per transaction).
    let answers: string[] | null = null;
    let ttls: number[] | null = null;
    let answerRecords: JsonObject[] | undefined;
    let authorities: JsonObject[] | undefined;
    let additionals: JsonObject[] | undefined;
    if (resp) {
      answers = [];
      ttls = [];
      answerRecords = [];
      authorities = [];
      additionals = [];
      const records = resp.records;
      for (let i = 0; i < records.length; i++) {
        const x = records[i]!;
        if (x.section === 'answers') {
          answers.push(x.text);
          ttls.push(x.ttl);
          answerRecords.push(x.json);
        } else if (x.section === 'authorities') authorities.push(x.json);
        else additionals.push(x.json);
      }
    }
    const b = this.out.base(queryDir);
    // Keys written out, not spread: a literal that starts with a spread costs ~1 µs per
    // further key in this V8 (Node 20), ten times the whole literal.
    const fields: DnsTransactionFields = {
      proto: b.proto,
      orig_h: b.orig_h,
      orig_p: b.orig_p,
      resp_h: b.resp_h,
      resp_p: b.resp_p,
      mdns: b.mdns,
      llmnr: b.llmnr,
      trans_id: first.id,
      rtt: q && r ? round6(r.ts.since(q.ts)) : null,
      query: question?.name ?? null,
      qclass: question?.cls ?? null,
      qclass_name: question ? className(question.cls) : null,
      qtype: question?.type ?? null,
      qtype_name: question ? typeName(question.type) : null,
      opcode: first.opcode,
      rcode: resp ? resp.header.rcode : null,
      rcode_ext: resp && resp.edns ? resp.rcode : undefined,
      rcode_name: resp ? rcodeName(resp.rcode) : null,
      AA: resp?.header.aa ?? false,
      TC: resp?.header.tc ?? false,
      RD: first.rd,
      RA: resp?.header.ra ?? false,
      Z: first.z ? 1 : 0,
      AD: resp?.header.ad ?? false,
      CD: first.cd,
      answers,
      TTLs: ttls,
      rejected: resp ? resp.header.rcode !== 0 && resp.questionCount === 0 : false,
      query_frame: q?.frame ?? null,
      query_ts: q?.ts ?? null,
      response_frame: r?.frame ?? null,
      // The marks by name, not spread: every transaction has one shape (five before, one per
      // kind of mark, with the keys after the spread added one by one).
      retransmissions: extra.retransmissions,
      no_response: extra.no_response,
      unsolicited: extra.unsolicited,
      duplicate: extra.duplicate,
      first_response_frame: extra.first_response_frame,
      late: extra.late,
      answer_records: answerRecords,
      authorities,
      additionals,
      edns: resp?.edns ?? undefined,
      query_edns: q?.edns ?? undefined,
    };
    const at = r ? { frame: r.frame, ts: r.ts } : { frame: q!.frame, ts: q!.ts };
    this.out.transaction(fields, at, queryDir);
  }
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
