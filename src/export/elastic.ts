/**
 * Events as Elasticsearch/OpenSearch `_bulk` input: an action line, then the document.
 * Field names follow the Elastic Common Schema where ECS has the concept (source.ip,
 * destination.port, network.community_id, url.original, http.response.status_code,
 * dns.question.name, @timestamp ...); the event itself is kept whole under
 * `wirelens.<protocol>` so nothing is lost. Zeek's and Arkime's ECS exports do the same.
 */
import type { WireEvent } from '../events/event.js';
import type { JsonValue } from '../events/json.js';
import { compactJson } from '../report/ndjson.js';
import { dateOf, protocolOf, type FlowContext } from './columns.js';

type Doc = { [key: string]: JsonValue | undefined };

const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: JsonValue | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The two lines of one event (no trailing newline on the second). */
export function bulkLines(e: WireEvent, capture: string, flow: FlowContext | null, indexPrefix: string): string {
  const protocol = protocolOf(e.type);
  const index = `${indexPrefix}-${protocol}-${dateOf(e.ts).replaceAll('-', '.')}`;
  return `{"index":{"_index":${JSON.stringify(index)}}}\n${compactJson(ecsDocument(e, capture, flow, protocol))}`;
}

export function ecsDocument(e: WireEvent, capture: string, flow: FlowContext | null, protocol = protocolOf(e.type)): Doc {
  const own: Doc = {};
  for (const k in e) if (k !== 'type' && k !== 'frame' && k !== 'ts' && k !== 'flow' && k !== 'dir') own[k] = e[k];
  const doc: Doc = {
    '@timestamp': e.ts.toIso(),
    event: {
      kind: e.type === 'anomaly' ? 'alert' : 'event',
      module: 'wirelens',
      dataset: `wirelens.${protocol}`,
      action: e.type,
      code: e.type === 'anomaly' ? str(e.code) : undefined,
      duration: protocol === 'flow' && num(e.duration) !== undefined ? Math.round(num(e.duration)! * 1e9) : undefined,
    },
    message: e.type === 'anomaly' ? str(e.detail) : undefined,
  };
  if (flow) {
    doc.source = { ip: flow.orig_h, port: flow.orig_p, ...(protocol === 'flow' ? { packets: num(e.orig_pkts), bytes: num(e.orig_ip_bytes) } : {}) };
    doc.destination = { ip: flow.resp_h, port: flow.resp_p, ...(protocol === 'flow' ? { packets: num(e.resp_pkts), bytes: num(e.resp_ip_bytes) } : {}) };
    doc.network = {
      transport: flow.proto,
      protocol: flow.service ?? undefined,
      community_id: flow.community_id,
      direction: undefined,
      ...(protocol === 'flow' ? { packets: (num(e.orig_pkts) ?? 0) + (num(e.resp_pkts) ?? 0), bytes: (num(e.orig_ip_bytes) ?? 0) + (num(e.resp_ip_bytes) ?? 0) } : {}),
    };
  }
  Object.assign(doc, protocolFields(e, protocol));
  doc.wirelens = { capture, type: e.type, frame: e.frame, flow: e.flow, dir: e.dir, [protocol]: own };
  return doc;
}

/** ECS fields of the protocols that ECS describes. */
function protocolFields(e: WireEvent, protocol: string): Doc {
  switch (protocol) {
    case 'http': {
      if (e.type !== 'http.transaction' && e.type !== 'http.request' && e.type !== 'http.response') return {};
      return {
        http: {
          version: str(e.version),
          request: { method: str(e.method), body: num(e.request_body_len) === undefined ? undefined : { bytes: num(e.request_body_len) } },
          response: { status_code: num(e.status_code), body: num(e.response_body_len) === undefined ? undefined : { bytes: num(e.response_body_len) } },
        },
        url: str(e.uri) === undefined ? undefined : { original: str(e.uri), domain: str(e.host) },
        user_agent: str(e.user_agent) === undefined ? undefined : { original: str(e.user_agent) },
      };
    }
    case 'dns': {
      if (str(e.query) === undefined) return {};
      const answers = Array.isArray(e.answers) ? (e.answers as JsonValue[]).filter((a): a is string => typeof a === 'string').map((data) => ({ data })) : undefined;
      return {
        dns: {
          id: num(e.trans_id),
          question: { name: str(e.query), type: str(e.qtype_name), class: str(e.qclass_name) },
          response_code: str(e.rcode_name),
          answers,
        },
      };
    }
    case 'ftp':
      return str(e.file) === undefined ? {} : { file: { path: str(e.file), size: num(e.bytes) } };
    case 'smtp':
      if (e.type !== 'smtp.message') return {};
      return {
        email: {
          from: { address: str(e.mailfrom) === undefined ? undefined : [str(e.mailfrom)!] },
          to: { address: Array.isArray(e.rcptto) ? (e.rcptto as JsonValue[]).filter((r): r is string => typeof r === 'string') : undefined },
          subject: str(e.subject),
          message_id: str(e.msg_id),
        },
      };
    case 'credentials':
      return { user: { name: str(e.user) } };
    default:
      return str(e.user) === undefined ? {} : { user: { name: str(e.user) } };
  }
}
