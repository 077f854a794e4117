/**
 * Pure FTP text parsing: command lines, reply lines, data-channel addresses
 * (PORT/227 RFC 959, EPRT/229 RFC 2428) and paths.
 */
import type { Endpoint } from '../../dissect/contract.js';

/** `VERB arg` → upper-case verb and the rest (tshark keeps everything after the first space). */
export { parseCommand } from '../../dissect/text-lines.js';
import { replyDigits, replySeparator, replyText } from '../../dissect/text-lines.js';

export type ReplyLine =
  /** `sep` is ' ' for a last (or only) line, '-' for the first line of a multi-line reply. */
  | { kind: 'reply'; code: number; sep: ' ' | '-'; text: string }
  /** Three digits, but not a reply code (first digit outside 1-5). */
  | { kind: 'bad_code'; text: string }
  /** No reply code at all. */
  | { kind: 'none'; text: string };

export function parseReplyLine(line: string): ReplyLine {
  const code = replyDigits(line);
  const sep = code < 0 ? -1 : replySeparator(line);
  if (sep < 0) {
    const first = line.charCodeAt(0);
    if (first >= 0x30 && first <= 0x39) return { kind: 'bad_code', text: line };
    return { kind: 'none', text: line };
  }
  if (code < 100 || code >= 600) return { kind: 'bad_code', text: line };
  return { kind: 'reply', code, sep: sep === 0x2d ? '-' : ' ', text: sep === 0 ? '' : replyText(line) };
}

/** `h1,h2,h3,h4,p1,p2` (PORT argument and 227 text) → endpoint. */
export function parseHostPort(text: string): Endpoint | null {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(text);
  if (!m) return null;
  const n = m.slice(1).map(Number);
  if (n.some((v) => v > 255)) return null;
  return { addr: n.slice(0, 4).join('.'), port: n[4]! * 256 + n[5]! };
}

/** EPRT `|1|132.235.1.2|6275|` or `|2|1080::8:800:200C:417A|5282|`. */
export function parseEprt(arg: string): Endpoint | null {
  const d = arg.trim()[0];
  if (!d) return null;
  const parts = arg.trim().split(d);
  if (parts.length < 5) return null;
  const [, proto, addr, port] = parts;
  const p = Number(port);
  if (!/^\d+$/.test(port ?? '') || p < 1 || p > 65535) return null;
  if (proto === '1' && /^\d{1,3}(\.\d{1,3}){3}$/.test(addr!)) return { addr: addr!, port: p };
  if (proto === '2' && addr!.includes(':')) return { addr: normalizeIpv6(addr!), port: p };
  return null;
}

/** 229 text `... (|||6446|)` → the port. */
export function parseEpsv(text: string): number | null {
  const m = /\((.)\1\1(\d+)\1\)/.exec(text);
  if (!m) return null;
  const p = Number(m[2]);
  return p >= 1 && p <= 65535 ? p : null;
}

/** 257 text `"/usr/dm" is current directory` → `/usr/dm` (`""` is a quote, RFC 959 App. II). */
export function parseQuotedPath(text: string): string | null {
  const start = text.indexOf('"');
  if (start < 0) return null;
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '"') {
      if (text[i + 1] === '"') {
        out += '"';
        i++;
      } else return out;
    } else out += text[i];
  }
  return null;
}

/** `(1234 bytes)` in a 150 reply, or the number of a 213 SIZE reply. */
export function parseSize(code: number, text: string): number | null {
  if (code === 213 && /^\s*\d+\s*$/.test(text)) return Number(text.trim());
  const m = /\((\d+) bytes?\)/i.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * `cwd` joined with `arg` as the server would: absolute args replace it, `.` and `..`
 * are resolved. An unknown cwd (null) keeps relative paths relative.
 */
export function joinPath(cwd: string | null, arg: string): string {
  const absolute = arg.startsWith('/');
  const base = absolute || cwd === null ? '' : cwd;
  const parts: string[] = [];
  const rooted = absolute || (cwd !== null && cwd.startsWith('/'));
  for (const seg of `${base}/${arg}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
    } else parts.push(seg);
  }
  const joined = parts.join('/');
  return rooted ? '/' + joined : joined || '.';
}

export function parentPath(cwd: string | null): string | null {
  return cwd === null ? '..' : joinPath(cwd, '..');
}

/** Lower-case, zero-compressed IPv6 (RFC 5952), so addresses compare as the engine prints them. */
export function normalizeIpv6(addr: string): string {
  const a = addr.toLowerCase();
  if (a.includes('.')) return a;
  const halves = a.split('::');
  if (halves.length > 2) return a;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...tail].map((g) => (parseInt(g, 16) || 0).toString(16));
  if (groups.length !== 8) return a;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Which way a transfer command moves data. */
export function transferDirection(command: string): 'download' | 'upload' | 'listing' | null {
  switch (command) {
    case 'RETR':
      return 'download';
    case 'STOR':
    case 'STOU':
    case 'APPE':
      return 'upload';
    case 'LIST':
    case 'NLST':
    case 'MLSD':
      return 'listing';
    default:
      return null;
  }
}
