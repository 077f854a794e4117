import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Hand-made pcap bytes (Ethernet, IPv4, TCP) for UI tests: whole TCP conversations with
 * handshake, data both ways, optional holes (gaps) and FIN. Small on purpose: the tests
 * say exactly which bytes a capture carries.
 */
export type Step = { dir: 'c2s' | 's2c'; data: string | Uint8Array } | { dir: 'c2s' | 's2c'; skip: number };

interface Conv {
  client: [number, number, number, number];
  server: [number, number, number, number];
  cport: number;
  sport: number;
  steps: Step[];
}

const latin1 = (s: string | Uint8Array): Uint8Array<ArrayBuffer> => (typeof s === 'string' ? Uint8Array.from([...s].map((c) => c.charCodeAt(0) & 0xff)) : Uint8Array.from(s));

function ipv4Tcp(src: number[], dst: number[], sport: number, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const tcpLen = 20 + payload.length;
  const total = 20 + tcpLen;
  const b = new Uint8Array(14 + total);
  const dv = new DataView(b.buffer);
  b.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  const ip = 14;
  b[ip] = 0x45;
  dv.setUint16(ip + 2, total);
  dv.setUint16(ip + 6, 0x4000);
  b[ip + 8] = 64;
  b[ip + 9] = 6;
  b.set(src, ip + 12);
  b.set(dst, ip + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += dv.getUint16(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(ip + 10, ~sum & 0xffff);
  const t = ip + 20;
  dv.setUint16(t, sport);
  dv.setUint16(t + 2, dport);
  dv.setUint32(t + 4, seq >>> 0);
  dv.setUint32(t + 8, ack >>> 0);
  b[t + 12] = 5 << 4;
  b[t + 13] = flags;
  dv.setUint16(t + 14, 65535);
  b.set(payload, t + 20);
  return b;
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

/** A pcap file (microsecond, little-endian) of the conversations, one after another. */
export function buildPcap(convs: Conv[], startSec = 1_700_000_000): Uint8Array {
  const records: Uint8Array[] = [];
  let usec = 0;
  const add = (frame: Uint8Array) => {
    usec += 1000;
    const h = new Uint8Array(16);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, startSec + Math.floor(usec / 1e6), true);
    dv.setUint32(4, usec % 1e6, true);
    dv.setUint32(8, frame.length, true);
    dv.setUint32(12, frame.length, true);
    records.push(h, frame);
  };
  for (const c of convs) {
    let cseq = 1000;
    let sseq = 5000;
    const send = (dir: 'c2s' | 's2c', flags: number, payload = new Uint8Array(0)) => {
      if (dir === 'c2s') add(ipv4Tcp(c.client, c.server, c.cport, c.sport, cseq, sseq, flags, payload));
      else add(ipv4Tcp(c.server, c.client, c.sport, c.cport, sseq, cseq, flags, payload));
    };
    send('c2s', SYN);
    cseq++;
    add(ipv4Tcp(c.server, c.client, c.sport, c.cport, sseq, cseq, SYN | ACK, new Uint8Array(0)));
    sseq++;
    send('c2s', ACK);
    for (const s of c.steps) {
      if ('skip' in s) {
        if (s.dir === 'c2s') cseq += s.skip;
        else sseq += s.skip;
        continue;
      }
      const data = latin1(s.data);
      send(s.dir, PSH | ACK, data);
      if (s.dir === 'c2s') cseq += data.length;
      else sseq += data.length;
      send(s.dir === 'c2s' ? 's2c' : 'c2s', ACK);
    }
    send('c2s', FIN | ACK);
    cseq++;
    send('s2c', FIN | ACK);
    sseq++;
    send('c2s', ACK);
  }
  const header = new Uint8Array(24);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, 1, true);
  const out = new Uint8Array(records.reduce((n, r) => n + r.length, header.length));
  let at = 0;
  for (const r of [header, ...records]) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

const ESC = '\x1b';
const BEL = '\x07';

/**
 * A capture that tries to take over the terminal: cursor moves, screen clears, colours,
 * window titles and the alternate screen, in an HTTP request line, headers, a Basic
 * credential, the response and its body, and in FTP replies, a user name and a file name.
 */
export function hostileCapture(): Uint8Array {
  const basic = Buffer.from(`ad${ESC}[5mmin:s3cr${ESC}[8met`, 'latin1').toString('base64');
  const body = `owned${ESC}[?1049l${ESC}[2J!`;
  return buildPcap([
    {
      client: [10, 0, 0, 1],
      server: [10, 0, 0, 2],
      cport: 40000,
      sport: 80,
      steps: [
        {
          dir: 'c2s',
          data: `GET /evil.txt?q=${encodeURIComponent(ESC)}[2J HTTP/1.1\r\nHost: www${ESC}]0;pwned${BEL}.test\r\nX-Evil: ${ESC}[31mred${ESC}[0m\r\nAuthorization: Basic ${basic}\r\n\r\n`,
        },
        {
          dir: 's2c',
          data: `HTTP/1.1 200 O${ESC}[1AK\r\nContent-Type: text/${ESC}[1mplain\r\nX-Title: ${ESC}]2;hijacked${BEL}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        },
      ],
    },
    {
      client: [10, 0, 0, 1],
      server: [10, 0, 0, 3],
      cport: 40001,
      sport: 21,
      steps: [
        { dir: 's2c', data: '220 hello\r\n' },
        { dir: 'c2s', data: 'SYST\r\n' },
        { dir: 's2c', data: `215 UNIX ${ESC}[2J${ESC}[H${ESC}]2;ftp-title${BEL}\r\n` },
        { dir: 'c2s', data: `USER an${ESC}[8mon\r\n` },
        { dir: 's2c', data: `331 ok${ESC}[31m go on\r\n` },
        { dir: 'c2s', data: 'PASS x\r\n' },
        { dir: 's2c', data: '230 in\r\n' },
        { dir: 'c2s', data: `CWD /${ESC}[6n\r\n` },
        { dir: 's2c', data: `550 no ${ESC}[6n such dir\r\n` },
        { dir: 'c2s', skip: 40 },
        { dir: 'c2s', data: 'QUIT\r\n' },
        { dir: 's2c', data: '221 bye\x9b31m\r\n' },
      ],
    },
  ]);
}

export function writeTemp(bytes: Uint8Array, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-tui-'));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}
