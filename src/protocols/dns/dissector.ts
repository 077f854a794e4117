/**
 * DNS on one flow: datagrams (UDP, mDNS, LLMNR) or a TCP stream of 2-byte length-prefixed
 * messages. Every message becomes a `dns.message` (`mdns.message`, `llmnr.message` on those ports); queries and responses are paired into
 * `dns.transaction` records; AXFR/IXFR responses are folded into one `dns.zone_transfer`.
 */
import type { DatagramDissector, DissectorContext, FlowInfo, Position, StreamDissector } from '../../dissect/contract.js';
import { LengthPrefixedFramer } from '../../dissect/length-prefixed.js';
import type { Direction } from '../../events/event.js';
import { TYPE } from './codes.js';
import { DNS_EVENT_TYPES, type DnsAnomalyCode, type DnsTransactionFields } from './events.js';
import { decodeMessage, type DecodedMessage } from './message.js';
import { HEADER_LENGTH } from './parser.js';
import { TransactionTable, type TransactionBase, type TransactionOutput } from './transactions.js';
import { ZoneTransfer } from './zone-transfer.js';

export const MDNS_PORT = 5353;
export const LLMNR_PORT = 5355;
export const DNS_PORT = 53;

type Flavour = 'dns' | 'mdns' | 'llmnr';

/** The mDNS multicast groups (RFC 6762 §3). */
export const MDNS_GROUPS: readonly string[] = ['224.0.0.251', 'ff02::fb'];

/**
 * Is this UDP flow multicast DNS? Sent to an mDNS group, or between two mDNS ports, or a
 * one-shot exchange with port 5353 on one side (RFC 6762 §5.1, §6.7) as long as the other
 * side is not a DNS server: a resolver that happens to query from source port 5353 to a
 * unicast server on port 53 speaks plain DNS.
 */
export function isMdnsFlow(flow: Pick<FlowInfo, 'transport' | 'client' | 'server'>): boolean {
  if (flow.transport !== 'udp') return false;
  if (MDNS_GROUPS.includes(flow.server.addr.toLowerCase())) return true;
  const c = flow.client.port;
  const s = flow.server.port;
  if (c === MDNS_PORT && s === MDNS_PORT) return true;
  return (c === MDNS_PORT || s === MDNS_PORT) && c !== DNS_PORT && s !== DNS_PORT;
}

/** Is this flow's server a multicast group (mDNS or LLMNR)? Its replies then are not answers to one query. */
const toMulticastGroup = (flow: FlowInfo): boolean => {
  const a = flow.server.addr.toLowerCase();
  return a.startsWith('ff') || /^2(2[4-9]|3\d)\./.test(a);
};

function flavourOf(ctx: DissectorContext): Flavour {
  if (isMdnsFlow(ctx.flow)) return 'mdns';
  const ports = [ctx.flow.client.port, ctx.flow.server.port];
  if (ports.includes(LLMNR_PORT)) return 'llmnr';
  return 'dns';
}

/** What both transports share: decode, report problems, pair, summarise zone transfers. */
class DnsMessages implements TransactionOutput {
  private readonly flavour: Flavour;
  private readonly table: TransactionTable;
  /** Zone transfers in progress by id (TCP only; made on the first, as most flows are UDP). */
  private transfers: Map<number, ZoneTransfer> | null = null;
  /** Transfers whose first response already answered the query. */
  private transferAnswered: Set<number> | null = null;
  private summarised = false;

  constructor(private readonly ctx: DissectorContext) {
    this.flavour = flavourOf(ctx);
    ctx.setService(this.flavour);
    this.table = new TransactionTable(this, ctx.limits.max_pending_transactions, this.flavour !== 'dns', this.flavour === 'mdns' && toMulticastGroup(ctx.flow));
  }

  transaction(fields: DnsTransactionFields, at: Position, dir: Direction): void {
    this.ctx.emit(DNS_EVENT_TYPES.transaction, dir, fields, at);
    this.summary(fields);
  }

  anomaly(code: DnsAnomalyCode, detail: string, dir: Direction): void {
    this.ctx.anomaly(code, dir, detail);
  }

  base(queryDir: Direction): TransactionBase {
    const flow = this.ctx.flow;
    const [orig, resp] = queryDir === 'c2s' ? [flow.client, flow.server] : [flow.server, flow.client];
    return {
      proto: flow.transport,
      orig_h: orig.addr,
      orig_p: orig.port,
      resp_h: resp.addr,
      resp_p: resp.port,
      mdns: this.flavour === 'mdns' || undefined,
      llmnr: this.flavour === 'llmnr' || undefined,
    };
  }

  message(dir: Direction, bytes: Uint8Array): void {
    const ctx = this.ctx;
    const msg = decodeMessage(bytes, {
      limits: ctx.limits,
      mdns: this.flavour === 'mdns',
      llmnr: this.flavour === 'llmnr',
      transport: ctx.flow.transport,
      omitRecords: (h, q) => h.qr && ctx.flow.transport === 'tcp' && (isTransferType(q?.type) || this.transfers?.has(h.id) === true),
    });
    if (!msg) {
      ctx.anomaly('dns.malformed', dir, `message of ${bytes.length} bytes is shorter than the ${HEADER_LENGTH}-byte header`);
      return;
    }
    for (const p of msg.problems) ctx.anomaly(p.code, dir, `id ${msg.header.id}: ${p.reason}`);
    if (msg.trimmed) ctx.anomaly('dns.record_limit', dir, `id ${msg.header.id}: ${msg.trimmed.reason}`);
    if (this.flavour === 'dns' && msg.header.qdcount > 1) {
      ctx.anomaly('dns.question_count', dir, `id ${msg.header.id}: QDCOUNT ${msg.header.qdcount}`);
    }
    // mDNS and LLMNR share the message format but are their own protocols (tshark's
    // `mdns` and `llmnr`), so their messages are their own event types.
    ctx.emit(this.flavour === 'dns' ? DNS_EVENT_TYPES.message : `${this.flavour}.message`, dir, msg.fields);
    const seen = { msg, frame: ctx.frame, ts: ctx.ts, dir };
    if (!msg.header.qr) {
      this.startTransfer(msg);
      this.table.query(seen);
      return;
    }
    const transfer = ctx.flow.transport === 'tcp' ? this.transfers?.get(msg.header.id) : undefined;
    if (transfer) {
      transfer.add(msg, { frame: ctx.frame, ts: ctx.ts }, bytes.length);
      // Only the first message of a transfer answers the query; the rest continue it.
      const answered = (this.transferAnswered ??= new Set());
      if (!answered.has(msg.header.id)) {
        answered.add(msg.header.id);
        this.table.response(seen);
      }
      if (transfer.complete || msg.rcode !== 0) this.finishTransfer(transfer, dir);
      return;
    }
    this.table.response(seen);
  }

  close(): void {
    if (this.transfers) for (const t of [...this.transfers.values()]) this.finishTransfer(t, 's2c');
    this.table.close();
  }

  private startTransfer(msg: DecodedMessage): void {
    const q = msg.question;
    if (this.ctx.flow.transport !== 'tcp' || !q || !isTransferType(q.type)) return;
    const at: Position = { frame: this.ctx.frame, ts: this.ctx.ts };
    (this.transfers ??= new Map()).set(msg.header.id, new ZoneTransfer(msg.header.id, q.type === TYPE.AXFR ? 'AXFR' : 'IXFR', q.name, at));
  }

  private finishTransfer(t: ZoneTransfer, dir: Direction): void {
    this.transfers?.delete(t.id);
    this.transferAnswered?.delete(t.id);
    this.ctx.emit(DNS_EVENT_TYPES.zoneTransfer, dir, { ...t.fields(), orig_h: this.ctx.flow.client.addr, resp_h: this.ctx.flow.server.addr }, t.end);
  }

  private summary(fields: DnsTransactionFields): void {
    if (this.summarised || fields.query === null) return;
    this.summarised = true;
    const answers = Array.isArray(fields.answers) ? fields.answers : [];
    const outcome = fields.no_response ? 'no response' : answers.length ? answerOf(fields, answers) : String(fields.rcode_name);
    // Joined, not concatenated: one flat string, not a rope of five (it stays until the flow ends).
    this.ctx.setSummary([String(fields.qtype_name), ' ', String(fields.query), ' → ', outcome].join(''));
    // The service was named when the flow started: nothing else of this flow is read.
    if (this.ctx.summaryOnly) this.ctx.stop?.();
  }
}

/** CNAMEs of a chain named in a summary; a longer chain says how many more. */
const CHAIN_SHOWN = 2;

/**
 * What answers the question: the first record of the asked type, after the CNAME chain
 * that leads to it (`192.0.2.10 (via web.example, www.example)`), as `dig` users read it;
 * the first answer when none has the asked type (a bare CNAME, an ANY query).
 */
function answerOf(fields: DnsTransactionFields, answers: readonly string[]): string {
  const records = fields.answer_records ?? [];
  const at = fields.qtype === null ? -1 : records.findIndex((r) => r.type === fields.qtype);
  if (at < 0 || at >= answers.length) return String(answers[0]);
  const chain = answers.slice(0, at).filter((_, i) => records[i]?.type === TYPE.CNAME);
  if (!chain.length) return String(answers[at]);
  const named = chain.slice(0, CHAIN_SHOWN).join(', ') + (chain.length > CHAIN_SHOWN ? ` +${chain.length - CHAIN_SHOWN} more` : '');
  return `${answers[at]} (via ${named})`;
}

const isTransferType = (t: number | undefined): boolean => t === TYPE.AXFR || t === TYPE.IXFR;

export class DnsDatagramDissector implements DatagramDissector {
  private readonly messages: DnsMessages;

  constructor(ctx: DissectorContext) {
    this.messages = new DnsMessages(ctx);
  }

  datagram(dir: Direction, bytes: Uint8Array): void {
    this.messages.message(dir, bytes);
  }

  close(): void {
    this.messages.close();
  }
}

export class DnsStreamDissector implements StreamDissector {
  private readonly messages: DnsMessages;
  private readonly framers: Record<Direction, LengthPrefixedFramer>;

  constructor(private readonly ctx: DissectorContext) {
    this.messages = new DnsMessages(ctx);
    const framer = (dir: Direction): LengthPrefixedFramer =>
      new LengthPrefixedFramer(
        { prefixBytes: 2, maxLength: 0xffff },
        {
          message: (body) => {
            if (body.length < HEADER_LENGTH) {
              ctx.anomaly('dns.tcp_length', dir, `length prefix ${body.length} is shorter than a DNS header`);
              return;
            }
            this.messages.message(dir, body);
          },
          tooLong: () => undefined, // a 2-byte prefix cannot exceed 65535
        },
      );
    this.framers = { c2s: framer('c2s'), s2c: framer('s2c') };
  }

  data(dir: Direction, bytes: Uint8Array): void {
    this.framers[dir].push(bytes);
  }

  gap(dir: Direction, length: number): void {
    const f = this.framers[dir];
    if (f.isStopped) return;
    f.stop();
    this.ctx.anomaly('dns.stream_gap', dir, `${length} bytes missing; message boundaries lost for the rest of this direction`);
  }

  close(): void {
    for (const dir of ['c2s', 's2c'] as const) {
      const held = this.framers[dir].pending;
      if (held > 0) this.ctx.anomaly('dns.malformed', dir, `stream ended inside a message (${held} bytes held)`);
    }
    this.messages.close();
  }
}
