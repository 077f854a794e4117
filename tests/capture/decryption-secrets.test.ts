/**
 * pcapng Decryption Secrets Blocks: TLS key logs reach `handlers.secrets` with the frame
 * they precede; other secrets types, malformed and oversized blocks are anomalies; readers
 * without the handler see nothing new. And a file `editcap --inject-secrets` wrote.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, type CaptureProblem } from '../../src/capture/index.js';
import { parseKeyLog } from '../../src/capture/keylog.js';
import { DEFAULT_MAX_DSB_BYTES } from '../../src/capture/pcapng-reader.js';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import { block, Bytes, concat, epb, idb, readAll, shb, tempFile } from './builders.js';

const P1 = Uint8Array.from([1, 2, 3, 4]);
const TLSK = 0x544c534b;
const KEYLOG = `# keys\nCLIENT_RANDOM ${'11'.repeat(32)} ${'22'.repeat(48)}\n`;

function dsb(little: boolean, type: number, data: Uint8Array, declared = data.length, options?: Uint8Array): Uint8Array {
  const b = new Bytes(little).u32(type).u32(declared).bytes(data).pad4();
  if (options) b.bytes(options);
  return block(little, 0xa, b.build());
}

interface Seen {
  secrets: Array<{ kind: string; text: string; frame: number }>;
  problems: CaptureProblem[];
  frames: number;
}

async function readSecrets(path: string, max_dsb_bytes?: number): Promise<Seen> {
  const seen: Seen = { secrets: [], problems: [], frames: 0 };
  await readCapture(
    path,
    {
      packet: () => void seen.frames++,
      problem: (p) => seen.problems.push(p),
      secrets: (kind, data, frame) => seen.secrets.push({ kind, text: Buffer.from(data).toString('latin1'), frame }),
    },
    max_dsb_bytes === undefined ? {} : { max_dsb_bytes },
  );
  return seen;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('pcapng Decryption Secrets Block', () => {
  it('hands TLS key log text to the handler, in either byte order, with the frame it precedes', async () => {
    for (const little of [true, false]) {
      const file = concat(shb(little), idb(little, 1, 0), dsb(little, TLSK, enc(KEYLOG)), epb(little, 0, 1n, P1), dsb(little, TLSK, enc('x'), 1, new Bytes(little).u16(1).u16(2).u16(0x4142).u16(0).u16(0).build()), epb(little, 0, 2n, P1));
      const seen = await readSecrets(tempFile(file));
      expect(seen.problems).toEqual([]);
      expect(seen.frames).toBe(2);
      expect(seen.secrets).toEqual([
        { kind: 'tls', text: KEYLOG, frame: 0 },
        { kind: 'tls', text: 'x', frame: 1 },
      ]);
      expect(parseKeyLog(seen.secrets[0]!.text).store.size).toBe(1);
    }
  });

  it('reports other secrets types once per type, and malformed or oversized blocks, and goes on', async () => {
    const file = concat(
      shb(true),
      idb(true, 1, 0),
      dsb(true, 0x57474b4c, enc('wg')),
      dsb(true, 0x57474b4c, enc('wg again')),
      dsb(true, 0x12345678, enc('?')),
      dsb(true, TLSK, enc(KEYLOG), 4000),
      block(true, 0xa, new Bytes(true).u32(TLSK).build()),
      epb(true, 0, 1n, P1),
      dsb(true, TLSK, enc(KEYLOG)),
      dsb(true, TLSK, enc('short')),
      epb(true, 0, 2n, P1),
    );
    const seen = await readSecrets(tempFile(file), 64);
    expect(seen.frames).toBe(2);
    expect(seen.secrets).toEqual([{ kind: 'tls', text: 'short', frame: 1 }]);
    expect(seen.problems.map((p) => [p.code, p.frame, p.detail])).toEqual([
      ['capture.secrets_ignored', 0, 'decryption secrets of type 0x57474b4c (WireGuard key log) are not used (reported once per type)'],
      ['capture.secrets_ignored', 0, 'decryption secrets of type 0x12345678 are not used (reported once per type)'],
      ['capture.secrets_ignored', 0, 'decryption secrets block: secrets length 4000 exceeds the block (204 bytes); skipped'],
      ['capture.secrets_ignored', 0, 'decryption secrets block of 16 bytes is too short (20 at least); skipped'],
      ['capture.secrets_limit', 1, 'decryption secrets block of 183 bytes of TLS key log is above max_dsb_bytes (64); skipped'],
    ]);
  });

  it('the reader\'s default bound is max_dsb_bytes\'s default', () => {
    expect(DEFAULT_MAX_DSB_BYTES).toBe(DEFAULT_LIMITS.max_dsb_bytes);
  });

  it('readers without a secrets handler see the file as before: no event, no problem', async () => {
    const file = concat(shb(true), idb(true, 1, 0), dsb(true, 0x57474b4c, enc('wg')), dsb(true, TLSK, enc(KEYLOG), 4000), epb(true, 0, 1n, P1));
    const r = await readAll(tempFile(file));
    expect(r.problems).toEqual([]);
    expect(r.packets.map((p) => p.frame)).toEqual([1]);
  });
});

const hasEditcap = spawnSync('editcap', ['--version'], { stdio: 'ignore' }).status === 0;
const ROOT = join(import.meta.dirname, '..', '..');

describe.skipIf(!hasEditcap)('a capture editcap --inject-secrets wrote', () => {
  it('yields the key log byte for byte before the first packet', async () => {
    const keys = tempFile(KEYLOG + `SERVER_TRAFFIC_SECRET_0 ${'33'.repeat(32)} ${'44'.repeat(48)}\n`, 'keys.log');
    const out = tempFile('', 'with-keys.pcapng');
    const run = spawnSync('editcap', ['--inject-secrets', `tls,${keys}`, join(ROOT, 'captures', 'demo.pcap'), out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const seen = await readSecrets(out);
    expect(seen.problems).toEqual([]);
    expect(seen.frames).toBeGreaterThan(0);
    expect(seen.secrets).toHaveLength(1);
    expect(seen.secrets[0]!.frame).toBe(0);
    expect(seen.secrets[0]!.text).toBe(readFileSync(keys, 'latin1'));
    const parsed = parseKeyLog(seen.secrets[0]!.text);
    expect(parsed.store.size).toBe(2);
    expect(parsed.bad_line_count).toBe(0);
  });
});
