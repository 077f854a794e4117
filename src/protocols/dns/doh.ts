/**
 * DNS over HTTPS (RFC 8484) seen in clear: the HTTP/1.1 and HTTP/2 dissectors hand over the
 * DNS messages of an `application/dns-message` exchange (the POST body or the GET `dns=`
 * parameter, and the response body), and this module reports them as DNS does for UDP and
 * TCP: a `dns.message` for each and one `dns.transaction` for the pair, each carrying `doh`,
 * the link to its HTTP transaction (as tshark dissects DoH bodies as DNS).
 *
 * HTTP already pairs the request with its response, so the pair is not looked up by id:
 * DoH clients SHOULD use id 0 for every query (RFC 8484 §4.1), which would make every
 * query on a connection look the same.
 */
import type { DissectorContext, Position } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import { DNS_EVENT_TYPES, type DohLink } from './events.js';
import { decodeMessage } from './message.js';
import { HEADER_LENGTH } from './parser.js';
import { TransactionTable, type SeenMessage } from './transactions.js';

export interface DohMessage {
  readonly bytes: Uint8Array;
  readonly at: Position;
}

/** Decodes and reports one DoH exchange; either side may be missing (unanswered, lost, not DNS). */
export function dohExchange(ctx: DissectorContext, query: DohMessage | null, response: DohMessage | null, link: DohLink): void {
  const flow = ctx.flow;
  const table = new TransactionTable(
    {
      transaction: (fields, at, dir) => ctx.emit(DNS_EVENT_TYPES.transaction, dir, { ...fields, doh: link }, at),
      anomaly: (code, detail, dir) => ctx.anomaly(code, dir, detail),
      base: (queryDir) => {
        const [orig, resp] = queryDir === 'c2s' ? [flow.client, flow.server] : [flow.server, flow.client];
        return { proto: flow.transport, orig_h: orig.addr, orig_p: orig.port, resp_h: resp.addr, resp_p: resp.port, mdns: undefined, llmnr: undefined };
      },
    },
    1,
    false,
  );
  const seen = (m: DohMessage | null, dir: Direction): SeenMessage | null => {
    if (!m) return null;
    const msg = decodeMessage(m.bytes, { limits: ctx.limits, mdns: false, transport: flow.transport === 'udp' ? 'udp' : 'tcp' });
    if (!msg) {
      ctx.anomaly('dns.malformed', dir, `DoH message of ${m.bytes.length} bytes is shorter than the ${HEADER_LENGTH}-byte header`, m.at);
      return null;
    }
    for (const p of msg.problems) ctx.anomaly(p.code, dir, `DoH id ${msg.header.id}: ${p.reason}`, m.at);
    if (msg.trimmed) ctx.anomaly('dns.record_limit', dir, `DoH id ${msg.header.id}: ${msg.trimmed.reason}`, m.at);
    ctx.emit(DNS_EVENT_TYPES.message, dir, { ...msg.fields, doh: link }, m.at);
    return { msg, frame: m.at.frame, ts: m.at.ts, dir };
  };
  const q = seen(query, 'c2s');
  const r = seen(response, 's2c');
  // The table pairs by id and question as for any flow: a response whose id or question
  // differs from its request's is reported unmatched, not forced into the pair.
  if (q) table.query(q);
  if (r) table.response(r);
  table.close();
}
