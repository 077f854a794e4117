import type { WireEvent } from '../../events/event.js';
import type { FlowEndFields } from '../../events/event-map.js';
import type { Timestamp } from '../../events/time.js';
import type { FlowFacts } from '../../filter/index.js';
import { endpointText, show } from '../text.js';

/** One line of the flows list: display strings made safe once, numbers kept for sorting. */
export interface FlowRow {
  readonly id: number;
  proto: string;
  service: string | null;
  /** `app` column: the service, or the transport in brackets when none was found. */
  app: string;
  client: string;
  server: string;
  pkts: number;
  bytes: number;
  duration: number;
  state: string;
  summary: string;
  start: Timestamp;
  lastFrame: number;
  ended: boolean;
  facts: FlowFacts;
  /** The `flow.end` event, or a stand-in built from the live flow while it is open. */
  record: WireEvent;
}

/** A row from a flow record (a `flow.end` event, or `Flow.record()` of an open flow). */
export function rowFromRecord(id: number, rec: FlowEndFields, ended: boolean, lastFrame: number, record: WireEvent): FlowRow {
  const proto = rec.proto;
  const service = rec.service ?? null;
  return {
    id,
    proto,
    service,
    app: service ? show(service) : `(${show(proto)})`,
    client: endpointText(rec.orig_h, rec.orig_p),
    server: endpointText(rec.resp_h, rec.resp_p),
    pkts: rec.orig_pkts + rec.resp_pkts,
    bytes: rec.orig_frame_bytes + rec.resp_frame_bytes,
    duration: rec.duration,
    state: show(rec.conn_state),
    summary: show(rec.summary ?? ''),
    start: rec.start,
    lastFrame,
    ended,
    facts: rec,
    record,
  };
}

export type SortColumn = 'id' | 'app' | 'client' | 'server' | 'pkts' | 'bytes' | 'duration' | 'state' | 'summary';

export const SORT_COLUMNS: readonly SortColumn[] = ['id', 'app', 'client', 'server', 'pkts', 'bytes', 'duration', 'state', 'summary'];

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Comparator for a column; ties fall back to the flow id, so the order is stable and total. */
export function compareBy(column: SortColumn): (a: FlowRow, b: FlowRow) => number {
  const tie = (a: FlowRow, b: FlowRow) => a.id - b.id;
  switch (column) {
    case 'id':
      return tie;
    case 'pkts':
    case 'bytes':
    case 'duration':
      return (a, b) => a[column] - b[column] || tie(a, b);
    default:
      return (a, b) => byString(a[column], b[column]) || tie(a, b);
  }
}
