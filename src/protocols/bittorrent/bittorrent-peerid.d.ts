declare module 'bittorrent-peerid' {
  /** Client name and version from a 20-byte peer id; throws on a wrong length. */
  export default function peerid(peerId: Buffer | string): { client: string; version?: string };
}
