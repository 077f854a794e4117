/**
 * Issue 14 part 4: an HTTP message carries the frame that completes it, body included, as
 * Wireshark's "reassembled in", and `first_frame` where it began. Checked by hand-made
 * conversations (a POST whose body comes in a later segment, a response in two segments, a
 * close-delimited response that the server's FIN completes) and, where tshark is at hand,
 * against `tshark -Y http.request || http.response` on the same bytes.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { pcapOf, tcpConversation, tempFile } from '../cli/cli-support.js';
import { has } from '../support/requires.js';

async function messages(file: string): Promise<Array<[string, number, unknown]>> {
  const out: Array<[string, number, unknown]> = [];
  await analyze(file, { emit: (e: WireEvent) => void ((e.type === 'http.request' || e.type === 'http.response') && out.push([e.type, e.frame, e.first_frame])) });
  return out;
}

function tshark(file: string): number[] {
  const text = execFileSync('tshark', ['-r', file, '-n', '-Y', 'http.request || http.response', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return text.split('\n').filter(Boolean).map(Number);
}

// Frames: 1-3 handshake, then one per segment from 4, then FIN (client), FIN (server), ACK.
const cases: Array<{ name: string; segments: Parameters<typeof tcpConversation>[0]; want: Array<[string, number, number]> }> = [
  {
    name: 'a POST whose body arrives in the next segment',
    segments: [
      { dir: 'c2s', data: 'POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\n' },
      { dir: 'c2s', data: 'x=1&y=2' },
      { dir: 's2c', data: 'HTTP/1.1 204 No Content\r\n\r\n' },
    ],
    want: [['http.request', 5, 4], ['http.response', 6, 6]],
  },
  {
    name: 'a response in two segments',
    segments: [
      { dir: 'c2s', data: 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234' },
      { dir: 's2c', data: '56789' },
    ],
    want: [['http.request', 4, 4], ['http.response', 6, 5]],
  },
  {
    name: "a close-delimited response, completed by the server's FIN",
    segments: [
      { dir: 'c2s', data: 'GET / HTTP/1.0\r\nHost: a\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello ' },
      { dir: 's2c', data: 'world' },
    ],
    // 4 request, 5-6 response, 7 client FIN, 8 server FIN.
    want: [['http.request', 4, 4], ['http.response', 8, 5]],
  },
];

describe('HTTP messages carry the frame that completes them (issue 14)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const file = tempFile(pcapOf(tcpConversation(c.segments)), 'http-frames.pcap');
      expect(await messages(file)).toEqual(c.want);
      if (has('tshark')) expect(tshark(file)).toEqual(c.want.map(([, frame]) => frame));
    });
  }
});
