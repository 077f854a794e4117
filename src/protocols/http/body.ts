/**
 * A message body as it arrives: its length, bytes lost to gaps, and (only when someone
 * needs them: export, content decoding, a tracker response) a bounded copy of its bytes.
 * Shared by HTTP/1.x and HTTP/2, whose bodies are decoded alike.
 */
import type { DissectorContext } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import { codings, decodeBody } from './body-decoder.js';
import { ANOMALY } from './events.js';
import { header, mediaType, objectName } from './parser.js';
import type { TxModel } from './transaction.js';

export class BodySink {
  /** Body bytes seen (transfer coding removed, content coding still applied). */
  length = 0;
  /** Bytes lost in gaps. */
  missed = 0;
  /** The copy stopped at `max_object`. */
  truncated = false;
  private parts: Uint8Array[] = [];
  private kept = 0;

  constructor(
    private readonly keep: boolean,
    private readonly maxObject: number,
  ) {}

  get keeping(): boolean {
    return this.keep;
  }

  /** Returns true the first time the copy hits `max_object` (the caller reports it). */
  add(bytes: Uint8Array): boolean {
    this.length += bytes.length;
    if (!this.keep || this.truncated) return false;
    const room = this.maxObject - this.kept;
    if (bytes.length > room) {
      if (room > 0) this.parts.push(bytes.slice(0, room));
      this.kept += Math.max(room, 0);
      this.truncated = true;
      return true;
    }
    this.parts.push(bytes.slice());
    this.kept += bytes.length;
    return false;
  }

  /** `n` body bytes of a sink that keeps no copy (what `add` does then, without a view of them). */
  count(n: number): void {
    this.length += n;
  }

  gap(n: number): void {
    this.missed += n;
  }

  bytes(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0]!;
    const out = new Uint8Array(this.kept);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    this.parts = out.length ? [out] : [];
    return out;
  }
}

export interface FinishedBody {
  /** Length after undoing the content coding, when it could be undone. */
  readonly decoded_len?: number;
  /** Decoded bytes (only when kept). */
  readonly data?: Uint8Array;
  readonly decode_status?: string;
}

/**
 * Undoes the content coding of a kept body, reports decoding trouble as anomalies and
 * offers the decoded object to the exporter.
 */
export function finishBody(
  ctx: DissectorContext,
  dir: Direction,
  body: BodySink,
  contentEncoding: string | undefined,
  object: { name: string; content_type?: string; frame: number; incomplete: boolean } | null,
): FinishedBody {
  const applied = codings(contentEncoding);
  if (!body.keeping || body.length === 0) return applied.length ? {} : { decoded_len: body.length };
  const raw = body.bytes();
  const out = decodeBody(raw, applied, ctx.limits);
  let data: Uint8Array | undefined;
  let status: string | undefined;
  switch (out.status) {
    case 'ok':
    case 'identity':
      data = out.data;
      if (out.status === 'ok') status = 'decoded';
      break;
    case 'unsupported':
      status = `unsupported:${out.coding}`;
      data = raw;
      break;
    case 'failed':
      ctx.anomaly(ANOMALY.decompression_failed, dir, `${out.coding}: ${out.detail}`);
      status = 'failed';
      data = raw;
      break;
    case 'limit':
      ctx.anomaly(ANOMALY.decompression_limit, dir, out.detail);
      status = 'limit';
      data = raw;
      break;
  }
  const decodedLen = out.status === 'ok' || out.status === 'identity' ? out.data.length : undefined;
  if (object && ctx.wants_objects && data) {
    ctx.exportObject({
      protocol: 'http',
      name: object.name,
      ...(object.content_type ? { content_type: object.content_type } : {}),
      frame: object.frame,
      data,
      ...(object.incomplete || body.truncated || body.missed > 0 || (status !== undefined && status !== 'decoded') ? { incomplete: true } : {}),
    });
  }
  return { ...(decodedLen !== undefined ? { decoded_len: decodedLen } : {}), data, ...(status ? { decode_status: status } : {}) };
}

/**
 * Ends a transaction's response body (HTTP/1.1, HTTP/2 and HTTP/3 alike): decodes its
 * Content-Encoding, offers it for export, and sets the transaction's lengths and decode
 * status. Returns the decoded body when it was kept (DoH answers and tracker replies read it).
 */
export function finishResponseBody(ctx: DissectorContext, tx: TxModel, sink: BodySink): Uint8Array | undefined {
  const rs = tx.response_headers ?? [];
  // The object's name and type are read by the exporter only: made only when it wants them.
  const type = ctx.wants_objects ? mediaType(header(rs, 'content-type')) : undefined;
  const object = ctx.wants_objects ? { name: objectName(tx.uri ?? '/'), ...(type ? { content_type: type } : {}), frame: ctx.frame, incomplete: tx.incomplete ?? false } : null;
  const fin = finishBody(ctx, 's2c', sink, header(rs, 'content-encoding'), object);
  tx.response_body_len = sink.length;
  if (fin.decoded_len !== undefined) tx.response_decoded_len = fin.decoded_len;
  if (fin.decode_status) tx.decode_status = fin.decode_status;
  return fin.data;
}
