/**
 * SOCKS handshake messages, pure (`Parsed`, src/dissect/parse.ts): the message and the
 * bytes it took, `need_more` while it is incomplete, or `error` when the bytes cannot be it.
 *
 * - SOCKS 4 (the 1992 NEC protocol note) and 4a: VN 4, CD, DSTPORT, DSTIP, USERID, NUL;
 *   4a sets DSTIP to 0.0.0.x (x != 0) and follows with the host name, NUL. The reply is
 *   8 bytes: VN 0, CD 90..93, port, address.
 * - SOCKS 5 (RFC 1928): greeting VER 5, NMETHODS, METHODS; the server's choice VER, METHOD;
 *   request VER, CMD, RSV, ATYP, address, port; reply VER, REP, RSV, ATYP, address, port.
 *   ATYP 1 IPv4, 3 a length-prefixed domain name, 4 IPv6.
 * - Username/password sub-negotiation (RFC 1929): VER 1, ULEN, UNAME, PLEN, PASSWD; reply
 *   VER 1, STATUS (0 success).
 */
import { formatAddress } from '../../decode/index.js';
import { done, fail, needMore, type Parsed } from '../../dissect/parse.js';
import { decodeText } from '../../dissect/text.js';

/** SOCKS 4 and 5 commands, as Zeek's socks.log does not name them but RFC 1928 does. */
export const COMMANDS: Readonly<Record<number, string>> = { 1: 'connect', 2: 'bind', 3: 'udp_associate' };

/** RFC 1928 §3 method names. */
export function methodName(m: number): string {
  if (m === 0) return 'none';
  if (m === 1) return 'gssapi';
  if (m === 2) return 'userpass';
  if (m === 0xff) return 'no_acceptable';
  return m >= 0x80 ? `private_${m}` : `iana_${m}`;
}

/** RFC 1928 §6 reply field and the SOCKS 4 result codes, in Zeek's wording. */
export function statusName(version: 4 | 5, code: number): string {
  if (version === 4) return V4_STATUS[code] ?? `unknown_${code}`;
  return V5_STATUS[code] ?? `unknown_${code}`;
}

const V4_STATUS: Readonly<Record<number, string>> = {
  90: 'succeeded',
  91: 'rejected or failed',
  92: 'rejected: no identd',
  93: 'rejected: identd user mismatch',
};

const V5_STATUS: Readonly<Record<number, string>> = {
  0: 'succeeded',
  1: 'general SOCKS server failure',
  2: 'connection not allowed by ruleset',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

export interface Socks5Greeting {
  methods: number[];
}

export function parseGreeting5(b: Uint8Array): Parsed<Socks5Greeting> {
  if (b.length < 2) return needMore();
  if (b[0] !== 5 || b[1] === 0) return fail(`greeting version ${b[0]} with ${b[1]} methods`);
  const n = b[1]!;
  if (b.length < 2 + n) return needMore();
  return done({ methods: Array.from(b.subarray(2, 2 + n)) }, 2 + n);
}

/** The server's method choice: VER 5, METHOD. */
export function parseChoice5(b: Uint8Array): Parsed<number> {
  if (b.length < 2) return needMore();
  if (b[0] !== 5) return fail(`method choice version ${b[0]}`);
  return done(b[1]!, 2);
}

export interface Credentials {
  user: string;
  password: string;
}

export function parseUserPass(b: Uint8Array): Parsed<Credentials> {
  if (b.length < 2) return needMore();
  if (b[0] !== 1) return fail(`user/password version ${b[0]}`);
  const ulen = b[1]!;
  if (b.length < 3 + ulen) return needMore();
  const plen = b[2 + ulen]!;
  if (b.length < 3 + ulen + plen) return needMore();
  return done({ user: decodeText(b.subarray(2, 2 + ulen)), password: decodeText(b.subarray(3 + ulen, 3 + ulen + plen)) }, 3 + ulen + plen);
}

/** RFC 1929's reply: VER 1, STATUS. Some servers answer with VER 5; both are read. */
export function parseUserPassReply(b: Uint8Array): Parsed<number> {
  if (b.length < 2) return needMore();
  if (b[0] !== 1 && b[0] !== 5) return fail(`user/password reply version ${b[0]}`);
  return done(b[1]!, 2);
}

/** An address and port as SOCKS 5 carries them. */
export interface Target {
  /** An IP address, when the address type was one. */
  host: string | undefined;
  /** A domain name, when the address type was 3. */
  name: string | undefined;
  port: number;
}

export interface Socks5Message {
  /** CMD in a request, REP in a reply. */
  code: number;
  target: Target;
}

/** A request (CMD) or a reply (REP): they share the layout. */
export function parseMessage5(b: Uint8Array): Parsed<Socks5Message> {
  if (b.length < 5) return needMore();
  if (b[0] !== 5 || b[2] !== 0) return fail(`request or reply version ${b[0]}, reserved byte ${b[2]}`);
  const atyp = b[3]!;
  let off = 4;
  let host: string | undefined;
  let name: string | undefined;
  if (atyp === 1) {
    if (b.length < off + 4 + 2) return needMore();
    host = formatAddress(b.subarray(off, off + 4));
    off += 4;
  } else if (atyp === 4) {
    if (b.length < off + 16 + 2) return needMore();
    host = formatAddress(b.subarray(off, off + 16));
    off += 16;
  } else if (atyp === 3) {
    const len = b[off]!;
    if (b.length < off + 1 + len + 2) return needMore();
    name = decodeText(b.subarray(off + 1, off + 1 + len));
    off += 1 + len;
  } else return fail(`address type ${atyp}`);
  const port = (b[off]! << 8) | b[off + 1]!;
  return done({ code: b[1]!, target: { host, name, port } }, off + 2);
}

export interface Socks4Request {
  command: number;
  target: Target;
  user: string;
}

/** Longest SOCKS 4 user id or 4a host name read before the bytes are called not SOCKS. */
const MAX_FIELD = 255;

export function parseRequest4(b: Uint8Array): Parsed<Socks4Request> {
  if (b.length < 9) return b.length > 0 && b[0] !== 4 ? fail(`SOCKS 4 version ${b[0]}`) : needMore(9 - b.length);
  if (b[0] !== 4 || (b[1] !== 1 && b[1] !== 2)) return fail(`SOCKS 4 version ${b[0]} command ${b[1]}`);
  const port = (b[2]! << 8) | b[3]!;
  const userEnd = b.indexOf(0, 8);
  if (userEnd < 0) return b.length - 8 > MAX_FIELD ? fail(`SOCKS 4 user id over ${MAX_FIELD} bytes`) : needMore();
  const user = decodeText(b.subarray(8, userEnd));
  // SOCKS 4a: 0.0.0.x with x non-zero says a host name follows the user id.
  const is4a = b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0;
  if (!is4a) return done({ command: b[1]!, target: { host: formatAddress(b.subarray(4, 8)), name: undefined, port }, user }, userEnd + 1);
  const nameEnd = b.indexOf(0, userEnd + 1);
  if (nameEnd < 0) return b.length - userEnd - 1 > MAX_FIELD ? fail(`SOCKS 4a host name over ${MAX_FIELD} bytes`) : needMore();
  return done({ command: b[1]!, target: { host: undefined, name: decodeText(b.subarray(userEnd + 1, nameEnd)), port }, user }, nameEnd + 1);
}

export interface Socks4Reply {
  status: number;
  target: Target;
}

export function parseReply4(b: Uint8Array): Parsed<Socks4Reply> {
  if (b.length < 8) return b.length > 0 && b[0] !== 0 ? fail(`SOCKS 4 reply version ${b[0]}`) : needMore(8 - b.length);
  if (b[0] !== 0 || b[1]! < 90 || b[1]! > 93) return fail(`SOCKS 4 reply version ${b[0]} code ${b[1]}`);
  return done({ status: b[1]!, target: { host: formatAddress(b.subarray(4, 8)), name: undefined, port: (b[2]! << 8) | b[3]! } }, 8);
}
