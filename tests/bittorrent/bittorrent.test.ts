import bencode from 'bencode';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bittorrentDescriptor } from '../../src/protocols/bittorrent/index.js';
import { decodeBencode, scanBencode } from '../../src/protocols/bittorrent/bencode.js';
import { parseTrackerAnnounce, parseTrackerResponse } from '../../src/protocols/bittorrent/tracker.js';
import { summarizeBittorrent } from '../../src/protocols/bittorrent/summarize.js';
import { comparable, runDatagrams, runStream, type Chunk } from '../support/dissector-harness.js';

const INFO = Buffer.from('e4be9e4db876e3e3179778b03e906297be5c8dbe', 'hex');
const TCP = { flow: { transport: 'tcp' as const, client: { addr: '10.0.0.1', port: 50000 }, server: { addr: '10.0.0.2', port: 6881 } } };

function handshake(peerId: string, reserved = '0000000000100005'): Buffer {
  return Buffer.concat([Buffer.from('\x13BitTorrent protocol', 'latin1'), Buffer.from(reserved, 'hex'), INFO, Buffer.from(peerId, 'latin1')]);
}

function msg(id: number | null, payload: Buffer = Buffer.alloc(0)): Buffer {
  const body = id === null ? Buffer.alloc(0) : Buffer.concat([Buffer.from([id]), payload]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}
const u32 = (...xs: number[]): Buffer => Buffer.concat(xs.map((x) => { const b = Buffer.alloc(4); b.writeUInt32BE(x); return b; }));
const ext = (id: number, value: unknown, tail = Buffer.alloc(0)): Buffer => msg(20, Buffer.concat([Buffer.from([id]), Buffer.from(bencode.encode(value)), tail]));

const conversation = (): Chunk[] => [
  { dir: 'c2s', bytes: Buffer.concat([handshake('-TR3000-abcdefghijkl'), ext(0, { m: { ut_metadata: 3, ut_pex: 1 }, v: 'Transmission 3.00', reqq: 512, metadata_size: 31235 })]) },
  {
    dir: 's2c',
    bytes: Buffer.concat([
      handshake('-qB4250-mnopqrstuvwx'),
      ext(0, { m: { ut_metadata: 2, ut_pex: 4 }, v: 'qBittorrent/4.2.5' }),
      msg(5, Buffer.from([0b10100000])),
      msg(1),
    ]),
  },
  { dir: 'c2s', bytes: Buffer.concat([msg(2), msg(6, u32(2, 0, 16384)), msg(null), ext(4, { added: Buffer.from([10, 0, 0, 9, 0x1a, 0xe1]) })]) },
  { dir: 's2c', bytes: Buffer.concat([msg(7, Buffer.concat([u32(2, 0), Buffer.alloc(16384, 7)])), ext(3, { msg_type: 1, piece: 0, total_size: 31235 }, Buffer.alloc(10))]) },
  { dir: 'c2s', bytes: Buffer.concat([msg(4, u32(2)), msg(8, u32(0, 0, 16384)), msg(14), msg(9, Buffer.from([0x1a, 0xe1])), msg(21, Buffer.from([1, 2]))]) },
];

const of = (events: { type: string }[], type: string) => events.filter((e) => e.type === type) as Record<string, unknown>[];

describe('bencode guard', () => {
  it('finds the end of a value and refuses deep or malformed input', () => {
    expect(scanBencode(Buffer.from('d1:ai1ee1:x'), 0, 4)).toEqual({ end: 8 });
    expect(scanBencode(Buffer.from('l'.repeat(10) + 'e'.repeat(10)), 0, 5)).toMatchObject({ code: 'bittorrent.bencode_depth' });
    // A negative string length sends the bencode package into an endless loop; we refuse it.
    expect(scanBencode(Buffer.from('l-3:e'), 0, 8)).toMatchObject({ code: 'bittorrent.bad_bencode' });
    expect(scanBencode(Buffer.from('d1:a'), 0, 8)).toMatchObject({ code: 'bittorrent.bad_bencode' });
    expect(scanBencode(Buffer.from('di1e1:ae'), 0, 8)).toMatchObject({ code: 'bittorrent.bad_bencode' });
    expect(decodeBencode(Buffer.from('d3:fooi42ee'), 8)).toMatchObject({ end: 11 });
  });
});

describe('peer wire', () => {
  it('decodes the handshake, messages and extended payloads', () => {
    const rec = runStream(bittorrentDescriptor, conversation(), { mode: 'whole' }, TCP);
    const hs = of(rec.events, 'bittorrent.handshake');
    expect(hs.map((h) => [h.dir, h.info_hash, h.peer_id, h.client])).toEqual([
      ['c2s', INFO.toString('hex'), '-TR3000-abcdefghijkl', 'Transmission'],
      ['s2c', INFO.toString('hex'), '-qB4250-mnopqrstuvwx', 'qBittorrent'],
    ]);
    expect(hs[0]!.extensions).toEqual({ extension_protocol: true, dht: true, fast: true });
    // Keep-alives carry no type byte, so they are events of their own (tshark gives them no type either).
    expect(of(rec.events, 'bittorrent.keep_alive')).toHaveLength(1);
    const msgs = of(rec.events, 'bittorrent.message');
    expect(msgs.map((m) => m.msg_type)).toEqual([
      'extended', 'extended', 'bitfield', 'unchoke', 'interested', 'request', 'extended', 'piece', 'extended',
      'have', 'cancel', 'have_all', 'port', '21',
    ]);
    expect(msgs[0]).toMatchObject({ ext_name: 'handshake', v: 'Transmission 3.00', reqq: 512, metadata_size: 31235, m: { ut_metadata: 3, ut_pex: 1 } });
    expect(msgs[5]).toMatchObject({ piece_index: 2, begin: 0, length: 16384 });
    // Sent to the server, so the id comes from the server's handshake (ut_pex = 4).
    expect(msgs[6]).toMatchObject({ ext_name: 'ut_pex', added: ['10.0.0.9:6881'] });
    expect(msgs[7]).toEqual(expect.objectContaining({ msg_type: 'piece', piece_index: 2, begin: 0, length: 16384 }));
    expect(Object.keys(msgs[7]!)).not.toContain('data');
    expect(msgs[8]).toMatchObject({ ext_name: 'ut_metadata', metadata_msg_type: 'data', piece: 0, total_size: 31235, data_length: 10 });
    expect(of(rec.events, 'anomaly')).toEqual([]);
  });

  it('summarises each side of the connection at close', () => {
    const rec = runStream(bittorrentDescriptor, conversation(), { mode: 'whole' }, TCP);
    const [c] = of(rec.events, 'bittorrent.connection');
    expect(c).toMatchObject({ info_hash: INFO.toString('hex'), encrypted: false });
    const c2s = c!.c2s as Record<string, unknown>;
    const s2c = c!.s2c as Record<string, unknown>;
    expect(c2s).toMatchObject({ requests: 1, request_bytes: 16384, cancels: 1, have_all: true, pex_added: ['10.0.0.9:6881'], client_version: 'Transmission 3.00' });
    expect((c2s.interest_changes as unknown[]).length).toBe(1);
    expect(s2c).toMatchObject({ blocks_sent: 1, payload_bytes: 16384, pieces_available: 2, bitfield: 'a0' });
    expect(s2c.choke_changes).toEqual([{ choking: false, frame: 2, ts: 1700000002 }]);
  });

  it('gives identical events whole, byte by byte and at every split point', () => {
    const whole = comparable(runStream(bittorrentDescriptor, conversation(), { mode: 'whole' }, TCP).events);
    expect(comparable(runStream(bittorrentDescriptor, conversation(), { mode: 'bytes' }, TCP).events)).toEqual(whole);
    const longest = Math.max(...conversation().map((c) => (c.bytes as Uint8Array).length));
    for (let at = 1; at < longest; at += at < 200 ? 1 : 97) {
      expect(comparable(runStream(bittorrentDescriptor, conversation(), { mode: 'at', at }, TCP).events)).toEqual(whole);
    }
  });

  it('bounds message lengths and stops that direction', () => {
    const huge = Buffer.concat([handshake('-TR3000-abcdefghijkl'), u32(0x7fffffff), Buffer.from([7])]);
    const rec = runStream(bittorrentDescriptor, [{ dir: 'c2s', bytes: huge }, { dir: 'c2s', bytes: msg(2) }], { mode: 'whole' }, TCP);
    expect(of(rec.events, 'anomaly').map((a) => a.code)).toEqual(['bittorrent.message_too_long']);
    expect(of(rec.events, 'bittorrent.message')).toEqual([]);
  });

  it('reports messages whose length does not fit their type, and bencode too deep', () => {
    const deep = Buffer.from('l'.repeat(100) + 'e'.repeat(100));
    const rec = runStream(
      bittorrentDescriptor,
      [{ dir: 'c2s', bytes: Buffer.concat([handshake('-TR3000-abcdefghijkl'), msg(4, Buffer.from([1, 2])), msg(20, Buffer.concat([Buffer.from([0]), deep]))]) }],
      { mode: 'whole' },
      TCP,
    );
    expect(of(rec.events, 'anomaly').map((a) => a.code)).toEqual(['bittorrent.bad_message', 'bittorrent.bencode_depth']);
  });

  it('rejects a stream that is not a handshake, and marks MSE as encrypted', () => {
    const bad = runStream(bittorrentDescriptor, [{ dir: 'c2s', bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n') }], { mode: 'whole' }, TCP);
    expect(of(bad.events, 'anomaly').map((a) => a.code)).toEqual(['bittorrent.bad_handshake']);
    const random = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 167 + 13 + ((i * i) >> 3)) & 0xff));
    const enc = runStream(bittorrentDescriptor, [{ dir: 'c2s', bytes: random }, { dir: 's2c', bytes: random.subarray(0, 120) }], { mode: 'whole' }, TCP);
    expect(of(enc.events, 'bittorrent.encrypted')).toHaveLength(1);
    expect(of(enc.events, 'anomaly')).toEqual([]);
    expect(of(enc.events, 'bittorrent.connection')[0]).toMatchObject({ encrypted: true });
  });

  it('probes the handshake on any port and MSE only on BitTorrent ports', () => {
    const flow = { ...TCP.flow, id: 1, ip_version: 4 as const, community_id: '', server: { addr: '10.0.0.2', port: 443 } };
    expect(bittorrentDescriptor.probe(handshake('x'.repeat(20)), 'c2s', flow)).toBe('match');
    expect(bittorrentDescriptor.probe(Buffer.from('\x13BitTor', 'latin1'), 'c2s', flow)).toBe('need_more');
    expect(bittorrentDescriptor.probe(Buffer.from('GET /'), 'c2s', flow)).toBe('no');
    const random = Buffer.from(Array.from({ length: 120 }, (_, i) => (i * 167 + 13 + ((i * i) >> 3)) & 0xff));
    expect(bittorrentDescriptor.probe(random, 'c2s', flow)).toBe('no');
    expect(bittorrentDescriptor.probe(random, 'c2s', { ...flow, server: { addr: '10.0.0.2', port: 51413 } })).toBe('match');
  });
});

describe('trackers', () => {
  it('parses an announce URI (from the corpus capture)', () => {
    const uri =
      '/announce?info_hash=%e4%be%9eM%b8v%e3%e3%17%97x%b0%3e%90b%97%be%5c%8d%be&peer_id=-DE13F0-VnpZRF8ZP9iv&port=63448&uploaded=0&downloaded=0&left=1921843200&corrupt=0&key=764CA003&event=started&numwant=200&compact=1&no_peer_id=1';
    expect(parseTrackerAnnounce(uri)).toMatchObject({
      action: 'announce',
      info_hash: INFO.toString('hex'),
      peer_id: '-DE13F0-VnpZRF8ZP9iv',
      client: 'Deluge',
      port: 63448,
      uploaded: 0,
      downloaded: 0,
      left: 1921843200,
      event: 'started',
      compact: true,
      numwant: 200,
    });
    expect(parseTrackerAnnounce('/index.html')).toBeNull();
    expect(parseTrackerAnnounce('/scrape?info_hash=%e4%be%9eM%b8v%e3%e3%17%97x%b0%3e%90b%97%be%5c%8d%be')).toMatchObject({ action: 'scrape', info_hashes: [INFO.toString('hex')] });
  });

  it('parses compact, dictionary, IPv6 and failure responses', () => {
    const compact = parseTrackerResponse(bencode.encode({ interval: 1800, 'min interval': 900, complete: 3, incomplete: 1, peers: Buffer.from([192, 0, 2, 1, 0x1a, 0xe1]), peers6: Buffer.concat([Buffer.from('20010db8000000000000000000000001', 'hex'), Buffer.from([0x1a, 0xe2])]) }));
    expect(compact).toMatchObject({ interval: 1800, min_interval: 900, complete: 3, incomplete: 1, peers: ['192.0.2.1:6881', '[2001:db8::1]:6882'], peers_form: 'compact', problem: null });
    const dict = parseTrackerResponse(bencode.encode({ interval: 60, peers: [{ ip: '192.0.2.7', port: 51413, 'peer id': 'x'.repeat(20) }] }));
    expect(dict).toMatchObject({ peers: ['192.0.2.7:51413'], peers_form: 'dictionary' });
    expect(parseTrackerResponse(bencode.encode({ 'failure reason': 'unregistered torrent' }))).toMatchObject({ failure_reason: 'unregistered torrent' });
    expect(parseTrackerResponse(Buffer.from('<html>'))).toMatchObject({ problem: expect.any(String) });
  });

  it('pairs UDP tracker connect and announce (BEP 15)', () => {
    const flow = { transport: 'udp' as const, client: { addr: '10.0.0.1', port: 40000 }, server: { addr: '10.0.0.3', port: 6969 } };
    const connect = Buffer.concat([Buffer.from('0000041727101980', 'hex'), u32(0, 0xabcd)]);
    const connected = Buffer.concat([u32(0, 0xabcd), Buffer.from('1122334455667788', 'hex')]);
    const announce = Buffer.concat([Buffer.from('1122334455667788', 'hex'), u32(1, 0xbeef), INFO, Buffer.from('-TR3000-abcdefghijkl'), Buffer.alloc(8), Buffer.from('0000000000001000', 'hex'), Buffer.alloc(8), u32(2, 0, 7), u32(0xffffffff), Buffer.from([0x1a, 0xe1])]);
    const announced = Buffer.concat([u32(1, 0xbeef, 1800, 1, 2), Buffer.from([192, 0, 2, 1, 0x1a, 0xe1])]);
    const rec = runDatagrams(bittorrentDescriptor, [
      { dir: 'c2s', bytes: connect },
      { dir: 's2c', bytes: connected },
      { dir: 'c2s', bytes: announce },
      { dir: 's2c', bytes: announced },
    ], { flow });
    const t = of(rec.events, 'bittorrent.tracker');
    expect(t.map((e) => [e.message, e.action, e.query_frame ?? null])).toEqual([
      ['request', 'connect', null],
      ['response', 'connect', 1],
      ['request', 'announce', null],
      ['response', 'announce', 3],
    ]);
    expect(t[2]).toMatchObject({ info_hash: INFO.toString('hex'), left: 4096, event: 'started', numwant: -1, port: 6881 });
    expect(t[3]).toMatchObject({ interval: 1800, leechers: 1, seeders: 2, peers: ['192.0.2.1:6881'], info_hash: INFO.toString('hex') });
    expect(bittorrentDescriptor.probe(connect, 'c2s', { ...flow, id: 1, ip_version: 4, community_id: '' })).toBe('match');
  });
});

describe('DHT', () => {
  it('pairs KRPC queries and responses by transaction id, both ways', () => {
    const flow = { transport: 'udp' as const, client: { addr: '10.0.0.1', port: 6881 }, server: { addr: '10.0.0.4', port: 6881 } };
    const id = Buffer.alloc(20, 1);
    const q = bencode.encode({ t: 'aa', y: 'q', q: 'get_peers', a: { id, info_hash: INFO }, v: Buffer.from([0x55, 0x54, 1, 2]) });
    const r = bencode.encode({ t: 'aa', y: 'r', r: { id: Buffer.alloc(20, 2), token: 'tok', values: [Buffer.from([192, 0, 2, 9, 0x1a, 0xe1])], nodes: Buffer.concat([Buffer.alloc(20, 3), Buffer.from([192, 0, 2, 10, 0x1a, 0xe1])]) } });
    const ping = bencode.encode({ t: 'bb', y: 'q', q: 'ping', a: { id } });
    const err = bencode.encode({ t: 'bb', y: 'e', e: [201, 'A Generic Error Ocurred'] });
    const rec = runDatagrams(bittorrentDescriptor, [
      { dir: 'c2s', bytes: q },
      { dir: 's2c', bytes: r },
      { dir: 's2c', bytes: ping },
      { dir: 'c2s', bytes: err },
    ], { flow });
    const d = of(rec.events, 'bittorrent.dht');
    expect(d.map((e) => [e.y, e.method, e.query_frame ?? null])).toEqual([
      ['query', 'get_peers', null],
      ['response', 'get_peers', 1],
      ['query', 'ping', null],
      ['error', 'ping', 3],
    ]);
    expect(d[0]).toMatchObject({ info_hash: INFO.toString('hex'), client_version: 'UT 1.2' });
    expect(d[1]).toMatchObject({ values: ['192.0.2.9:6881'], nodes_count: 1, token: Buffer.from('tok').toString('hex') });
    expect(d[3]).toMatchObject({ error_code: 201, error_message: 'A Generic Error Ocurred' });
    expect(of(rec.events, 'anomaly')).toEqual([]);
  });
});

describe('swarm summary', () => {
  it('computes availability, rarest-first and unchoke rounds from connection records', () => {
    const rec = runStream(bittorrentDescriptor, conversation(), { mode: 'whole' }, TCP);
    const summary = summarizeBittorrent(rec.events as never, { flows: [] });
    const [swarm] = summary.swarms as Array<Record<string, unknown>>;
    expect(swarm).toMatchObject({ info_hash: INFO.toString('hex') });
    // The client ends with have_all, so every piece of the 8-bit bitfield has a copy; 0 and 2 have two.
    expect(swarm!.availability).toMatchObject({ pieces_seen: 8, peers: 2, min_copies: 1, max_copies: 2, seeds: 1 });
    // The client asked for piece 2 when the server had pieces 0 and 2, each with one copy: rarest.
    expect(swarm!.rarest_first).toEqual([{ peer: '10.0.0.1', requests: 1, evaluated: 1, rarest_requests: 1, rarest_fraction: 1 }]);
    const rounds = swarm!.unchoke_rounds as Array<Record<string, unknown>>;
    expect(rounds[0]).toMatchObject({ peer: '10.0.0.2', rounds: 1 });
    expect(summary.peers_learned).toEqual([{ peer: '10.0.0.2', from_tracker: [], from_pex: ['10.0.0.9:6881'], from_dht: [] }]);
  });
});

describe('MSE/PE', () => {
  // 96 bytes that look random (a hash chain), as a Diffie-Hellman public key does.
  const randomLooking = (seed: string, n: number): Buffer => {
    const out: Buffer[] = [];
    let h: Buffer = Buffer.from(seed);
    while (Buffer.concat(out).length < n) out.push((h = createHash('sha256').update(h).digest()));
    return Buffer.concat(out).subarray(0, n);
  };
  const msg = (id: number) => Buffer.from([0, 0, 0, 1, id]);

  it('marks an encrypted connection and parses nothing from it', () => {
    const rec = runStream(bittorrentDescriptor, [
      { dir: 'c2s', bytes: randomLooking('a', 200) },
      { dir: 's2c', bytes: randomLooking('b', 180) },
      { dir: 'c2s', bytes: randomLooking('c', 300) },
    ], { mode: 'whole' }, TCP);
    expect(rec.events.filter((e) => e.type === 'bittorrent.encrypted')).toHaveLength(1);
    expect(rec.events.filter((e) => e.type === 'bittorrent.message')).toEqual([]);
    expect(rec.events.find((e) => e.type === 'bittorrent.connection')).toMatchObject({ encrypted: true });
  });

  it('finds the plaintext handshake that follows a key exchange negotiating plaintext, at any split', () => {
    const chunks: Chunk[] = [
      { dir: 'c2s', bytes: Buffer.concat([randomLooking('a', 150), handshake('-TR3000-abcdefghijkl'), msg(2)]) },
      { dir: 's2c', bytes: Buffer.concat([randomLooking('b', 130), handshake('-qB4250-mnopqrstuvwx'), msg(1)]) },
    ];
    const whole = runStream(bittorrentDescriptor, chunks, { mode: 'whole' }, TCP);
    expect(whole.events.filter((e) => e.type === 'bittorrent.handshake')).toHaveLength(2);
    expect(whole.events.filter((e) => e.type === 'bittorrent.message').map((e) => e.msg_type)).toEqual(['interested', 'unchoke']);
    expect(whole.events.find((e) => e.type === 'bittorrent.connection')).toMatchObject({ encrypted: false, mse_plaintext: true });
    for (const at of [1, 95, 96, 150, 160, 169, 170, 200]) {
      expect(comparable(runStream(bittorrentDescriptor, chunks, { mode: 'at', at }, TCP).events)).toEqual(comparable(whole.events));
    }
  });
});
