import type { WireEvent } from '../events/event.js';
import type { JsonValue } from '../events/json.js';
import { formatBytes } from './format.js';
import { num, show } from './show.js';

/** Fields every event has; labels and field lists skip them. */
export const BASE_FIELDS = new Set(['type', 'frame', 'ts', 'flow', 'dir']);

// A multi-line value (an SMTP EHLO reply) stays on its one line, its breaks marked.
const s = (v: JsonValue | undefined): string => show(typeof v === 'string' ? v.replace(/\r?\n/g, ' ⏎ ') : v);
const join = (...parts: Array<string | false | null | undefined>): string => parts.filter((p) => p).join(' ');
const list = (v: JsonValue | undefined): string => (Array.isArray(v) ? v.map((x) => show(x)).join(', ') : s(v));

/** The value of a header in a `[[name, value], ...]` list, case-insensitive. */
export function header(headers: JsonValue | undefined, name: string): string | null {
  if (!Array.isArray(headers)) return null;
  for (const h of headers) {
    if (Array.isArray(h) && typeof h[0] === 'string' && h[0].toLowerCase() === name) return String(h[1] ?? '');
  }
  return null;
}

/**
 * One line for an event, as the transactions list and the ladder diagram show it. Protocol
 * events get the line a person expects (`GET /index.html → 200`); unknown types get their
 * name and first few scalar fields, so a protocol that lands later still reads well.
 */
export function labelOf(e: WireEvent): string {
  switch (e.type) {
    case 'http.request':
      return join(s(e.method), s(e.uri), e.version ? `HTTP/${s(e.version)}` : '', httpMessageMarks(e));
    case 'http.response':
      return join(s(e.status_code), s(e.status_msg), e.content_type ? `(${s(e.content_type)})` : '', httpMessageMarks(e));
    case 'http.transaction':
      return join(
        e.stream_id !== undefined && e.stream_id !== null ? `[s${s(e.stream_id)}]` : '',
        s(e.method),
        s(e.uri),
        '→',
        e.status_code !== null && e.status_code !== undefined
          ? s(e.status_code)
          : e.response_lost
            ? '(response lost in a gap)'
            : e.unpaired
              ? '(unpaired after a gap)'
              : '(no response)',
        num(e.response_body_len) ? formatBytes(num(e.response_body_len)) : '',
        e.pushed ? 'pushed' : '',
        httpTransactionMarks(e),
      );
    case 'http.connection':
      return join(`HTTP/${s(e.version)}`, `${num(e.requests)} requests`, e.persistent ? 'persistent' : '', e.pipelined ? 'pipelined' : '', e.multiplexed ? 'multiplexed' : '');
    case 'http2.frame':
      return join(s(e.frame_type), `s${s(e.stream_id)}`, Array.isArray(e.flag_names) && e.flag_names.length ? `[${list(e.flag_names)}]` : '', num(e.length) ? `${num(e.length)} B` : '');
    case 'http2.headers': {
      const method = header(e.headers, ':method');
      const status = header(e.headers, ':status');
      const what = e.block === 'push_promise' ? `PUSH_PROMISE → s${s(e.promised_stream_id)}` : e.block === 'trailers' ? 'TRAILERS' : 'HEADERS';
      return join(what, `s${s(e.stream_id)}`, method ? `${show(method)} ${show(header(e.headers, ':path') ?? '')}` : '', status ? show(status) : '', e.end_stream ? 'END_STREAM' : '');
    }
    case 'http3.frame':
      return join(s(e.frame_type), `s${s(e.stream_id)}`, num(e.length) ? `${num(e.length)} B` : '', e.incomplete ? 'incomplete' : '');
    case 'http3.headers': {
      const method = header(e.headers, ':method');
      const status = header(e.headers, ':status');
      const what = e.block === 'push_promise' ? 'PUSH_PROMISE' : e.block === 'trailers' ? 'TRAILERS' : 'HEADERS';
      return join(what, `s${s(e.stream_id)}`, method ? `${show(method)} ${show(header(e.headers, ':path') ?? '')}` : '', status ? show(status) : '', e.was_blocked ? '(was blocked)' : '');
    }
    case 'http3.stream':
      return join('stream', `s${s(e.stream_id)}`, s(e.stream_type));
    case 'quic.frame':
      return join(s(e.frame_type), e.stream_id !== undefined ? `s${s(e.stream_id)}` : '', s(e.error_name), e.reason ? `"${s(e.reason)}"` : '', s(e.connection_id));
    case 'quic.connection':
      return join(`QUIC ${s(e.version)}`, s(e.server_name), s(e.server_protocol ?? e.client_protocol), s(e.history), e.retry ? 'retry' : '', e.decrypted ? 'decrypted' : '');
    case 'ftp.command':
    case 'smtp.command':
    case 'pop3.command':
      return join(s(e.command), s(e.arg));
    case 'ftp.reply':
    case 'smtp.reply':
      return join(s(e.code), s(e.msg));
    case 'pop3.reply':
      return join(s(e.status), s(e.msg));
    case 'ftp.transaction':
      return join(s(e.command), s(e.arg), '→', s(e.reply_code), s(e.reply_msg));
    case 'ftp.transfer':
      return join(s(e.command), s(e.file), formatBytes(num(e.bytes)), s(e.direction), e.complete === false ? 'incomplete' : '', e.data_flow ? `(data flow ${s(e.data_flow)})` : '');
    case 'smtp.message':
      return join(s(e.mailfrom), '→', list(e.rcptto), e.subject ? `"${s(e.subject)}"` : '', formatBytes(num(e.size)));
    case 'pop3.message':
    case 'imap.message':
      return join(s(e.command), e.number !== undefined ? `#${s(e.number)}` : '', s(e.from), e.subject ? `"${s(e.subject)}"` : '', formatBytes(num(e.size)));
    case 'imap.command':
      return join(s(e.tag), s(e.command), s(e.args ?? e.arg));
    case 'imap.response':
      return join(s(e.tag), s(e.status), s(e.text ?? e.msg));
    case 'dns.message':
    case 'mdns.message':
    case 'llmnr.message':
      return join(
        e.response ? 'response' : 'query',
        `0x${num(e.trans_id).toString(16).padStart(4, '0')}`,
        s(e.qtype_name ?? e.qtype),
        s(e.qname),
        e.response ? s(e.rcode_name) : '',
        e.response && Array.isArray(e.answers) ? `${e.answers.length} answers` : '',
      );
    case 'dns.transaction':
      return join(s(e.qtype_name ?? e.qtype), s(e.query), '→', s(e.rcode_name ?? 'no response'), Array.isArray(e.answers) && e.answers.length ? list(e.answers) : '');
    case 'bittorrent.handshake':
      return join('handshake', s(e.info_hash), e.peer_id ? `peer ${s(e.peer_id)}` : '');
    case 'bittorrent.message':
      return join(s(e.msg_type), e.index !== undefined ? `#${s(e.index)}` : '', e.begin !== undefined ? `@${s(e.begin)}` : '', e.length !== undefined ? `${s(e.length)} B` : '');
    case 'credentials':
      return join(s(e.protocol), s(e.user), e.mechanism ? `(${s(e.mechanism)})` : '', e.success === false ? 'failed' : e.success === true ? 'ok' : '');
    case 'anomaly':
      return `${s(e.code)}: ${s(e.detail)}`;
  }
  return genericLabel(e);
}

/**
 * What an HTTP message lost, as a person must see it next to the message (the JSON has it as
 * `truncated`, `body_missed_bytes`, `incomplete`): a head cut short, body bytes lost in gaps,
 * a body that ended before its framing said.
 */
function httpMessageMarks(e: WireEvent): string {
  const marks: string[] = [];
  if (e.truncated) marks.push('head truncated');
  if (num(e.body_missed_bytes)) marks.push(`body truncated, ${formatBytes(num(e.body_missed_bytes))} lost`);
  else if (e.incomplete) marks.push('body incomplete');
  return marks.length ? `[${marks.join('; ')}]` : '';
}

/** The same for a transaction, from its `*_head_truncated`, `*_missed_bytes` and `incomplete`. */
export function httpTransactionMarks(e: WireEvent): string {
  const marks: string[] = [];
  if (e.request_head_truncated) marks.push('request head truncated');
  if (e.response_head_truncated) marks.push('response head truncated');
  if (num(e.request_missed_bytes)) marks.push(`request body truncated, ${formatBytes(num(e.request_missed_bytes))} lost`);
  if (num(e.response_missed_bytes)) marks.push(`body truncated, ${formatBytes(num(e.response_missed_bytes))} lost`);
  // An unanswered, lost or unpaired response is said by the outcome already.
  const answered = e.status_code !== null && e.status_code !== undefined;
  if (!marks.length && e.incomplete && answered) marks.push('incomplete');
  return marks.length ? `[${marks.join('; ')}]` : '';
}

/** Whether an event's label carries a loss mark (the UI colours such lines). */
export function isTruncated(e: WireEvent): boolean {
  if (e.type === 'http.request' || e.type === 'http.response') return httpMessageMarks(e) !== '';
  if (e.type === 'http.transaction') return httpTransactionMarks(e) !== '';
  return false;
}

function genericLabel(e: WireEvent): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e)) {
    if (BASE_FIELDS.has(k) || v === null || v === undefined || typeof v === 'object') continue;
    parts.push(`${k}=${show(v)}`);
    if (parts.length >= 4) break;
  }
  return parts.join(' ');
}

/** The name an event is grouped under: its type without the protocol prefix. */
export const shortType = (type: string): string => type.slice(type.indexOf('.') + 1);

/** Sub-kind for grouping chatty message types (BitTorrent messages, HTTP/2 frames). */
export function kindOf(e: WireEvent): string | null {
  const k = e.msg_type ?? e.frame_type;
  return typeof k === 'string' ? show(k) : null;
}
