/**
 * QUIC and HTTP/3 on the project's real captures (ngtcp2's gtlsserver and gtlsclient over
 * loopback, scripts/captures/quic.sh): what each was recorded to show, without keys, with
 * the key log, and with the key log embedded in the pcapng; and tshark 4.0 with the same
 * key log agreeing on the TLS hellos and on every HTTP/3 frame it decodes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { buildLadder, ladderEvents } from '../../src/tui/model/ladder.js';
import { labelOf } from '../../src/tui/model/labels.js';
import { ensureBuilt, wirelens } from '../cli/cli-support.js';
import { FIDELITY, judge, type FidelityRun } from '../oracle/fidelity.js';
import { describeWith, REPO } from '../support/requires.js';

const DIR = join(REPO, 'captures');
const file = (f: string) => join(DIR, f);
const has = (...f: string[]) => f.every((x) => existsSync(file(x)));
const ofType = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const codes = (events: WireEvent[]) => ofType(events, 'anomaly').map((e) => e['code']);
const keyed = (name: string) => analyzeFile(file(`${name}.pcap`), { keylog: readFileSync(file(`${name}.keys`)), wantsObjects: true });

/** What gtlsclient asked for (scripts/captures/quic.sh) and the sizes of the served files. */
const ASKED = [
  ['/index.html', 200, 51],
  ['/small.txt', 200, 900],
  ['/medium.bin', 200, 12000],
  ['/large.bin', 200, 100000],
  ['/missing.txt', 404, 146],
];

describe.skipIf(!has('quic-h3-nokeys.pcap', 'quic-h3-requests.pcap', 'quic-h3-requests.keys'))('QUIC captures', () => {
  it('without keys: the hellos from the Initial packets, the rest counted', async () => {
    const { events } = await analyzeFile(file('quic-h3-nokeys.pcap'));
    expect(ofType(events, 'tls.client_hello')).toMatchObject([{ frame: 1, server_name: 'localhost', alpn: ['h3'], record_version: null }]);
    expect(ofType(events, 'tls.server_hello')).toMatchObject([{ frame: 2, version_code: 772, cipher_suite: 4865 }]);
    const conn = ofType(events, 'quic.connection')[0]!;
    expect(conn).toMatchObject({ version: '1', client_protocol: 'h3', decrypted: false, established: true, decrypted_packets: 3 });
    expect(Number(conn['c2s_packets']) + Number(conn['s2c_packets'])).toBe(Number(conn['decrypted_packets']) + Number(conn['undecrypted_packets']));
    expect(codes(events)).toEqual([]);
    expect(ofType(events, 'flow.end')[0]).toMatchObject({ service: 'quic', summary: 'QUIC 1 localhost h3' });
  });

  it('with the key log: every packet opened, five HTTP/3 transactions as asked, bodies exported', async () => {
    const { events, objects } = await keyed('quic-h3-requests');
    expect(codes(events)).toEqual([]);
    const tx = ofType(events, 'http.transaction');
    expect(tx.map((t) => [t['uri'], t['status_code'], t['response_body_len']])).toEqual(ASKED);
    for (const t of tx) expect(t).toMatchObject({ version: '3', method: 'GET', host: 'test.wirelens:4433' });
    expect(ofType(events, 'quic.connection')[0]).toMatchObject({ decrypted: true, undecrypted_packets: 0, server_protocol: 'h3', handshake_done: true, close: { error_name: 'H3_NO_ERROR' } });
    expect(ofType(events, 'tls.session')[0]).toMatchObject({ next_protocol: 'h3', established: true });
    expect(objects.filter((o) => o.protocol === 'http').map((o) => o.data.length).sort((a, b) => a - b)).toEqual([51, 146, 900, 12000, 100000]);
    expect(ofType(events, 'flow.end')[0]!['service']).toBe('quic,http3');
  });

  it('the ladder draws HTTP/3 per stream, not QUIC packets', async () => {
    const { events } = await keyed('quic-h3-requests');
    const drawn = ladderEvents(events.filter((e) => e.flow === 1));
    expect(drawn.some((e) => e.type === 'quic.packet')).toBe(false);
    expect(drawn.some((e) => e.type === 'http3.frame' && e['frame_type'] === 'HEADERS')).toBe(false);
    const labels = drawn.filter((e) => e.type === 'http3.headers').map(labelOf);
    expect(labels.slice(0, 2)).toEqual(['HEADERS s0 GET /index.html', 'HEADERS s4 GET /small.txt']);
    expect(labels).toContain('HEADERS s16 404');
    const text = buildLadder(events.filter((e) => e.flow === 1), { width: 100, start: null, client: 'c', server: 's' })
      .map((l) => l.segs.map((x) => x.text).join(''))
      .join('\n');
    expect(text).toContain('DATA s12 100000 B');
  });

  it('the key log embedded as a pcapng secrets block decrypts with no option, event for event', async () => {
    if (!has('quic-h3-requests-dsb.pcapng')) return;
    const a = (await keyed('quic-h3-requests')).events.filter((e) => e.type !== 'capture.summary');
    const b = (await analyzeFile(file('quic-h3-requests-dsb.pcapng'))).events.filter((e) => e.type !== 'capture.summary');
    expect(b).toEqual(a);
  });

  it('Retry and key updates: the second Initial opened with the Retry connection ID, both key phases read', async () => {
    if (!has('quic-retry-keyupdate.pcap', 'quic-retry-keyupdate.keys')) return;
    const { events } = await keyed('quic-retry-keyupdate');
    expect(codes(events)).toEqual([]);
    const conn = ofType(events, 'quic.connection')[0]!;
    expect(conn).toMatchObject({ retry: true, undecrypted_packets: 0, c2s_key_updates: 1, s2c_key_updates: 1 });
    expect(String(conn['history'])).toMatch(/^IS?r/);
    const phases = new Set(ofType(events, 'quic.packet').map((e) => e['key_phase']));
    expect(phases).toEqual(new Set([null, 0, 1]));
    expect(ofType(events, 'http.transaction').map((t) => [t['uri'], t['status_code'], t['response_body_len']])).toEqual([['/large.bin', 200, 100000]]);
  });

  it('segmentation offload batches (one captured datagram, several packets) are split and read', async () => {
    if (!has('quic-h3-gso.pcap', 'quic-h3-gso.keys')) return;
    const { events } = await keyed('quic-h3-gso');
    expect(codes(events)).toEqual([]);
    expect(ofType(events, 'quic.connection')[0]).toMatchObject({ gso_datagrams: 4, undecrypted_packets: 0 });
    expect(ofType(events, 'http.transaction').map((t) => [t['uri'], t['status_code'], t['response_body_len']])).toEqual([
      ['/large.bin', 200, 100000],
      ['/medium.bin', 200, 12000],
    ]);
    // Without keys the batches are split too (the connection ID is in clear): no bad packets.
    const clear = (await analyzeFile(file('quic-h3-gso.pcap'))).events;
    expect(codes(clear)).toEqual([]);
    expect(ofType(clear, 'quic.connection')[0]).toMatchObject({ gso_datagrams: 4 });
  });

  it('0-RTT: the resumed connection sends its request before the handshake ends, opened with the early secret', async () => {
    if (!has('quic-0rtt.pcap', 'quic-0rtt.keys')) return;
    const { events } = await keyed('quic-0rtt');
    expect(codes(events)).toEqual([]);
    expect(ofType(events, 'quic.connection').map((c) => [c['history'], c['undecrypted_packets']])).toEqual([
      ['ISishHC', 0],
      ['ISZishHC', 0],
    ]);
    expect(ofType(events, 'quic.packet').filter((e) => e['packet_type'] === '0rtt').map((e) => [e.frame, e['decrypted']])).toEqual([[14, true]]);
    expect(ofType(events, 'tls.session').map((s) => s['resumed'])).toEqual([false, true]);
    // The second request's HEADERS came in the 0-RTT packet (frame 14).
    expect(ofType(events, 'http.transaction').map((t) => [t.flow, t['uri'], t['status_code'], t['response_body_len'], t['request_frame']])).toEqual([
      [1, '/index.html', 200, 51, 4],
      [2, '/small.txt', 200, 900, 14],
    ]);
  });

  it('migration: the new path is tied to its connection by connection ID, decrypted, its streams continued', async () => {
    if (!has('quic-migration.pcap', 'quic-migration.keys')) return;
    const { events } = await keyed('quic-migration');
    const flows = ofType(events, 'flow.end');
    // Two UDP flows, as tshark's udp.stream counts them; the second is the path the client moved to.
    expect(flows.map((f) => [f.flow, f.service])).toEqual([
      [1, 'quic,http3'],
      [2, 'quic'],
    ]);
    expect(flows[1]!.summary).toBe('QUIC path of the connection from 127.0.0.1:49918 (migrated)');
    // One connection record, in the first flow, naming the path.
    const [conn, ...more] = ofType(events, 'quic.connection');
    expect(more).toEqual([]);
    expect(conn!.flow).toBe(1);
    expect(conn!.undecrypted_packets).toBe(0);
    expect(conn!.paths).toEqual([{ flow: 2, first_frame: flows[1]!.first_frame, client_h: '127.0.0.1', client_p: flows[1]!.orig_p, server_h: '127.0.0.1', server_p: 4433 }]);
    // Every packet of the new path is read as the connection's, and says where it came from.
    const onPath = ofType(events, 'quic.packet').filter((e) => e.path_flow === 2);
    expect(onPath.length).toBe(Number(flows[1]!.orig_pkts) + Number(flows[1]!.resp_pkts));
    expect(onPath.every((e) => e.flow === 1 && e.decrypted === true)).toBe(true);
    // The path is validated (PATH_CHALLENGE, PATH_RESPONSE) with an ID the server announced.
    const frames = ofType(events, 'quic.frame');
    const announced = frames.filter((e) => e.frame_type === 'NEW_CONNECTION_ID' && e.dir === 's2c').map((e) => e.connection_id);
    expect(announced).toContain(onPath.find((e) => e.dir === 'c2s')!.dcid);
    expect(frames.some((e) => e.frame_type === 'PATH_CHALLENGE' && e.path_flow === undefined && onPath.some((p) => p.frame === e.frame))).toBe(true);
    expect(frames.some((e) => e.frame_type === 'PATH_RESPONSE' && onPath.some((p) => p.frame === e.frame))).toBe(true);
    // /large.bin began on the first path and ended on the second: one whole response.
    const tx = ofType(events, 'http.transaction').map((e) => [e.uri, e.status_code, e.response_body_len]);
    expect(tx).toEqual([
      ['/small.txt', 200, 900],
      ['/large.bin', 200, 100000],
    ]);
    const carriesStream = (e: WireEvent) => e.dir === 's2c' && Array.isArray(e.frames) && e.frames.some((f) => String(f).startsWith('STREAM'));
    expect(ofType(events, 'quic.packet').some((e) => carriesStream(e) && e.path_flow === undefined)).toBe(true);
    expect(onPath.some(carriesStream)).toBe(true);
    // Without keys a path is found only by a connection ID seen in clear (the handshake's, which
    // a NAT rebinding keeps); here the client switched to one announced inside 1-RTT packets,
    // so the new path cannot be tied and the connection names none.
    const clear = (await analyzeFile(file('quic-migration.pcap'))).events;
    expect(ofType(clear, 'quic.connection').map((e) => [e.flow, e.paths])).toEqual([[1, undefined]]);
    expect(ofType(clear, 'quic.packet').some((e) => e.path_flow !== undefined)).toBe(false);
  });

  it('NAT rebinding without keys: the new port is tied by the handshake connection ID seen in clear', async () => {
    if (!has('quic-nat-rebinding.pcap')) return;
    const { events } = await analyzeFile(file('quic-nat-rebinding.pcap'));
    const flows = ofType(events, 'flow.end');
    expect(flows.map((f) => [f.flow, f.service, f.summary])).toEqual([
      [1, 'quic', 'QUIC 1 localhost h3 migrated to 127.0.0.1:39968'],
      [2, 'quic', 'QUIC path of the connection from 127.0.0.1:35684 (migrated)'],
    ]);
    const [conn, ...more] = ofType(events, 'quic.connection');
    expect(more).toEqual([]);
    expect(conn!.paths).toEqual([{ flow: 2, first_frame: flows[1]!.first_frame, client_h: '127.0.0.1', client_p: flows[1]!.orig_p, server_h: '127.0.0.1', server_p: 4433 }]);
    // The connection counts the packets of both paths; each flow counts its own, as tshark's udp.stream.
    const pkts = (f: WireEvent) => Number(f.orig_pkts) + Number(f.resp_pkts);
    expect(Number(conn!.c2s_datagrams) + Number(conn!.s2c_datagrams)).toBe(pkts(flows[0]!) + pkts(flows[1]!));
    const onPath = ofType(events, 'quic.packet').filter((e) => e.path_flow === 2);
    expect(onPath.length).toBe(pkts(flows[1]!));
    expect(new Set(onPath.map((e) => e.dcid)).size).toBe(2); // the server's handshake SCID one way, the client's the other
    expect(onPath.every((e) => e.flow === 1 && e.packet_type === '1rtt')).toBe(true);
  });

  it("QUIC v2 as ngtcp2 0.12 speaks it (draft 0x709a50c4): the draft's salt opens the Initials, the key log the rest", async () => {
    if (!has('quic-v2draft.pcap', 'quic-v2draft.keys')) return;
    const clear = (await analyzeFile(file('quic-v2draft.pcap'))).events;
    // Without keys: v2 packet type numbers read right, and the hellos from the Initials.
    const initials = ofType(clear, 'quic.packet').filter((e) => e.packet_type === 'initial');
    expect(initials.length).toBeGreaterThan(1);
    expect(initials.every((e) => e.version === 'quicv2-draft' && e.decrypted === true)).toBe(true);
    expect(ofType(clear, 'tls.client_hello').map((e) => e.alpn)).toEqual([['h3']]);
    expect(ofType(clear, 'tls.server_hello').length).toBe(1);
    const { events } = await keyed('quic-v2draft');
    const [conn] = ofType(events, 'quic.connection');
    expect(conn).toMatchObject({ version: 'quicv2-draft', version_code: 0x709a50c4, undecrypted_packets: 0, established: true });
    expect(ofType(events, 'http.transaction').map((e) => [e.uri, e.status_code, e.response_body_len])).toEqual([['/small.txt', 200, 900]]);
    expect(codes(events)).toEqual([]);
  });

  it('Version Negotiation: the reserved-version Initial and the versions offered', async () => {
    if (!has('quic-version-negotiation.pcap')) return;
    const { events } = await analyzeFile(file('quic-version-negotiation.pcap'));
    expect(ofType(events, 'quic.packet').map((e) => [e['dir'], e['packet_type']])).toEqual([
      ['c2s', 'initial'],
      ['s2c', 'version_negotiation'],
    ]);
    expect(ofType(events, 'quic.connection')[0]).toMatchObject({ version: 'reserved (0x1a2a3a4a)', version_negotiation: true, offered_versions: ['reserved (0x4ada3a2a)', '1'] });
    expect(ofType(events, 'tls.client_hello')).toHaveLength(1);
  });
});

describe.skipIf(!has('quic-h3-requests-dsb.pcapng'))('wirelens packets on QUIC', () => {
  beforeAll(() => ensureBuilt());
  it('names QUIC packets as tshark does, HTTP/3 where a frame carries it', () => {
    const lines = wirelens(['packets', file('quic-h3-requests-dsb.pcapng')]).stdout.toString('utf8').split('\n');
    expect(lines[0]).toMatch(/QUIC\s+1242 Initial, DCID=c1139d7cd961adb421e979c67a07313143c0, SCID=316f14fe948bc718a831459d5021023bb3, PKN: 0, CRYPTO, PADDING$/);
    expect(lines[1]).toMatch(/HTTP3\s+1242 Initial, .* Handshake, .* Protected Payload \(KP0\), DCID=316f14fe948bc718a831459d5021023bb3, PKN: 0, STREAM, STREAM, STREAM, PADDING , SETTINGS$/);
  });
});

describeWith(['tshark', 'fidelity'], 'QUIC against tshark with the same key log', () => {
  beforeAll(() => ensureBuilt());
  const keyedCaptures = ['quic-h3-requests', 'quic-retry-keyupdate', 'quic-h3-gso', 'quic-0rtt', 'quic-migration'].filter((n) => has(`${n}.pcap`, `${n}.keys`));

  it.each(keyedCaptures)('%s: every hello and HTTP/3 frame tshark decodes, wirelens finds', (name) => {
    const keys = file(`${name}.keys`);
    const args = [FIDELITY, '--json', '--timeout', '120', '--wirelens', join(REPO, 'bin', 'wirelens'), `--tshark-arg=-otls.keylog_file:${keys}`, '--wirelens-arg=--keylog', `--wirelens-arg=${keys}`, file(`${name}.pcap`)];
    const run = JSON.parse(execFileSync('python3', args, { encoding: 'utf8', maxBuffer: 1 << 26, cwd: REPO })) as FidelityRun;
    const { unexplained, totals } = judge(run);
    // Disagreements are listed in tests/oracle/known-differences.md with their evidence.
    expect(unexplained).toEqual([]);
    const hellos = name === 'quic-0rtt' ? 4 : 2;
    expect(totals['tls']).toMatchObject({ tshark: hellos, matched: hellos, wirelens: hellos });
    expect(totals['http3']!.tshark).toBeGreaterThan(0);
  });
});
