/**
 * The Retry Integrity Tag (RFC 9001 §5.8, RFC 9369 §3.3.3): AES-128-GCM with a published
 * key and nonce over the Retry Pseudo-Packet (the client's original Destination Connection
 * ID, length-prefixed, then the Retry packet without its tag), empty plaintext. A Retry
 * whose tag does not verify is not from the server the client wrote to: the client must
 * drop it, and a capture reader should not take its connection ID as the new Initial key.
 * Pure; node:crypto only.
 */
import { createDecipheriv } from 'node:crypto';
import { QUIC_V1, QUIC_V2, type VersionInfo } from './versions.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

const V1 = { key: hex('be0c690b9f66575a1d766b54e368c84e'), nonce: hex('461599d35d632bf2239825bb') };
const V2 = { key: hex('8fb4b01b56ac48e260fbcbcead7ccc92'), nonce: hex('d86969bc2d7c6d9990efb04a') };
/** draft-ietf-quic-tls-29 to -32. */
const DRAFT_29 = { key: hex('ccce187ed09a09d05728155a6cb96be1'), nonce: hex('e54930f97f2136f0530a8c1c') };

function retryKey(v: VersionInfo): { key: Buffer; nonce: Buffer } | null {
  if (v.code === QUIC_V1) return V1;
  if (v.code === QUIC_V2) return V2;
  const draft = v.code >>> 8 === 0xff0000 ? v.code & 0xff : 0;
  return draft >= 29 && draft <= 32 ? DRAFT_29 : null;
}

/** Whether a version's Retry tags can be checked here. */
export const canCheckRetry = (v: VersionInfo): boolean => retryKey(v) !== null;

/**
 * Whether the Retry packet `retry` (the whole packet, tag last) carries a valid tag for
 * `odcid`, the Destination Connection ID of the client's first Initial. False for versions
 * whose key is not known (see `canCheckRetry`).
 */
export function retryIntegrityOk(v: VersionInfo, odcid: Uint8Array, retry: Uint8Array): boolean {
  const k = retryKey(v);
  if (k === null || retry.length < 16 || odcid.length > 255) return false;
  const pseudo = Buffer.concat([Buffer.from([odcid.length]), odcid, retry.subarray(0, retry.length - 16)]);
  try {
    const d = createDecipheriv('aes-128-gcm', k.key, k.nonce, { authTagLength: 16 });
    d.setAAD(pseudo);
    d.setAuthTag(retry.subarray(retry.length - 16));
    d.update(new Uint8Array(0));
    d.final();
    return true;
  } catch {
    return false;
  }
}
