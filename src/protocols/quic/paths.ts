/**
 * Connection migration (RFC 9000 §9): an endpoint may move a connection to a new address or
 * port (a NAT rebinding keeps the Destination Connection ID; a deliberate migration switches
 * to one its peer issued in NEW_CONNECTION_ID, §9.5). The engine sees a UDP flow it has never
 * met, whose packets are short headers of a connection that lives in another flow. This
 * table, one per run (DissectorContext.shared), maps every connection ID in use to the
 * connection that owns it and the direction that sends it as Destination Connection ID, so
 * the new path's dissector hands its datagrams to that connection: they are opened with its
 * keys, its streams go on, and the connection is reported once, as Zeek's quic.log does.
 *
 * Only IDs of at least MIN_PATH_CID bytes are entered (a short header carries no ID length,
 * so a lookup tries every length in use; a zero-length ID names nothing). Bounded by
 * `max_quic_path_cids` for the whole run; an owner takes its IDs out when it closes.
 */
import type { FlowInfo } from '../../dissect/contract.js';
import { hex, hostPort } from '../../dissect/text.js';
import type { Direction } from '../../events/event.js';

/** Shorter IDs could match the first bytes of an unrelated packet too easily. */
export const MIN_PATH_CID = 4;

/** The key of the table in DissectorContext.shared. */
export const PATH_TABLE_KEY = 'quic.paths';

/** A connection that takes datagrams arriving on another flow (a path it migrated to). */
export interface PathOwner {
  /** False once the connection has been reported (its flow ended): it takes nothing more. */
  readonly accepting: boolean;
  /** The id of the flow the connection began in (where it is reported). */
  readonly flowId: number;
  /** Where the connection's client first was (`127.0.0.1:49918`), to name it in a path's summary. */
  readonly clientEndpoint: string;
  /** The connection's server (`127.0.0.1:4433`): a client's migration keeps it. */
  readonly serverEndpoint: string;
  /**
   * A datagram of `path`, `dir` being the connection's direction (client to server: c2s);
   * `reversed` when the path flow's client is the connection's server.
   */
  pathDatagram(path: FlowInfo, dir: Direction, b: Uint8Array, reversed: boolean): void;
}

export interface PathEntry {
  readonly owner: PathOwner;
  /** The direction of the connection whose packets carry this ID as destination. */
  readonly dir: Direction;
}

/**
 * IDs are entered under the connection's server endpoint too: only the client migrates (RFC
 * 9000 §9), so a path keeps the server's address and port. Two connections to different
 * servers may then use the same ID (a capture replayed with new addresses, as the bench's;
 * short IDs) without one taking the other's path, and the tie is the same for any number of
 * --workers, whose shares split by address pair.
 */
const entryKey = (server: string, cidHex: string): string => `${server}|${cidHex}`;


export class QuicPathTable {
  private readonly byCid = new Map<string, PathEntry>();
  /** ID lengths in use, with how many IDs have each. */
  private readonly lengths = new Map<number, number>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.byCid.size;
  }

  /** Enters `cid` for `owner`; 'full' when the table holds `max` IDs already. */
  add(cid: Uint8Array, owner: PathOwner, dir: Direction): 'added' | 'known' | 'short' | 'full' {
    if (cid.length < MIN_PATH_CID) return 'short';
    const key = entryKey(owner.serverEndpoint, hex(cid));
    if (this.byCid.has(key)) return 'known';
    if (this.byCid.size >= this.max) return 'full';
    this.byCid.set(key, { owner, dir });
    this.lengths.set(cid.length, (this.lengths.get(cid.length) ?? 0) + 1);
    return 'added';
  }

  /** Takes out the IDs (hex) an owner entered, when it closes. */
  remove(owner: PathOwner, cids: readonly string[]): void {
    for (const cid of cids) {
      const key = entryKey(owner.serverEndpoint, cid);
      const e = this.byCid.get(key);
      if (e === undefined || e.owner !== owner) continue;
      this.byCid.delete(key);
      const n = cid.length / 2;
      const left = (this.lengths.get(n) ?? 1) - 1;
      if (left > 0) this.lengths.set(n, left);
      else this.lengths.delete(n);
    }
  }

  /**
   * The owner of the short header packet at the start of `b`, by its Destination Connection
   * ID and the server endpoint, one of `path`'s two (either may be the server: a path's first
   * packet may come from the server), or null.
   */
  findShort(b: Uint8Array, path: FlowInfo): PathEntry | null {
    if (b.length === 0 || (b[0]! & 0x80) !== 0) return null;
    for (const n of this.lengths.keys()) {
      if (b.length < 1 + n) continue;
      const cid = hex(b.subarray(1, 1 + n));
      for (const server of [hostPort(path.server.addr, path.server.port), hostPort(path.client.addr, path.client.port)]) {
        const e = this.byCid.get(entryKey(server, cid));
        if (e !== undefined && e.owner.accepting) return e;
      }
    }
    return null;
  }
}
