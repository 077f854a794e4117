/**
 * One request and its response on a stream of their own (HTTP/2, HTTP/3): the state both
 * dissectors keep per stream until the transaction record is emitted. HTTP/1.1 has no
 * streams; its transactions queue on the connection instead (http/dissector.ts).
 */
import type { Direction } from '../../events/event.js';
import { BodySink } from './body.js';
import { emptyCounts, type TxModel } from './transaction.js';

export interface StreamExchange {
  readonly id: number;
  readonly tx: TxModel;
  /** END_STREAM (HTTP/2) or the stream's FIN (HTTP/3) seen, per direction. */
  readonly ended: Record<Direction, boolean>;
  requestSeen: boolean;
  responseSeen: boolean;
  reqSink: BodySink;
  /** Made when the response's headers say how to decode its body. */
  respSink: BodySink | null;
  /** Its `http.transaction` record is out. */
  emitted: boolean;
}

/** A stream's exchange before anything is known of it. */
export function newStreamExchange(id: number, version: '2' | '3'): StreamExchange {
  return {
    id,
    tx: {
      trans_depth: 0,
      version,
      stream_id: id,
      ...emptyCounts(),
    },
    ended: { c2s: false, s2c: false },
    requestSeen: false,
    responseSeen: false,
    reqSink: new BodySink(false, 0),
    respSink: null,
    emitted: false,
  };
}
