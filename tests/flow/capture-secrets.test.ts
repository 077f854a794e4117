/**
 * Secrets reach dissectors through `ctx.secrets`: the `--keylog` text, and the key log of a
 * pcapng Decryption Secrets Block from the packet after the block on, in one thread and in
 * `--workers` shares alike (the CLI side is tests/cli/keylog.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import type { ProtocolDescriptor } from '../../src/dissect/contract.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import type { WireEvent } from '../../src/events/event.js';
import { Bytes, block, concat, epb, idb, shb, tempFile } from '../capture/builders.js';
import { ensureBuilt } from '../cli/cli-support.js';

// A test-only protocol's event.
declare module '../../src/events/event-map.js' {
  interface EventMap {
    'spy.secrets': { size: number; has: boolean };
  }
}

const capture = (name: string) => new URL(`../../captures/${name}`, import.meta.url).pathname;
const line = (label: string, random: string, secret: string) => `${label} ${random.repeat(32)} ${secret}`;
const KEYLOG = [line('CLIENT_RANDOM', 'aa', '01'.repeat(48)), line('CLIENT_TRAFFIC_SECRET_0', 'bb', '02'.repeat(32))].join('\n') + '\n';

/** Emits, for every chunk of a flow, how many secrets the context holds. */
const spy: ProtocolDescriptor = {
  name: 'spy',
  transports: ['tcp'],
  ports: [],
  probe: () => 'match',
  createStream: (ctx) => ({
    data: () => ctx.emit('spy.secrets', null, { size: ctx.secrets?.size ?? -1, has: ctx.secrets?.get('CLIENT_RANDOM', new Uint8Array(32).fill(0xcc)) !== undefined }),
    gap() {},
    close() {},
  }),
  anomalies: {},
};

/** A pcapng copy of a pcap capture with a Decryption Secrets Block (TLSK) after packet `after`. */
async function withSecretsBlock(source: string, after: number, keylog: string): Promise<string> {
  const parts: Uint8Array[] = [shb(true)];
  let n = 0;
  const dsb = (): Uint8Array => {
    const text = new TextEncoder().encode(keylog);
    return block(true, 0x0a, new Bytes(true).u32(0x544c534b).u32(text.length).bytes(text).pad4().build());
  };
  await readCapture(source, {
    packet(p) {
      if (n === 0) parts.push(idb(true, p.link_type, 65535));
      parts.push(epb(true, 0, BigInt(p.ts.sec) * 1_000_000n + BigInt(Math.floor(p.ts.ns / 1000)), p.data.slice(), p.orig_len));
      if (++n === after) parts.push(dsb());
    },
    problem() {},
  });
  return tempFile(concat(...parts), 'secrets.pcapng');
}

const sizes = (events: WireEvent[]) => events.filter((e) => e.type === 'spy.secrets').map((e) => [e.frame, e.size, e.has]);

describe('secrets in the dissector context', () => {
  it('--keylog text: every flow sees the store; none given: an empty store', async () => {
    const file = capture('http-basic-auth.pcap');
    const none = await analyzeFile(file, { protocols: [spy] });
    expect(new Set(sizes(none.events).map((s) => s[1]))).toEqual(new Set([0]));
    const some = await analyzeFile(file, { protocols: [spy], keylog: KEYLOG });
    expect(new Set(sizes(some.events).map((s) => s[1]))).toEqual(new Set([2]));
  });

  it('a secrets block serves the packets after it, added to the key log secrets', async () => {
    const file = await withSecretsBlock(capture('http-basic-auth.pcap'), 12, line('CLIENT_RANDOM', 'cc', '03'.repeat(48)) + '\nBAD LINE\n');
    const { events } = await analyzeFile(file, { protocols: [spy], keylog: KEYLOG });
    const seen = sizes(events);
    expect(seen.filter(([frame]) => (frame as number) <= 12).every(([, size, has]) => size === 2 && has === false)).toBe(true);
    expect(seen.filter(([frame]) => (frame as number) > 12).every(([, size, has]) => size === 3 && has === true)).toBe(true);
    expect(seen.some(([frame]) => (frame as number) > 12)).toBe(true);
    const bad = events.filter((e) => e.type === 'anomaly' && e.code === 'capture.secrets_ignored');
    expect(bad.map((e) => [e.frame, e.detail])).toEqual([[12, 'decryption secrets block: 1 bad key log line skipped (line 2: unknown label "BAD"); 1 secrets used']]);
  });

  it('--workers: the block reaches every worker before the packets after it', async () => {
    const file = await withSecretsBlock(capture('http-basic-auth.pcap'), 12, line('CLIENT_RANDOM', 'cc', '03'.repeat(48)) + '\nBAD LINE\n');
    const one = (await analyzeFile(file, { keylog: KEYLOG })).events.map((e) => JSON.stringify(e));
    // Worker threads load the built modules.
    ensureBuilt();
    const { analyzeSplit } = (await import('../../dist/pipeline/parallel/split.js' as string)) as typeof import('../../src/pipeline/parallel/split.js');
    const split: WireEvent[] = [];
    await analyzeSplit(file, { limits: DEFAULT_LIMITS, workers: 2, mode: 'objects', keylog: new TextEncoder().encode(KEYLOG) }, { event: (e) => split.push(e) });
    expect(split.map((e) => JSON.stringify(e))).toEqual(one);
    expect(one.some((e) => e.includes('capture.secrets_ignored'))).toBe(true);
  });
});
