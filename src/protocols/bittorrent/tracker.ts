/**
 * HTTP tracker protocol (BEP 3, BEP 23, BEP 48), as pure functions: the HTTP dissector
 * owns the flow, so it calls these on `/announce` and `/scrape` transactions and emits
 * `bittorrent.tracker` events with the result.
 */
import type { JsonObject, JsonValue } from '../../events/json.js';
import { DEFAULT_LIMITS } from '../../dissect/limits.js';
import { hex, hostPort } from '../../dissect/text.js';
import { bencodeJson, bytesText, decodeBencode, isBytes, isDict, num, str, type BValue } from './bencode.js';
import { compactPeers } from './compact.js';
import { peerClient, peerIdText } from './peer-id.js';

export interface TrackerRequest {
  readonly action: 'announce' | 'scrape';
  readonly info_hash: string | null;
  /** Scrape may name several torrents. */
  readonly info_hashes: string[];
  readonly peer_id: string | null;
  readonly client: string | null;
  readonly port: number | null;
  readonly uploaded: number | null;
  readonly downloaded: number | null;
  readonly left: number | null;
  readonly event: string | null;
  readonly compact: boolean | null;
  readonly numwant: number | null;
  readonly key: string | null;
  readonly ip: string | null;
  readonly tracker_id: string | null;
  readonly [other: string]: JsonValue | undefined;
}

/** Is this request path a tracker's? `/announce`, `/scrape`, also with a prefix (`/tracker/announce.php`). */
export function trackerAction(path: string): 'announce' | 'scrape' | null {
  // Asked of every HTTP transaction: find the last path segment in place, and go to the
  // regexes only when its length is one of the four names'.
  const q = path.indexOf('?');
  const end = q < 0 ? path.length : q;
  const start = end > 0 ? path.lastIndexOf('/', end - 1) + 1 : 0;
  const len = end - start;
  if (len !== 8 && len !== 12 && len !== 6 && len !== 10) return null;
  const base = path.slice(start, end);
  if (/^announce(\.php)?$/i.test(base)) return 'announce';
  if (/^scrape(\.php)?$/i.test(base)) return 'scrape';
  return null;
}

/** Decodes an announce or scrape request URI (path and query). Null when it is neither. */
export function parseTrackerAnnounce(uri: string): TrackerRequest | null {
  const q = uri.indexOf('?');
  const action = trackerAction(q < 0 ? uri : uri.slice(0, q));
  if (!action) return null;
  const params = new Map<string, Uint8Array[]>();
  for (const part of (q < 0 ? '' : uri.slice(q + 1)).split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = latin(percentDecode(eq < 0 ? part : part.slice(0, eq)));
    const list = params.get(key) ?? [];
    list.push(percentDecode(eq < 0 ? '' : part.slice(eq + 1)));
    params.set(key, list);
  }
  const one = (k: string): Uint8Array | null => params.get(k)?.[0] ?? null;
  const text = (k: string): string | null => {
    const v = one(k);
    return v ? bytesText(v) ?? hex(v) : null;
  };
  const int = (k: string): number | null => {
    const v = text(k);
    return v !== null && /^-?\d+$/.test(v) ? Number(v) : null;
  };
  const hashes = (params.get('info_hash') ?? []).map((h) => hex(h));
  const pid = one('peer_id');
  const known = new Set(['info_hash', 'peer_id', 'port', 'uploaded', 'downloaded', 'left', 'event', 'compact', 'numwant', 'key', 'ip', 'trackerid']);
  const extra: Record<string, JsonValue> = {};
  for (const [k, v] of params) if (!known.has(k)) extra[k] = bytesText(v[0]!) ?? hex(v[0]!);
  return {
    action,
    info_hash: hashes[0] ?? null,
    info_hashes: hashes,
    peer_id: pid ? peerIdText(pid) : null,
    client: pid ? peerClient(pid)?.name ?? null : null,
    port: int('port'),
    uploaded: int('uploaded'),
    downloaded: int('downloaded'),
    left: int('left'),
    event: text('event'),
    compact: one('compact') ? text('compact') === '1' : null,
    numwant: int('numwant'),
    key: text('key'),
    ip: text('ip'),
    tracker_id: text('trackerid'),
    other_params: Object.keys(extra).length ? extra : undefined,
  };
}

export function percentDecode(s: string): Uint8Array {
  // Into one array of the longest possible size (3 bytes per unit), no regex or slices per
  // escape and no growing number array (issue 18). tests/bittorrent/percent-decode.test.ts
  // holds it to the regex version it replaced.
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length) {
      const hi = hexDigit(s.charCodeAt(i + 1));
      const lo = hexDigit(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    if (c < 0x80) out[n++] = c;
    else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A UTF-16 half on its own: UTF-8 has no encoding for it, Buffer writes U+FFFD.
      out[n++] = 0xef;
      out[n++] = 0xbf;
      out[n++] = 0xbd;
    } else {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.slice(0, n);
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const latin = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

export interface TrackerResponse {
  readonly failure_reason: string | null;
  readonly warning_message: string | null;
  readonly interval: number | null;
  readonly min_interval: number | null;
  readonly complete: number | null;
  readonly incomplete: number | null;
  readonly tracker_id: string | null;
  /** `addr:port` of every peer, compact (BEP 23) or dictionary form, IPv4 then IPv6 (BEP 7). */
  readonly peers: string[];
  readonly peers_form: 'compact' | 'dictionary' | null;
  /** Scrape: per info_hash counts. */
  readonly files: JsonObject | null;
  /** Why the body could not be decoded, if it could not. */
  readonly problem: string | null;
  readonly [other: string]: JsonValue | undefined;
}

/** Decodes a tracker's bencoded response body (announce or scrape). Never throws. */
export function parseTrackerResponse(body: Uint8Array, maxDepth = DEFAULT_LIMITS.max_bencode_depth): TrackerResponse {
  const empty: TrackerResponse = {
    failure_reason: null, warning_message: null, interval: null, min_interval: null, complete: null, incomplete: null,
    tracker_id: null, peers: [], peers_form: null, files: null, problem: null,
  };
  const d = decodeBencode(body, maxDepth);
  if ('code' in d) return { ...empty, problem: d.reason };
  const v = d.value;
  if (!isDict(v)) return { ...empty, problem: 'response is not a dictionary' };
  const peers: string[] = [];
  let form: TrackerResponse['peers_form'] = null;
  if (isBytes(v.peers)) {
    // Appended one by one: a spread of a large peer list would overflow the stack.
    for (const p of compactPeers(v.peers)) peers.push(p);
    form = 'compact';
  } else if (Array.isArray(v.peers)) {
    form = 'dictionary';
    for (const p of v.peers) {
      if (!isDict(p)) continue;
      const ip = str(p.ip);
      const port = num(p.port);
      if (ip !== null && port !== null) peers.push(hostPort(ip, port));
    }
  }
  if (isBytes(v.peers6)) for (const p of compactPeers(v.peers6, true)) peers.push(p);
  let files: JsonObject | null = null;
  if (isDict(v.files)) {
    const out: Record<string, JsonValue> = {};
    for (const k of Object.keys(v.files).sort()) {
      const f: BValue | undefined = v.files[k];
      const key = /^[0-9a-f]{40}$/.test(k) ? k : hex(Buffer.from(k, 'latin1'));
      out[key] = isDict(f) ? { complete: num(f.complete), downloaded: num(f.downloaded), incomplete: num(f.incomplete) } : bencodeJson(f ?? 0);
    }
    files = out;
  }
  return {
    failure_reason: str(v['failure reason']),
    warning_message: str(v['warning message']),
    interval: num(v.interval),
    min_interval: num(v['min interval']),
    complete: num(v.complete),
    incomplete: num(v.incomplete),
    tracker_id: str(v['tracker id']),
    peers,
    peers_form: form,
    files,
    problem: null,
  };
}
