/**
 * SASL exchanges as SMTP AUTH, POP3 AUTH and IMAP AUTHENTICATE carry them (RFC 4422), base64
 * lines both ways. Decodes what can be decoded into a user and a secret: PLAIN (RFC 4616),
 * LOGIN (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195: the secret is the response
 * digest, which with the challenge allows an offline guess but is not the password), and
 * XOAUTH2 (the bearer token). Other mechanisms give the user name when they reveal it.
 */
import type { Position } from './contract.js';
import { decodeText } from './text.js';

export interface SaslCredentials {
  readonly user: string;
  readonly secret: string;
  readonly mechanism: string;
  /** The frame of the client line that carried the secret, when the caller said where each line was. */
  readonly at?: Position;
}

/** Base64 text to bytes; null when it is not base64 (a cancel `*`, garbage). */
export function decodeBase64(text: string): Uint8Array | null {
  const t = text.trim();
  if (t === '' || t === '=') return new Uint8Array(0);
  if (!/^[A-Za-z0-9+/]+=*$/.test(t)) return null;
  return new Uint8Array(Buffer.from(t, 'base64'));
}

export class SaslExchange {
  readonly mechanism: string;
  private readonly responses: Uint8Array[] = [];
  /** Where each response was read (a credential carries the frame that held the secret, as Wireshark shows it). */
  private readonly positions: Array<Position | undefined> = [];
  private challenges = 0;
  cancelled = false;

  constructor(mechanism: string, initialResponse: string | null, at?: Position) {
    this.mechanism = mechanism.toUpperCase();
    // "=" is an empty initial response (RFC 4954 §4).
    if (initialResponse !== null && initialResponse !== '') this.response(initialResponse, at);
  }

  /** A server challenge arrived (the text after `334 ` / `+ `). */
  challenge(): void {
    this.challenges++;
  }

  /** A client response line, read in the packet at `at`. */
  response(line: string, at?: Position): void {
    if (line.trim() === '*') {
      this.cancelled = true;
      return;
    }
    const bytes = decodeBase64(line);
    if (bytes) {
      this.responses.push(bytes);
      this.positions.push(at);
    }
  }

  /** What the exchange revealed so far, or null; `at` is where the line holding the secret was read. */
  credentials(): SaslCredentials | null {
    const found = this.decode();
    if (!found) return null;
    // LOGIN's secret is its second response; every other mechanism's is in its first.
    const at = this.positions[this.mechanism === 'LOGIN' ? 1 : 0];
    return at ? { ...found, at } : found;
  }

  private decode(): SaslCredentials | null {
    const r = this.responses;
    switch (this.mechanism) {
      case 'PLAIN': {
        if (!r[0]) return null;
        const fields = splitNul(r[0]);
        if (fields.length < 3) return null;
        return { user: fields[1]!, secret: fields[2]!, mechanism: 'plain' };
      }
      case 'LOGIN':
        if (r.length < 2) return null;
        return { user: decodeText(r[0]!), secret: decodeText(r[1]!), mechanism: 'login' };
      case 'CRAM-MD5': {
        if (!r[0]) return null;
        const text = decodeText(r[0]);
        const sp = text.lastIndexOf(' ');
        if (sp <= 0) return null;
        return { user: text.slice(0, sp), secret: text.slice(sp + 1), mechanism: 'cram-md5' };
      }
      case 'XOAUTH2': {
        if (!r[0]) return null;
        const text = decodeText(r[0]);
        const user = /user=([^\x01]*)/.exec(text)?.[1];
        const token = /auth=(?:Bearer )?([^\x01]*)/.exec(text)?.[1];
        if (user === undefined || token === undefined) return null;
        return { user, secret: token, mechanism: 'xoauth2' };
      }
      default:
        return null;
    }
  }
}

function splitNul(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      out.push(decodeText(bytes, start, i));
      start = i + 1;
    }
  }
  return out;
}
