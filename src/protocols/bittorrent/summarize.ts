/**
 * Swarm views of the `bittorrent` report section, from `bittorrent.connection`,
 * `bittorrent.tracker` and `bittorrent.dht` records and the flow records:
 * - per info_hash: the connections, piece availability across the peers seen;
 * - per downloading peer: how often a request went to one of the rarest pieces it could
 *   have asked for at that moment (rarest-first);
 * - per uploading peer: unchoke rounds (about every 10 s) and optimistic unchokes
 *   (about every 30 s, to a peer that had not uploaded to it);
 * - per peer: the peers it learned from trackers, PEX and the DHT.
 */
import { hostPort } from '../../dissect/text.js';
import type { WireEvent } from '../../events/event.js';
import type { JsonObject, JsonValue } from '../../events/json.js';
import { Timestamp } from '../../events/time.js';

/** Choke changes closer than this belong to the same round. */
const ROUND_GAP = 1.5;
/** Work bound for the rarest-first replay (requests × pieces). */
const MAX_REPLAY_WORK = 50_000_000;

const obj = (v: JsonValue | undefined): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Timestamp) ? (v as JsonObject) : {});
const arr = (v: JsonValue | undefined): readonly JsonValue[] => (Array.isArray(v) ? v : []);
const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const round = (x: number): number => Math.round(x * 1000) / 1000;

interface SideView {
  readonly addr: string;
  readonly port: number;
  readonly peer: string;
  readonly rec: JsonObject;
}

interface Conn {
  readonly e: WireEvent;
  readonly info: string;
  readonly c2s: SideView;
  readonly s2c: SideView;
}

export function summarizeBittorrent(records: readonly WireEvent[], context: { readonly flows: readonly WireEvent[] }): JsonObject {
  const conns: Conn[] = records
    .filter((e) => e.type === 'bittorrent.connection' && typeof e.info_hash === 'string')
    .map((e) => ({ e, info: str(e.info_hash), c2s: side(e.c2s), s2c: side(e.s2c) }));
  const swarms: JsonValue[] = [];
  for (const info of [...new Set(conns.map((c) => c.info))].sort()) {
    const cs = conns.filter((c) => c.info === info);
    swarms.push({
      info_hash: info,
      connections: cs.map((c) => ({
        flow: c.e.flow,
        from: c.c2s.peer,
        to: c.s2c.peer,
        clients: [c.c2s.rec.client ?? null, c.s2c.rec.client ?? null],
        payload_c2s: c.c2s.rec.payload_bytes ?? 0,
        payload_s2c: c.s2c.rec.payload_bytes ?? 0,
        duration: c.e.duration ?? null,
      })),
      availability: availability(cs),
      rarest_first: rarestFirst(cs),
      unchoke_rounds: unchokeRounds(cs),
    });
  }
  const encrypted = records.filter((e) => e.type === 'bittorrent.encrypted' || (e.type === 'bittorrent.connection' && e.encrypted === true));
  return {
    swarms,
    peers_learned: peersLearned(records, conns, context.flows),
    trackers: records.filter((e) => e.type === 'bittorrent.tracker').slice(0, 1000).map((e) => ({
      flow: e.flow,
      frame: e.frame,
      transport: e.transport ?? null,
      message: e.message ?? null,
      action: e.action ?? null,
      info_hash: e.info_hash ?? null,
      event: e.event ?? null,
      interval: e.interval ?? null,
      peers: arr(e.peers).length,
      failure_reason: e.failure_reason ?? null,
    })),
    dht: dhtSummary(records.filter((e) => e.type === 'bittorrent.dht')),
    encrypted_connections: [...new Set(encrypted.map((e) => e.flow))],
  };
}

function side(v: JsonValue | undefined): SideView {
  const rec = obj(v);
  const addr = str(rec.addr);
  const port = Number(rec.port ?? 0);
  return { addr, port, peer: hostPort(addr, port), rec };
}

function bits(hexStr: JsonValue | undefined): Uint8Array | null {
  return typeof hexStr === 'string' && hexStr.length ? Uint8Array.from(Buffer.from(hexStr, 'hex')) : null;
}
const hasBit = (b: Uint8Array, i: number): boolean => ((b[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;

/** Final piece availability across the distinct peers of a swarm. */
function availability(cs: Conn[]): JsonObject {
  const peers = new Map<string, { b: Uint8Array | null; all: boolean }>();
  for (const c of cs) {
    for (const s of [c.c2s, c.s2c]) {
      const b = bits(s.rec.bitfield);
      const all = s.rec.have_all === true;
      const prev = peers.get(s.peer);
      if (!prev || (b && (!prev.b || b.length >= prev.b.length)) || all) peers.set(s.peer, { b: b ?? prev?.b ?? null, all: all || !!prev?.all });
    }
  }
  // Loops, not Math.max(...list): a spread of a long list overflows the stack.
  let pieceCount = 0;
  for (const p of peers.values()) if (p.b) pieceCount = Math.max(pieceCount, p.b.length * 8);
  if (pieceCount === 0) return { pieces: null, peers: peers.size };
  const counts = new Array<number>(pieceCount).fill(0);
  for (const p of peers.values()) for (let i = 0; i < pieceCount; i++) if (p.all || (p.b && hasBit(p.b, i))) counts[i]!++;
  // Trailing zero bits of the last bitfield byte are padding, not pieces nobody has.
  let last = pieceCount;
  while (last > 0 && counts[last - 1] === 0) last--;
  const used = counts.slice(0, last);
  const min = used.reduce((a, b) => Math.min(a, b), Infinity);
  return {
    pieces_seen: last,
    peers: peers.size,
    seeds: [...peers.values()].filter((p) => p.all || (p.b && used.every((_, i) => hasBit(p.b!, i)))).length,
    min_copies: min,
    max_copies: used.reduce((a, b) => Math.max(a, b), -Infinity),
    mean_copies: round(used.reduce((a, b) => a + b, 0) / Math.max(1, used.length)),
    rarest_pieces: used.map((n, i) => [i, n] as const).filter(([, n]) => n === min).slice(0, 32).map(([i]) => i),
    copies: used.length <= 4096 ? used : undefined,
  };
}

interface Timeline {
  readonly t: number;
  readonly kind: 'has' | 'all' | 'request' | 'self_has';
  readonly remote: string;
  readonly piece: number;
  readonly bits?: Uint8Array;
}

/**
 * Replays, per requesting peer, what it knew: remote bitfields and haves, its own haves,
 * and each first request of a piece; counts requests whose piece was among the rarest of
 * the pieces that remote had and the requester lacked.
 */
function rarestFirst(cs: Conn[]): JsonValue[] {
  const byRequester = new Map<string, Timeline[]>();
  const push = (who: string, ev: Timeline): void => {
    const l = byRequester.get(who) ?? [];
    l.push(ev);
    byRequester.set(who, l);
  };
  for (const c of cs) {
    for (const [me, them] of [[c.c2s, c.s2c], [c.s2c, c.c2s]] as const) {
      const reqs = arr(me.rec.first_requests);
      if (reqs.length === 0) continue;
      const who = me.addr;
      const initial = bits(them.rec.initial_bitfield);
      const bt = Number(them.rec.bitfield_ts ?? 0);
      if (them.rec.have_all === true) push(who, { t: bt, kind: 'all', remote: them.peer, piece: -1 });
      else if (initial) push(who, { t: bt, kind: 'has', remote: them.peer, piece: -1, bits: initial });
      for (const h of arr(them.rec.haves)) push(who, { t: Number(arr(h)[0]), kind: 'has', remote: them.peer, piece: Number(arr(h)[1]) });
      for (const h of arr(me.rec.haves)) push(who, { t: Number(arr(h)[0]), kind: 'self_has', remote: '', piece: Number(arr(h)[1]) });
      for (const r of reqs) push(who, { t: Number(arr(r)[0]), kind: 'request', remote: them.peer, piece: Number(arr(r)[1]) });
    }
  }
  const out: JsonValue[] = [];
  for (const [who, events] of [...byRequester].sort((a, b) => a[0].localeCompare(b[0]))) {
    const order = { all: 0, has: 0, self_has: 1, request: 2 } as const;
    events.sort((a, b) => a.t - b.t || order[a.kind] - order[b.kind]);
    const pieces = events.reduce((n, e) => Math.max(n, e.piece + 1, e.bits ? e.bits.length * 8 : 0), 1);
    const requests = events.filter((e) => e.kind === 'request').length;
    if (requests * pieces > MAX_REPLAY_WORK) {
      out.push({ peer: who, requests, rarest_fraction: null, note: 'too large to replay' });
      continue;
    }
    const copies = new Int32Array(pieces);
    const remoteHas = new Map<string, Uint8Array>();
    const seeds = new Set<string>();
    const mine = new Uint8Array(pieces);
    let rarest = 0;
    let counted = 0;
    for (const e of events) {
      if (e.kind === 'all') {
        if (!seeds.has(e.remote)) seeds.add(e.remote);
        continue;
      }
      if (e.kind === 'self_has') {
        if (e.piece < pieces) mine[e.piece] = 1;
        continue;
      }
      const has = remoteHas.get(e.remote) ?? new Uint8Array(pieces);
      remoteHas.set(e.remote, has);
      if (e.kind === 'has') {
        const add = (i: number): void => {
          if (i < pieces && !has[i]) {
            has[i] = 1;
            copies[i]!++;
          }
        };
        if (e.bits) for (let i = 0; i < e.bits.length * 8; i++) if (hasBit(e.bits, i)) add(i);
        if (e.piece >= 0) add(e.piece);
        continue;
      }
      // A request: candidates are pieces this remote has (or all, for a seed) that we lack.
      const isSeed = seeds.has(e.remote);
      let min = Infinity;
      for (let i = 0; i < pieces; i++) {
        if (mine[i] || !(isSeed || has[i])) continue;
        const n = copies[i]! + seeds.size;
        if (n < min) min = n;
      }
      if (min === Infinity || e.piece >= pieces) continue;
      counted++;
      if (copies[e.piece]! + seeds.size === min) rarest++;
    }
    out.push({ peer: who, requests, evaluated: counted, rarest_requests: rarest, rarest_fraction: counted ? round(rarest / counted) : null });
  }
  return out;
}

/** Rounds of choke/unchoke decisions per uploading peer, and which unchokes look optimistic. */
function unchokeRounds(cs: Conn[]): JsonValue[] {
  const byUploader = new Map<string, Array<{ t: number; choking: boolean; remote: string; remoteFirstPayload: number | null }>>();
  for (const c of cs) {
    for (const [me, them] of [[c.c2s, c.s2c], [c.s2c, c.c2s]] as const) {
      const list = byUploader.get(me.addr) ?? [];
      const first = them.rec.first_payload_ts;
      for (const ch of arr(me.rec.choke_changes).map(obj)) {
        list.push({ t: Number(ch.ts), choking: ch.choking === true, remote: them.peer, remoteFirstPayload: typeof first === 'number' ? first : null });
      }
      byUploader.set(me.addr, list);
    }
  }
  const out: JsonValue[] = [];
  for (const [who, changes] of [...byUploader].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (changes.length === 0) continue;
    changes.sort((a, b) => a.t - b.t);
    const rounds: Array<{ t: number; unchoked: string[]; choked: string[]; optimistic: string[] }> = [];
    for (const ch of changes) {
      let r = rounds[rounds.length - 1];
      if (!r || ch.t - r.t > ROUND_GAP) rounds.push((r = { t: ch.t, unchoked: [], choked: [], optimistic: [] }));
      if (ch.choking) r.choked.push(ch.remote);
      else {
        r.unchoked.push(ch.remote);
        // Tit-for-tat unchokes reward peers that upload to us; one that never had is a guess.
        if (ch.remoteFirstPayload === null || ch.remoteFirstPayload > ch.t) r.optimistic.push(ch.remote);
      }
    }
    const gaps = rounds.slice(1).map((r, i) => r.t - rounds[i]!.t);
    const optimisticTimes = rounds.filter((r) => r.optimistic.length).map((r) => r.t);
    const optGaps = optimisticTimes.slice(1).map((t, i) => t - optimisticTimes[i]!);
    out.push({
      peer: who,
      rounds: rounds.length,
      median_interval: gaps.length ? round(median(gaps)) : null,
      median_optimistic_interval: optGaps.length ? round(median(optGaps)) : null,
      timeline: rounds.slice(0, 200).map((r) => ({ ts: r.t, unchoked: r.unchoked, choked: r.choked, optimistic: r.optimistic })),
    });
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Per peer address: the peers it was told about by trackers, by PEX and by the DHT. */
function peersLearned(records: readonly WireEvent[], conns: Conn[], flows: readonly WireEvent[]): JsonValue[] {
  const origOf = new Map<number, string>();
  const respOf = new Map<number, string>();
  for (const f of flows) {
    if (typeof f.flow !== 'number') continue;
    origOf.set(f.flow, str(f.orig_h));
    respOf.set(f.flow, str(f.resp_h));
  }
  const learned = new Map<string, { tracker: Set<string>; pex: Set<string>; dht: Set<string> }>();
  const get = (who: string) => {
    let l = learned.get(who);
    if (!l) learned.set(who, (l = { tracker: new Set(), pex: new Set(), dht: new Set() }));
    return l;
  };
  for (const e of records) {
    const who = typeof e.orig_h === 'string' ? e.orig_h : e.flow !== null ? origOf.get(e.flow) ?? '' : '';
    if (e.type === 'bittorrent.tracker') for (const p of arr(e.peers)) get(who || '?').tracker.add(str(p));
    if (e.type === 'bittorrent.dht' && e.flow !== null) {
      // Whoever receives a get_peers response learns its values.
      const receiver = (e.dir === 's2c' ? origOf : respOf).get(e.flow) ?? '?';
      for (const p of arr(e.values)) get(receiver).dht.add(str(p));
    }
  }
  for (const c of conns) {
    for (const [sender, receiver] of [[c.c2s, c.s2c], [c.s2c, c.c2s]] as const) {
      for (const p of arr(sender.rec.pex_added)) get(receiver.addr).pex.add(str(p));
    }
  }
  return [...learned]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([peer, l]) => ({ peer, from_tracker: [...l.tracker].sort(), from_pex: [...l.pex].sort(), from_dht: [...l.dht].sort().slice(0, 500) }));
}

function dhtSummary(events: readonly WireEvent[]): JsonObject {
  const byMethod: Record<string, number> = {};
  let unanswered = 0;
  const rtts: number[] = [];
  for (const e of events) {
    if (e.y === 'query') byMethod[str(e.method)] = (byMethod[str(e.method)] ?? 0) + 1;
    if (e.y !== 'query' && typeof e.rtt === 'number') rtts.push(e.rtt);
    if (e.y !== 'query' && e.query_frame === null) unanswered++;
  }
  return {
    messages: events.length,
    queries_by_method: Object.fromEntries(Object.entries(byMethod).sort((a, b) => a[0].localeCompare(b[0]))),
    responses_without_query: unanswered,
    median_rtt: rtts.length ? round(median(rtts)) : null,
    info_hashes: [...new Set(events.map((e) => e.info_hash).filter((x): x is string => typeof x === 'string'))].sort(),
  };
}
