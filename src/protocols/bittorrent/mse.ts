/**
 * Message Stream Encryption / Protocol Encryption (the Vuze/libtorrent spec): both sides
 * open with a 768-bit Diffie-Hellman public key (96 bytes) and 0-512 bytes of random
 * padding, so the first bytes of an encrypted connection look uniformly random. There is
 * no magic; we only call a connection encrypted when a port or a handshake elsewhere has
 * already suggested BitTorrent, and the opening bytes look like random data of that size.
 */
export const MSE_KEY_LENGTH = 96;
export const MSE_MAX_OPENING = 96 + 512;

/** Ports BitTorrent clients listen on by default (6881-6889 classic, 51413 Transmission). */
export const BT_PORTS = [6881, 6882, 6883, 6884, 6885, 6886, 6887, 6888, 6889, 51413];

const SEEN = new Uint32Array(8);

export function looksEncrypted(b: Uint8Array): boolean {
  if (b.length < MSE_KEY_LENGTH) return false;
  const head = b.subarray(0, MSE_KEY_LENGTH);
  // Not another protocol's opening: TLS record, HTTP method, the BitTorrent handshake.
  if (head[0] === 0x16 && head[1] === 0x03) return false;
  if (head[0] === 0x13) return false;
  let printable = 0;
  let distinct = 0;
  // A bit per byte value, cleared each call (asked of every undecided BitTorrent-port opening).
  SEEN.fill(0);
  for (let i = 0; i < MSE_KEY_LENGTH; i++) {
    const x = head[i]!;
    const bit = 1 << (x & 31);
    if ((SEEN[x >> 5]! & bit) === 0) {
      SEEN[x >> 5]! |= bit;
      distinct++;
    }
    if (x >= 0x20 && x < 0x7f) printable++;
  }
  // 96 random bytes have ~80 distinct values and ~35 printable ones; text has far fewer distinct.
  return distinct >= 64 && printable < 70;
}
