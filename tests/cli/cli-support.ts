/**
 * Runs the real `bin/wirelens` (built into dist/ by `npm run build`, which `npm test`
 * does first; rebuilt here when a source file is newer than the build) and builds small
 * captures from hand-made bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, pcapHeader, pcapRecord } from '../capture/builders.js';
import { ethernet, ipv4, tcp, udp } from '../decode/frames.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'wirelens');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/ when it is missing or older than src/. */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    /* not built */
  }
  if (built > newest(join(ROOT, 'src'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
}

export interface CliResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

export function wirelens(args: string[], input?: Uint8Array): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, WIRELENS_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

let dir: string | null = null;
let n = 0;
export function tempPath(name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'wirelens-cli-'));
  return join(dir, `${n++}-${name}`);
}
export function tempFile(bytes: Uint8Array | string, name: string): string {
  const p = tempPath(name);
  writeFileSync(p, bytes);
  return p;
}

const CLIENT = [10, 0, 0, 1];
const SERVER = [10, 0, 0, 2];

export interface Segment {
  dir: 'c2s' | 's2c';
  data: string | Uint8Array;
}

/**
 * A whole TCP conversation as Ethernet frames: handshake, the segments with correct
 * sequence and acknowledgement numbers, and both FINs.
 */
export function tcpConversation(segments: Segment[], port = 80): Uint8Array[] {
  let cseq = 1000;
  let sseq = 5000;
  const frames: Uint8Array[] = [];
  const c2s = (flags: number, payload: Uint8Array = new Uint8Array(0)) =>
    ethernet(0x0800, ipv4({ src: CLIENT, dst: SERVER, payload: tcp({ sport: 40000, dport: port, seq: cseq, ack: sseq, flags, payload }) }));
  const s2c = (flags: number, payload: Uint8Array = new Uint8Array(0)) =>
    ethernet(0x0800, ipv4({ src: SERVER, dst: CLIENT, payload: tcp({ sport: port, dport: 40000, seq: sseq, ack: cseq, flags, payload }) }));
  frames.push(ethernet(0x0800, ipv4({ src: CLIENT, dst: SERVER, payload: tcp({ sport: 40000, dport: port, seq: cseq - 1, ack: 0, flags: 0x02 }) })));
  frames.push(ethernet(0x0800, ipv4({ src: SERVER, dst: CLIENT, payload: tcp({ sport: port, dport: 40000, seq: sseq - 1, ack: cseq, flags: 0x12 }) })));
  frames.push(c2s(0x10));
  for (const s of segments) {
    const payload = typeof s.data === 'string' ? Uint8Array.from(Buffer.from(s.data, 'utf8')) : s.data;
    if (s.dir === 'c2s') {
      frames.push(c2s(0x18, payload));
      cseq += payload.length;
    } else {
      frames.push(s2c(0x18, payload));
      sseq += payload.length;
    }
  }
  frames.push(c2s(0x11));
  cseq++;
  frames.push(s2c(0x11));
  sseq++;
  frames.push(c2s(0x10));
  return frames;
}

export function udpFrame(payload: Uint8Array, sport = 40001, dport = 53): Uint8Array {
  return ethernet(0x0800, ipv4({ protocol: 17, src: CLIENT, dst: SERVER, payload: udp({ sport, dport, payload }) }));
}

/** A little-endian microsecond pcap of Ethernet frames, one per second. */
export function pcapOf(frames: Uint8Array[], linkType = 1, snaplen = 65535): Uint8Array {
  return concat(pcapHeader('us-le', linkType, snaplen), ...frames.map((f, i) => pcapRecord('us-le', 1_700_000_000 + i, 0, f)));
}
