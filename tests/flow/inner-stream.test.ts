/**
 * The inner-stream stage (`ctx.openInner`), with a test-only layer that XORs real captures'
 * TCP payloads (tests/support/xor-layer.ts): HTTP/1.1 and HTTP/2 transactions, credentials,
 * h2c upgrades and exported objects come out of the inner stream as they come out of the
 * plain capture, with the same frames, marked `xor: true`; split points, gaps, a throwing
 * inner dissector and the engine closing inner streams with the flow.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolDescriptor } from '../../src/dissect/contract.js';
import type { Direction, WireEvent } from '../../src/events/event.js';
import { CORE_ANOMALIES } from '../../src/events/anomalies.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { PROTOCOLS } from '../../src/protocols/index.js';
import { followStream } from '../../src/cli/commands/follow.js';
import { loadStream } from '../../src/tui/model/stream.js';
import { xorCapture, xorLayer, type XorOptions } from '../support/xor-layer.js';

const capture = (name: string) => new URL(`../../captures/${name}`, import.meta.url).pathname;

/** Events the engine itself emits (not a dissector): they carry no layer marker. */
const fromEngine = (e: WireEvent) =>
  e.type === 'flow.end' || e.type === 'capture.summary' || e.type === 'tcp.analysis' || e.type === 'tcp.connection' || (e.type === 'anomaly' && String(e.code) in CORE_ANOMALIES);

const json = (e: WireEvent) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>;

/** The dissectors' events of a run, with the marker checked and taken off. */
function innerEvents(events: WireEvent[], via = 'xor'): Record<string, unknown>[] {
  return events.filter((e) => !fromEngine(e)).map((e) => {
    const { [via]: mark, ...rest } = json(e);
    expect(mark, `${e.type} at frame ${e.frame} carries ${via}: true`).toBe(true);
    return rest;
  });
}

const plainEvents = (events: WireEvent[]) => events.filter((e) => !fromEngine(e)).map(json);

async function both(name: string, opts: XorOptions = {}, wantsObjects = false) {
  const plain = await analyzeFile(capture(name), { wantsObjects });
  const xored = await analyzeFile(await xorCapture(capture(name)), { protocols: [xorLayer(opts), ...PROTOCOLS], wantsObjects });
  return { plain, xored };
}

const services = (events: WireEvent[]) => events.filter((e) => e.type === 'flow.end').map((e) => e.service);

describe('inner streams: every dissector works unchanged behind a transforming layer', () => {
  it('HTTP/1.1 with Basic credentials: same transactions and credentials, same frames, marked', async () => {
    const { plain, xored } = await both('http-basic-auth.pcap');
    expect(plain.events.some((e) => e.type === 'credentials')).toBe(true);
    expect(innerEvents(xored.events)).toEqual(plainEvents(plain.events));
    expect(services(xored.events)).toEqual(services(plain.events).map((s) => `xor,${s}`));
  });

  it('HTTP/2 with prior knowledge, by detection and named (ALPN)', async () => {
    for (const opts of [{}, { protocol: 'http2' }]) {
      const { plain, xored } = await both('http2-nginx-prior-knowledge.pcap', opts);
      expect(plain.events.filter((e) => e.type.startsWith('http2.')).length).toBeGreaterThan(3);
      expect(innerEvents(xored.events)).toEqual(plainEvents(plain.events));
      expect(services(xored.events)).toEqual(['xor,http2']);
    }
  });

  it('an h2c upgrade inside the inner stream switches protocol there', async () => {
    const { plain, xored } = await both('http2-upgrade-h2c-curl.pcap');
    expect(plain.events.some((e) => e.type.startsWith('http2.'))).toBe(true);
    expect(innerEvents(xored.events)).toEqual(plainEvents(plain.events));
    expect(services(xored.events)).toEqual(services(plain.events).map((s) => `xor,${s}`));
  });

  it('exported objects come out whole, with the frame that completed them', async () => {
    for (const name of ['http-post.pcap', 'http-chunked-gzip.pcap']) {
      const { plain, xored } = await both(name, {}, true);
      expect(plain.objects.length).toBeGreaterThan(0);
      expect(xored.objects.map((o) => ({ ...o, data: Buffer.from(o.data).toString('base64') }))).toEqual(
        plain.objects.map((o) => ({ ...o, data: Buffer.from(o.data).toString('base64') })),
      );
    }
  });

  it('the split of the plaintext does not change what is found', async () => {
    const { plain } = await both('http-basic-auth.pcap');
    const want = plainEvents(plain.events);
    const xorFile = await xorCapture(capture('http-basic-auth.pcap'));
    for (const piece of [1, 2, 7, 100]) {
      const { events } = await analyzeFile(xorFile, { protocols: [xorLayer({ piece }), ...PROTOCOLS] });
      expect(innerEvents(events), `pieces of ${piece}`).toEqual(want);
    }
  });
});

describe('inner streams: what goes wrong is visible', () => {
  let xorFile: string;
  beforeAll(async () => {
    xorFile = await xorCapture(capture('http-basic-auth.pcap'));
  });

  it('a gap inside the inner stream reaches the inner dissector as a gap', async () => {
    // 10 bytes of each request line are lost after `GET /`: HTTP says so and still reads the responses.
    const { events } = await analyzeFile(xorFile, { protocols: [xorLayer({ gapAt: { offset: 5, length: 10 } }), ...PROTOCOLS] });
    const inner = events.filter((e) => !fromEngine(e));
    expect(inner.every((e) => e.xor === true)).toBe(true);
    expect(events.some((e) => e.type === 'anomaly' && e.code === 'tcp.gap')).toBe(false);
    const gaps = inner.filter((e) => e.type === 'anomaly' && e.code === 'http.body_gap');
    expect(gaps.map((e) => [e.flow, e.dir])).toEqual([
      [1, 'c2s'],
      [2, 'c2s'],
      [3, 'c2s'],
    ]);
    expect(inner.filter((e) => e.type === 'http.response').map((e) => e.status_code)).toEqual([401, 401, 200]);
    expect(inner.some((e) => e.type === 'credentials')).toBe(false);
  });

  it('an inner dissector that throws is detached with dissect.error; the outer layer goes on', async () => {
    const boom: ProtocolDescriptor = {
      name: 'boom',
      transports: ['tcp'],
      ports: [],
      probe: () => 'no',
      createStream: () => ({
        data(dir: Direction) {
          if (dir === 's2c') throw new Error('inner bug');
        },
        gap() {},
        close() {},
      }),
      anomalies: {},
    };
    const { events } = await analyzeFile(xorFile, { protocols: [xorLayer({ protocol: 'boom' }), boom, ...PROTOCOLS] });
    const errors = events.filter((e) => e.type === 'anomaly' && e.code === 'dissect.error');
    expect(errors.map((e) => [e.flow, e.xor, e.detail])).toEqual([
      [1, true, 'xor,boom failed: inner bug'],
      [2, true, 'xor,boom failed: inner bug'],
      [3, true, 'xor,boom failed: inner bug'],
    ]);
    // The first s2c data of each flow is where it threw.
    const plain = await analyzeFile(capture('http-basic-auth.pcap'));
    const responses = plain.events.filter((e) => e.type === 'http.response').map((e) => e.frame);
    expect(errors.map((e) => e.frame)).toEqual(responses);
    expect(services(events)).toEqual(['xor,boom', 'xor,boom', 'xor,boom']);
  });

  it('an inner stream left open by its opener is closed with the flow (incomplete work is emitted)', async () => {
    // The layer never closes its inner stream: the engine does, so the unanswered request is still reported.
    const leaky: ProtocolDescriptor = {
      ...xorLayer(),
      createStream(ctx) {
        const inner = ctx.openInner({ via: 'xor' });
        let done = false;
        return {
          data(dir, bytes) {
            // Only the client's first request: the reply never reaches the inner stream.
            if (dir === 'c2s' && !done) inner.data(dir, bytes.map((b) => b ^ 0x5a));
            done ||= dir === 's2c';
          },
          gap() {},
          close() {},
        };
      },
    };
    const { events } = await analyzeFile(xorFile, { protocols: [leaky, ...PROTOCOLS] });
    const tx = events.filter((e) => e.type === 'http.transaction' && e.flow === 1);
    expect(tx.length).toBe(1);
    expect(tx[0]!.incomplete).toBe(true);
    expect(tx[0]!.xor).toBe(true);
  });

  it('the inner tap sees the plaintext, the tap the bytes on the wire', async () => {
    const wire: Record<Direction, Buffer[]> = { c2s: [], s2c: [] };
    const inner: Record<Direction, Buffer[]> = { c2s: [], s2c: [] };
    await analyzeFile(xorFile, {
      protocols: [xorLayer(), ...PROTOCOLS],
      tap: (flow, dir, data) => void (flow === 1 && typeof data !== 'number' && wire[dir].push(Buffer.from(data))),
      innerTap: (flow, dir, data, via) => void (flow === 1 && via === 'xor' && typeof data !== 'number' && inner[dir].push(Buffer.from(data))),
    });
    const plainText = Buffer.concat(inner.c2s).toString('latin1');
    expect(plainText.startsWith('GET /private/secret.txt HTTP/1.1\r\n')).toBe(true);
    expect(Buffer.concat(wire.c2s).map((b) => b ^ 0x5a)).toEqual(Buffer.concat(inner.c2s));
    expect(Buffer.concat(wire.s2c).map((b) => b ^ 0x5a)).toEqual(Buffer.concat(inner.s2c));
  });

  it('follow and the TUI stream show the inner stream, or the wire bytes when raw', async () => {
    const protocols = [xorLayer(), ...PROTOCOLS];
    const text = (pieces: { dir: Direction; data?: Uint8Array }[], dir: Direction) =>
      Buffer.concat(pieces.flatMap((p) => (p.dir === dir && p.data ? [p.data] : []))).toString('latin1');
    const inner = await followStream(xorFile, { flow: 3 }, { protocols });
    expect(inner.layer).toBe('xor');
    expect(text(inner.pieces, 'c2s')).toMatch(/^GET \/private\/secret\.txt HTTP\/1\.1\r\n[^]*Authorization: Basic /);
    expect(text(inner.pieces, 's2c')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const raw = await followStream(xorFile, { flow: 3, raw: true }, { protocols });
    expect(raw.layer).toBe(null);
    expect(Buffer.from(text(raw.pieces, 'c2s'), 'latin1').map((b) => b ^ 0x5a)).toEqual(Buffer.from(text(inner.pieces, 'c2s'), 'latin1'));
    const onlyServer = await followStream(xorFile, { flow: 3, dir: 's2c' }, { protocols });
    expect(onlyServer.pieces.every((p) => p.dir === 's2c')).toBe(true);

    const tui = await loadStream(xorFile, 3, { protocols });
    expect(tui.layer).toBe('xor');
    expect(text(tui.pieces as never, 'c2s')).toBe(text(inner.pieces, 'c2s'));
    const tuiRaw = await loadStream(xorFile, 3, { protocols, raw: true });
    expect(tuiRaw.layer).toBe(null);
    expect(text(tuiRaw.pieces as never, 's2c')).toBe(text(raw.pieces, 's2c'));
  });
});
