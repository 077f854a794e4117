/**
 * The export schema (docs/SCHEMA.md): columns every exported event has, a few promoted
 * columns per protocol, and `fields`, a JSON string with everything else, so no field is
 * ever lost and the columns stay the same from file to file.
 */
import type { FlowIdentity } from '../events/flow-identity.js';
import type { WireEvent } from '../events/event.js';
import type { JsonValue } from '../events/json.js';
import { Timestamp } from '../events/time.js';
import { compactJson } from '../report/ndjson.js';

export type ColumnType = 'STRING' | 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'JSON' | 'TIMESTAMP_NS';

export interface Column {
  name: string;
  type: ColumnType;
}

/** Flow context every flow-bound event gets: its flow as the `flow.start`/`flow.update` events before it tell. */
export type FlowContext = FlowIdentity;

const s = (name: string): Column => ({ name, type: 'STRING' });
const i = (name: string): Column => ({ name, type: 'INT32' });
const l = (name: string): Column => ({ name, type: 'INT64' });
const d = (name: string): Column => ({ name, type: 'DOUBLE' });
const b = (name: string): Column => ({ name, type: 'BOOLEAN' });
const j = (name: string): Column => ({ name, type: 'JSON' });

export const COMMON_COLUMNS: readonly Column[] = [
  s('capture'), s('type'), { name: 'ts', type: 'TIMESTAMP_NS' }, l('frame'), l('flow'), s('dir'), s('proto'), s('service'),
  s('orig_h'), i('orig_p'), s('resp_h'), i('resp_p'), s('community_id'),
];

/** Promoted columns per partition (`protocol=`). A field absent from an event is null. */
export const PROTOCOL_COLUMNS: Readonly<Record<string, readonly Column[]>> = {
  flow: [s('conn_state'), s('history'), d('duration'), l('orig_pkts'), l('orig_bytes'), l('resp_pkts'), l('resp_bytes'), l('orig_ip_bytes'), l('resp_ip_bytes'), l('missed_bytes'), s('end_reason')],
  http: [s('method'), s('host'), s('uri'), s('version'), i('status_code'), s('status_msg'), s('user_agent'), l('request_body_len'), l('response_body_len')],
  http2: [i('stream_id'), j('headers'), s('block')],
  // QUIC stream IDs and packet numbers are 62-bit: INT64.
  http3: [l('stream_id'), s('stream_type'), s('frame_type'), j('headers'), s('block')],
  quic: [s('packet_type'), s('version'), s('dcid'), s('scid'), l('packet_number'), b('decrypted'), s('frame_type'), s('server_name'), s('client_protocol'), s('history')],
  dns: [i('trans_id'), s('query'), s('qtype_name'), s('rcode_name'), d('rtt'), j('answers')],
  ftp: [s('user'), s('command'), s('arg'), s('file'), s('direction'), l('bytes'), b('complete'), i('reply_code'), s('reply_msg')],
  smtp: [s('helo'), s('mailfrom'), j('rcptto'), s('subject'), l('size')],
  pop3: [s('user'), s('command'), s('arg')],
  imap: [s('user'), s('command'), s('tag')],
  bittorrent: [s('info_hash')],
  tls: [s('server_name'), s('version'), s('cipher'), s('next_protocol'), s('ja3'), s('ja4'), s('ja3s'), s('ja4s'), s('sha256'), s('subject'), s('issuer'), b('established')],
  credentials: [s('protocol'), s('user'), s('secret'), s('mechanism'), b('success')],
  anomaly: [s('code'), s('detail')],
  capture: [s('file'), l('packets'), l('bytes')],
};

/** The partition an event belongs to: the family of its type (`http.transaction` → `http`). */
export function protocolOf(type: string): string {
  if (type === 'flow.end') return 'flow';
  const dot = type.indexOf('.');
  return dot < 0 ? type : type.slice(0, dot);
}

export function columnsOf(protocol: string): Column[] {
  return [...COMMON_COLUMNS, ...(PROTOCOL_COLUMNS[protocol] ?? []), { name: 'fields', type: 'JSON' }];
}

export type Cell = string | number | bigint | boolean | null;

const BASE = new Set(['type', 'frame', 'ts', 'flow', 'dir']);

/** One event as a row of `columnsOf(protocolOf(e.type))`. A value that does not fit its column stays in `fields`. */
export function eventRow(e: WireEvent, capture: string, flow: FlowContext | null): Cell[] {
  const protocol = protocolOf(e.type);
  const promoted = PROTOCOL_COLUMNS[protocol] ?? [];
  const row: Cell[] = [
    capture,
    e.type,
    BigInt(e.ts.sec) * 1_000_000_000n + BigInt(e.ts.ns),
    BigInt(e.frame),
    e.flow === null ? null : BigInt(e.flow),
    e.dir,
    flow?.proto ?? null,
    flow?.service ?? null,
    flow?.orig_h ?? null,
    flow?.orig_p ?? null,
    flow?.resp_h ?? null,
    flow?.resp_p ?? null,
    flow?.community_id ?? null,
  ];
  const used = new Set<string>();
  for (const c of promoted) {
    const v = cell(e[c.name], c.type);
    if (v !== undefined) used.add(c.name);
    row.push(v ?? null);
  }
  const rest: { [k: string]: JsonValue | undefined } = {};
  let any = false;
  for (const k in e) {
    if (BASE.has(k) || used.has(k) || e[k] === undefined) continue;
    rest[k] = e[k];
    any = true;
  }
  row.push(any ? compactJson(rest) : null);
  return row;
}

/** A value converted for a column, or undefined when it does not fit (it then stays in `fields`). */
function cell(v: JsonValue | undefined, type: ColumnType): Cell | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  switch (type) {
    case 'STRING':
      return typeof v === 'string' ? v : undefined;
    case 'INT32':
      return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v : undefined;
    case 'INT64':
      return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined;
    case 'DOUBLE':
      return typeof v === 'number' ? v : v instanceof Timestamp ? v.sec + v.ns / 1e9 : undefined;
    case 'BOOLEAN':
      return typeof v === 'boolean' ? v : undefined;
    case 'JSON':
      return compactJson(v);
    case 'TIMESTAMP_NS':
      return v instanceof Timestamp ? BigInt(v.sec) * 1_000_000_000n + BigInt(v.ns) : undefined;
  }
}

/** UTC date of a capture time, for the `date=` partition. */
export function dateOf(ts: Timestamp): string {
  return new Date(ts.sec * 1000).toISOString().slice(0, 10);
}
