/**
 * AXFR / IXFR over TCP (RFC 5936, RFC 1995) as a summary: how many records of each type,
 * the SOA serials seen, messages and frames, and whether the transfer ended with the
 * closing SOA. A zone can hold millions of records, so none are listed one by one.
 */
import type { Position } from '../../dissect/contract.js';
import type { DnsZoneTransferFields } from './events.js';
import { typeName, TYPE } from './codes.js';
import type { DecodedMessage } from './message.js';

export class ZoneTransfer {
  private readonly counts = new Map<string, number>();
  private readonly serials: number[] = [];
  private messages = 0;
  private records = 0;
  private bytes = 0;
  private firstSerial: number | null = null;
  private lastWasClosingSoa = false;
  private firstResponse: Position | null = null;
  private last: Position | null = null;
  private rcode = 0;

  constructor(
    readonly id: number,
    readonly kind: 'AXFR' | 'IXFR',
    readonly zone: string | null,
    private readonly query: Position,
  ) {}

  add(msg: DecodedMessage, at: Position, length: number): void {
    this.messages++;
    this.bytes += length;
    this.firstResponse ??= at;
    this.last = at;
    if (msg.rcode !== 0) this.rcode = msg.rcode;
    for (const rr of msg.records) {
      if (rr.section !== 'answers') continue;
      this.records++;
      const t = typeName(rr.type);
      this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
      this.lastWasClosingSoa = false;
      if (rr.type === TYPE.SOA && typeof rr.data.serial === 'number') {
        const serial = rr.data.serial;
        if (this.serials.length < 64) this.serials.push(serial);
        if (this.firstSerial === null) this.firstSerial = serial;
        else if (serial === this.firstSerial) this.lastWasClosingSoa = true;
      }
    }
  }

  /** True once the closing SOA (the first one's serial again) ended a message. */
  get complete(): boolean {
    return this.lastWasClosingSoa;
  }

  fields(): Omit<DnsZoneTransferFields, 'orig_h' | 'resp_h'> {
    const by: Record<string, number> = {};
    for (const [t, n] of [...this.counts].sort((a, b) => a[0].localeCompare(b[0]))) by[t] = n;
    return {
      trans_id: this.id,
      kind: this.kind,
      zone: this.zone,
      query_frame: this.query.frame,
      first_response_frame: this.firstResponse?.frame ?? null,
      last_frame: this.last?.frame ?? null,
      duration: this.last ? Math.round(this.last.ts.since(this.query.ts) * 1e6) / 1e6 : null,
      messages: this.messages,
      bytes: this.bytes,
      records: this.records,
      records_by_type: by,
      soa_serials: this.serials,
      serial: this.firstSerial,
      rcode: this.rcode,
      complete: this.complete,
    };
  }

  get end(): Position {
    return this.last ?? this.query;
  }
}
