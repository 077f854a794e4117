/**
 * The NSS key log format, as browsers (NSS, BoringSSL), curl and `openssl s_client
 * -keylogfile` (OpenSSL), and GnuTLS write it when SSLKEYLOGFILE is set, and as a pcapng
 * Decryption Secrets Block of type TLSK carries it: one `LABEL <client random hex>
 * <secret hex>` per line; `#` starts a comment; blank lines are allowed; CRLF too.
 *
 * Kept (see `dissect/secrets.ts`): CLIENT_RANDOM (TLS <= 1.2, the 48-byte master secret)
 * and the TLS 1.3 traffic secrets (32 or 48 bytes: the suite's hash length).
 * Known but not used, counted in `ignored` and said once: `RSA` lines (keyed by the
 * encrypted pre-master secret, which needs the ClientKeyExchange matched; every library
 * that writes them also writes CLIENT_RANDOM), `RSA Session-ID:`, `PMS_CLIENT_RANDOM`,
 * `EARLY_EXPORTER_SECRET`, the ECH lines (`ECH_SECRET`, `ECH_CONFIG`), and OpenSSL 3's
 * `CLIENT_TRAFFIC_SECRET_N` / `SERVER_TRAFFIC_SECRET_N` (the secret after each KeyUpdate,
 * which the decryptor derives from generation 0 itself, RFC 8446 §7.2; the lines carry no
 * generation number, so they could not be placed anyway).
 * Anything else is a bad line, reported with its number; the good lines are used.
 *
 * API (stable; other branches build on it):
 * - `parseKeyLog(input, { store?, limits? })`: text or bytes; adds to `store` (a new one by
 *   default) and returns it with `bad_lines` (the first `MAX_BAD_LINES`), `bad_line_count`,
 *   `ignored`, `truncated`, and counts.
 * - `readKeyLogFile(path, limits?)`: reads at most `max_keylog_bytes` of a file and parses it.
 * - `keyLogWarning(source, result)`: the one-line warning to print, or null when all was well.
 */
import { open } from 'node:fs/promises';
import { DEFAULT_LIMITS, type Limits } from '../dissect/limits.js';
import { isSecretLabel, MutableSecretStore, type SecretLabel } from '../dissect/secrets.js';

export interface KeyLogBadLine {
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface KeyLogResult {
  store: MutableSecretStore;
  /** The first `MAX_BAD_LINES` bad lines, in order. */
  bad_lines: KeyLogBadLine[];
  /** All bad lines. */
  bad_line_count: number;
  /** Secrets read from this input (added, replaced, or repeated). */
  secrets: number;
  /** Secrets refused because the store held `max_tls_secrets`. */
  refused: number;
  /** Lines of known labels that are not used, by label. */
  ignored: Record<string, number>;
  /** The input was longer than `max_keylog_bytes`; only its start was read. */
  truncated: boolean;
  /** Lines read. */
  lines: number;
}

/** Bad lines kept with their numbers; the rest are only counted. */
export const MAX_BAD_LINES = 100;

/** Labels that are real NSS key log labels but carry nothing this decryptor uses. */
const KNOWN_UNUSED = new Set(['RSA', 'PMS_CLIENT_RANDOM', 'EARLY_EXPORTER_SECRET', 'ECH_SECRET', 'ECH_CONFIG', 'CLIENT_TRAFFIC_SECRET_N', 'SERVER_TRAFFIC_SECRET_N']);

const HEX = /^[0-9a-fA-F]*$/;

function secretLengthOk(label: SecretLabel, n: number): string | null {
  if (label === 'CLIENT_RANDOM') return n === 48 ? null : `CLIENT_RANDOM secret of ${n} bytes (a master secret has 48)`;
  return n === 32 || n === 48 ? null : `${label} secret of ${n} bytes (32 or 48: the hash length of a TLS 1.3 suite)`;
}

export interface ParseKeyLogOptions {
  /** The store to add to (several key logs and DSBs share one); a new one by default. */
  store?: MutableSecretStore;
  limits?: Pick<Limits, 'max_keylog_bytes' | 'max_tls_secrets'>;
}

export function parseKeyLog(input: string | Uint8Array, opts: ParseKeyLogOptions = {}): KeyLogResult {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const store = opts.store ?? new MutableSecretStore(limits.max_tls_secrets);
  const maxBytes = limits.max_keylog_bytes;
  let text: string;
  let truncated = false;
  if (typeof input === 'string') {
    // A string's length is in UTF-16 units; a key log is ASCII, so that is its size in bytes.
    truncated = input.length > maxBytes;
    text = truncated ? input.slice(0, maxBytes) : input;
  } else {
    truncated = input.length > maxBytes;
    const bytes = truncated ? input.subarray(0, maxBytes) : input;
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
  if (truncated) {
    // Drop the line the cut went through: half a line is not a bad line, just unread.
    const nl = text.lastIndexOf('\n');
    text = nl < 0 ? '' : text.slice(0, nl + 1);
  }

  const result: KeyLogResult = { store, bad_lines: [], bad_line_count: 0, secrets: 0, refused: 0, ignored: {}, truncated, lines: 0 };
  const bad = (line: number, reason: string): void => {
    result.bad_line_count++;
    if (result.bad_lines.length < MAX_BAD_LINES) result.bad_lines.push({ line, reason });
  };

  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    line = line.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/[ \t]+/);
    const label = fields[0]!;
    if (KNOWN_UNUSED.has(label)) {
      const kind = label === 'RSA' && fields[1]?.startsWith('Session-ID:') ? 'RSA Session-ID:' : label;
      result.ignored[kind] = (result.ignored[kind] ?? 0) + 1;
      continue;
    }
    if (!isSecretLabel(label)) {
      bad(lineNo, `unknown label "${printable(label)}"`);
      continue;
    }
    if (fields.length !== 3) {
      bad(lineNo, `${label} needs a client random and a secret (${fields.length - 1} field${fields.length === 2 ? '' : 's'} found)`);
      continue;
    }
    const [, randomHex, secretHex] = fields as [string, string, string];
    if (!HEX.test(randomHex) || randomHex.length !== 64) {
      bad(lineNo, HEX.test(randomHex) ? `client random of ${randomHex.length} hex digits (64 expected)` : 'client random is not hex');
      continue;
    }
    if (!HEX.test(secretHex) || secretHex.length % 2 !== 0) {
      bad(lineNo, HEX.test(secretHex) ? 'secret has an odd number of hex digits' : 'secret is not hex');
      continue;
    }
    const lengthProblem = secretLengthOk(label, secretHex.length / 2);
    if (lengthProblem !== null) {
      bad(lineNo, lengthProblem);
      continue;
    }
    const outcome = store.add(label, Buffer.from(randomHex, 'hex'), Buffer.from(secretHex, 'hex'));
    if (outcome === 'full') result.refused++;
    else result.secrets++;
  }
  result.lines = lineNo;
  return result;
}

/** A label cut short and without control characters, to quote in a warning. */
function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? clean.slice(0, 40) + '...' : clean;
}

/**
 * Reads at most `max_keylog_bytes` (plus one, to know it was more) of a key log and parses
 * it. Throws the file system's error when the file cannot be read; the caller words it.
 */
export async function readKeyLogFile(path: string, opts: ParseKeyLogOptions = {}): Promise<KeyLogResult> {
  const max = (opts.limits ?? DEFAULT_LIMITS).max_keylog_bytes;
  const fh = await open(path, 'r');
  try {
    // Chunks, not the size from stat: a pipe (`--keylog <(...)`) has none.
    const chunks: Buffer[] = [];
    let got = 0;
    while (got <= max) {
      const chunk = Buffer.alloc(Math.min(1 << 20, max + 1 - got));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      got += bytesRead;
    }
    return parseKeyLog(Buffer.concat(chunks), opts);
  } finally {
    await fh.close();
  }
}

const IGNORED_WHY: Record<string, string> = {
  RSA: 'keyed by encrypted pre-master secret; use CLIENT_RANDOM lines',
  'RSA Session-ID:': 'keyed by session ID; use CLIENT_RANDOM lines',
  PMS_CLIENT_RANDOM: 'pre-master secrets; use CLIENT_RANDOM lines',
  CLIENT_TRAFFIC_SECRET_N: 'derived from CLIENT_TRAFFIC_SECRET_0 at each KeyUpdate',
  SERVER_TRAFFIC_SECRET_N: 'derived from SERVER_TRAFFIC_SECRET_0 at each KeyUpdate',
};

/**
 * One warning line for the CLI, or null: bad lines with their numbers (the first few),
 * truncation, secrets refused at the limit, and labels not used.
 */
export function keyLogWarning(source: string, r: KeyLogResult, show = 8): string | null {
  const parts: string[] = [];
  if (r.bad_line_count > 0) {
    const listed = r.bad_lines.slice(0, show).map((b) => `line ${b.line}: ${b.reason}`);
    const more = r.bad_line_count - listed.length;
    parts.push(`${r.bad_line_count} bad line${r.bad_line_count === 1 ? '' : 's'} ignored (${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''})`);
  }
  if (r.truncated) parts.push(`larger than max_keylog_bytes; read up to line ${r.lines}`);
  if (r.refused > 0) parts.push(`${r.refused} secret${r.refused === 1 ? '' : 's'} refused: max_tls_secrets (${r.store.limit}) reached`);
  for (const [label, n] of Object.entries(r.ignored)) {
    const why = IGNORED_WHY[label];
    parts.push(`${n} ${label} line${n === 1 ? '' : 's'} not used${why ? ` (${why})` : ''}`);
  }
  if (parts.length === 0) return null;
  return `${source}: ${parts.join('; ')}; ${r.secrets} secret${r.secrets === 1 ? '' : 's'} used`;
}
