/**
 * One stray control byte in a server greeting (issue 19) must not hide an FTP, SMTP, POP3
 * or IMAP session on its own port: it is dissected, credentials included, and a
 * `dissect.lenient_detection` anomaly says that junk was overlooked. Off the protocol's port
 * the strict rule stands.
 */
import { describe, expect, it } from 'vitest';
import { probeLinesLenient, withLenientRetry, MAX_PROBE_JUNK } from '../../src/dissect/text-probe.js';
import type { WireEvent } from '../../src/events/event.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { probeFtp } from '../../src/protocols/ftp/index.js';
import { pcapOf, tcpConversation, tempFile } from '../cli/cli-support.js';

const E = '\x1b';
type Seg = ['c2s' | 's2c', string];
const SESSIONS: Array<[string, number, Seg[]]> = [
  ['ftp', 21, [['s2c', `220 Welcome${E}[0m\r\n`], ['c2s', 'USER alice\r\n'], ['s2c', '331 pw\r\n'], ['c2s', 'PASS secret1\r\n'], ['s2c', '230 ok\r\n'], ['c2s', 'QUIT\r\n'], ['s2c', '221 bye\r\n']]],
  ['smtp', 25, [['s2c', `220 mx ready${E}\r\n`], ['c2s', 'EHLO c\r\n'], ['s2c', '250-mx\r\n250 AUTH PLAIN\r\n'], ['c2s', `AUTH PLAIN ${Buffer.from('\0bob\0secret2').toString('base64')}\r\n`], ['s2c', '235 ok\r\n'], ['c2s', 'QUIT\r\n'], ['s2c', '221 bye\r\n']]],
  ['pop3', 110, [['s2c', `+OK ready${E}\r\n`], ['c2s', 'USER carol\r\n'], ['s2c', '+OK\r\n'], ['c2s', 'PASS secret3\r\n'], ['s2c', '+OK\r\n'], ['c2s', 'QUIT\r\n'], ['s2c', '+OK bye\r\n']]],
  ['imap', 143, [['s2c', `* OK ready${E}\r\n`], ['c2s', 'a1 LOGIN dave secret4\r\n'], ['s2c', 'a1 OK done\r\n'], ['c2s', 'a2 LOGOUT\r\n'], ['s2c', '* BYE\r\na2 OK\r\n']]],
];

async function run(port: (p: number) => number): Promise<WireEvent[]> {
  const frames = SESSIONS.flatMap(([, p, segs]) => tcpConversation(segs.map(([dir, data]) => ({ dir, data })), port(p)));
  return (await analyzeFile(tempFile(pcapOf(frames), 'greeting-junk.pcap'))).events;
}

describe('junk in a greeting on the protocol\'s own port', () => {
  it('each session is recognised, its credentials found, and the anomaly says why', async () => {
    const events = await run((p) => p);
    const services = events.filter((e) => e.type.endsWith('.session')).map((e) => e.type.split('.')[0]);
    expect(services).toEqual(['ftp', 'smtp', 'pop3', 'imap']);
    const text = JSON.stringify(events);
    for (const secret of ['secret1', 'secret2', 'secret3', 'secret4']) expect(text).toContain(secret);
    const lenient = events.filter((e) => e.type === 'anomaly' && e['code'] === 'dissect.lenient_detection');
    expect(lenient.map((e) => e['detail'])).toEqual([
      'ftp recognised on port 21 although its first lines carry control bytes',
      'smtp recognised on port 25 although its first lines carry control bytes',
      'pop3 recognised on port 110 although its first lines carry control bytes',
      'imap recognised on port 143 although its first lines carry control bytes',
    ]);
  });

  it('off the standard port, a greeting with control bytes is not trusted', async () => {
    const events = await run((p) => 40_000 + p);
    expect(events.filter((e) => e.type === 'anomaly' && e['code'] === 'dissect.lenient_detection')).toEqual([]);
  });

  it('binary is still binary: more than a few control bytes are not junk', () => {
    const flow = { client: { addr: '10.0.0.1', port: 40000 }, server: { addr: '10.0.0.2', port: 21 } } as Parameters<typeof probeFtp>[2];
    expect(probeFtp(Buffer.from(`220 vsftpd ${E}\r\n`), 's2c', flow)).toBe('match_lenient');
    expect(probeFtp(Buffer.from(`220 vsftpd ${E.repeat(MAX_PROBE_JUNK + 1)}\r\n`), 's2c', flow)).toBe('no');
    expect(probeFtp(Buffer.from('220 vsftpd ready\r\n'), 's2c', flow)).toBe('match');
    expect(probeLinesLenient(Buffer.from(`a${E}b\x07\r\nc`)).lines).toEqual(['ab']);
    expect(withLenientRetry(Buffer.from(`x${E}`), false, 8, () => 'match')).toBe('match');
  });
});
