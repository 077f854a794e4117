/**
 * Direction-free flow keys. Both directions of a conversation map to the same string;
 * `forward` says whether the packet goes from the lower endpoint to the higher one.
 */
export interface FlowKey {
  key: string;
  /** True when the packet's source is the key's first (lower) endpoint. */
  forward: boolean;
}

export function flowKey(proto: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number, scope = ''): FlowKey {
  const order = compareEndpoints(src, sport, dst, dport);
  const a = endpointText(src, sport);
  const b = endpointText(dst, dport);
  const forward = order <= 0;
  return { key: forward ? `${proto}${scope}|${a}|${b}` : `${proto}${scope}|${b}|${a}`, forward };
}

/** Address bytes and port as a short latin1 string (cheap, unique, not for people). */
function endpointText(addr: Uint8Array, port: number): string {
  let s = '';
  for (let i = 0; i < addr.length; i++) s += String.fromCharCode(addr[i]!);
  return s + String.fromCharCode(port >> 8, port & 0xff);
}

/** Orders endpoints by address bytes, then port (the same order Community ID uses). */
export function compareEndpoints(a: Uint8Array, ap: number, b: Uint8Array, bp: number): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return ap - bp;
}

/** `addr:port` key of a listening endpoint, for expectations. */
export const endpointKey = (addr: string, port: number): string => `${addr}|${port}`;
