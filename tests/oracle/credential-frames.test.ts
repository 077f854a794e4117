/**
 * Issue 14 part 4: a credential carries the frame that held the secret (the PASS, LOGIN or
 * APOP command, the SASL response with the password), as Wireshark shows it, not the frame
 * of the server's reply that told whether it worked. Checked against `tshark -Y` with the
 * fields where tshark finds the secret, on every project capture where tshark decodes it
 * (16 captures: FTP, SMTP, POP3, IMAP with and without SASL, HTTP Basic, HTTP Proxy-Authorization).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { REPO } from './tshark.js';
import { describeWith } from '../support/requires.js';

/**
 * Frames where tshark sees a secret, one expression for every protocol. tshark 4.0 names the
 * secret of FTP, POP3 USER/PASS and APOP, IMAP LOGIN, SMTP AUTH LOGIN/PLAIN and HTTP Basic;
 * for SASL in POP3 and IMAP it shows the line without decoding it: the AUTH/AUTHENTICATE
 * with an initial response, or the client's base64 continuation line (a POP3 one lands in
 * pop.request.command, an IMAP one is a request without a command).
 */
const SECRET = [
  'ftp.request.command == "PASS"',
  'pop.request.command in {"PASS", "APOP"}',
  '(pop.request.command == "AUTH" && pop.request.parameter contains " ")',
  'pop.request.command matches "^[a-z0-9+/]{12,}=*$"',
  'imap.request.password',
  'imap.request matches "^\\\\S+ authenticate \\\\S+ \\\\S"',
  '(imap.request && !imap.request.command)',
  'smtp.auth.password',
  'smtp.auth.username_password',
  'http.authbasic',
].join(' || ');

/** Captures on a port tshark does not know for the protocol. */
const DECODE_AS: Record<string, string[]> = { 'pop3-port-1110.pcap': ['-d', 'tcp.port==1110,pop'] };

// smtp-auth-cram-md5.pcap is left out: tshark shows its SASL response as "DATA fragment".
const CAPTURES = [
  'demo.pcap',
  'ftp-anonymous.pcap',
  'ftp-login-failed.pcap',
  'smtp-auth-login.pcap',
  'smtp-auth-plain.pcap',
  'smtp-auth-failed.pcap',
  'pop3-apop.pcap',
  'pop3-port-1110.pcap',
  'pop3-auth-plain.pcap',
  'pop3-failed-login.pcap',
  'imap-login-browse.pcap',
  'imap-failed-login.pcap',
  'imap-curl-authenticate.pcap',
  'imap-fetchmail-login.pcap',
  'http-basic-auth.pcap',
  // Proxy-Authorization on two CONNECTs (tshark: http.authbasic).
  'http-connect-tinyproxy.pcapng',
];

async function credentialFrames(file: string): Promise<number[]> {
  const frames: number[] = [];
  await analyze(file, { emit: (e: WireEvent) => void (e.type === 'credentials' && frames.push(e.frame)) });
  return frames.sort((a, b) => a - b);
}

async function tsharkFrames(capture: string, file: string): Promise<number[]> {
  const args = ['-r', file, '-n', ...(DECODE_AS[capture] ?? []), '-Y', SECRET, '-T', 'fields', '-e', 'frame.number'];
  const { stdout } = await promisify(execFile)('tshark', args, { maxBuffer: 1 << 24 });
  return stdout.split('\n').filter(Boolean).map(Number);
}

describeWith(['tshark'], 'credentials carry the frame of the secret (issue 14)', () => {
  const got = new Map<string, { ours: number[]; theirs: number[] }>();
  beforeAll(async () => {
    // tshark runs two at a time: its start-up dominates on these small captures.
    for (let i = 0; i < CAPTURES.length; i += 2) {
      await Promise.all(
        CAPTURES.slice(i, i + 2).map(async (c) => {
          const file = join(REPO, 'captures', c);
          got.set(c, { ours: await credentialFrames(file), theirs: await tsharkFrames(c, file) });
        }),
      );
    }
  }, 300_000);

  for (const capture of CAPTURES) {
    it(capture, () => {
      const { ours, theirs } = got.get(capture)!;
      expect(ours.length).toBeGreaterThan(0);
      expect(ours).toEqual(theirs);
    });
  }
});
