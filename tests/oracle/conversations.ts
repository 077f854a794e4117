/**
 * Flow counts compared with tshark's conversations: for every TCP and UDP conversation
 * tshark sees (`tcp.stream` / `udp.stream`, the index its `-z conv,tcp` and `-z conv,udp`
 * tables are built on), the packets and frame bytes per direction, matched to wirelens
 * flows by endpoints and first frame.
 */
import type { WireEvent } from '../../src/events/event.js';

export interface Conversation {
  proto: 'tcp' | 'udp';
  /** Endpoints as `addr|port`, sorted, so direction does not matter. */
  key: string;
  firstFrame: number;
  packets: number;
  bytes: number;
}

const endpointKey = (a: string, ap: string, b: string, bp: string): string => [`${a}|${ap}`, `${b}|${bp}`].sort().join(' ');

/** The tshark fields `conversationsFromRows` reads, in this order. */
export const CONVERSATION_FIELDS = ['frame.number', 'frame.len', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'udp.stream', 'udp.srcport', 'udp.dstport'];

/**
 * tshark's conversations from rows of `CONVERSATION_FIELDS`, read with every occurrence of
 * each field (`-E occurrence=a`, comma-separated) and no display filter: a tunnelled frame
 * has an IP layer per tunnel, and a UDP tunnel's own conversation besides the inner one.
 */
export function conversationsFromRows(rows: readonly string[][]): Conversation[] {
  const byStream = new Map<string, Conversation>();
  const all = (v: string | undefined): string[] => (v ? v.split(',') : []);
  for (const r of rows) {
    const [frame, len, protocols, ip4s, ip4d, ip6s, ip6d, tstream, tsp, tdp, ustream, usp, udp] = r;
    const v4 = { src: all(ip4s), dst: all(ip4d) };
    const v6 = { src: all(ip6s), dst: all(ip6d) };
    const seen = { ip: 0, ipv6: 0, tcp: 0, udp: 0 };
    let src: string | undefined;
    let dst: string | undefined;
    // Walk the layers in order: each TCP or UDP layer belongs to the IP layer before it. A
    // TCP/UDP header quoted inside an ICMP error is not a packet of that conversation: stop there.
    for (const layer of (protocols ?? '').split(':')) {
      if (layer === 'icmp' || layer === 'icmpv6') break;
      if (layer === 'ip' || layer === 'ipv6') {
        const v = layer === 'ip' ? v4 : v6;
        const i = seen[layer]++;
        src = v.src[i];
        dst = v.dst[i];
      } else if ((layer === 'tcp' || layer === 'udp') && src && dst) {
        const i = seen[layer]++;
        const [streams, sps, dps] = layer === 'tcp' ? [all(tstream), all(tsp), all(tdp)] : [all(ustream), all(usp), all(udp)];
        if (streams[i] === undefined) continue;
        const stream = `${layer}${streams[i]}`;
        let c = byStream.get(stream);
        if (!c) {
          c = { proto: layer, key: endpointKey(src, sps[i]!, dst, dps[i]!), firstFrame: Number(frame), packets: 0, bytes: 0 };
          byStream.set(stream, c);
        }
        c.packets++;
        c.bytes += Number(len);
      }
    }
  }
  return [...byStream.values()];
}

/** wirelens's conversations from its `flow.end` events (other events are ignored). */
export function ourConversations(events: readonly WireEvent[]): Conversation[] {
  return events
    .filter((e) => e.type === 'flow.end' && (e.proto === 'tcp' || e.proto === 'udp'))
    .map((f) => ({
      proto: f.proto as 'tcp' | 'udp',
      key: endpointKey(String(f.orig_h), String(f.orig_p), String(f.resp_h), String(f.resp_p)),
      firstFrame: Number(f.first_frame),
      packets: Number(f.orig_pkts) + Number(f.resp_pkts),
      bytes: Number(f.orig_frame_bytes) + Number(f.resp_frame_bytes),
    }));
}

/**
 * Disagreements, one line each. Conversations with the same endpoints are compared in
 * order of first frame, so a 5-tuple reused for a new connection is checked per connection;
 * where one tool splits a conversation and the other does not, the totals per endpoint
 * pair are compared instead.
 */
export function compareConversations(ref: Conversation[], ours: Conversation[]): string[] {
  const group = (cs: Conversation[]) => {
    const m = new Map<string, Conversation[]>();
    for (const c of cs) {
      const k = `${c.proto} ${c.key}`;
      m.set(k, [...(m.get(k) ?? []), c]);
    }
    for (const list of m.values()) list.sort((a, b) => a.firstFrame - b.firstFrame);
    return m;
  };
  const r = group(ref);
  const o = group(ours);
  const out: string[] = [];
  for (const k of new Set([...r.keys(), ...o.keys()])) {
    const a = r.get(k) ?? [];
    const b = o.get(k) ?? [];
    const sum = (cs: Conversation[]) => cs.reduce((s, c) => [s[0]! + c.packets, s[1]! + c.bytes], [0, 0]);
    if (!a.length) out.push(`${k}: only wirelens has it (${sum(b)[0]} packets)`);
    else if (!b.length) out.push(`${k}: only tshark has it (${sum(a)[0]} packets)`);
    else if (a.length === b.length) {
      a.forEach((c, i) => {
        const d = b[i]!;
        if (c.packets !== d.packets || c.bytes !== d.bytes)
          out.push(`${k} from frame ${c.firstFrame}: tshark ${c.packets} packets ${c.bytes} bytes, wirelens ${d.packets} packets ${d.bytes} bytes`);
      });
    } else {
      const [ap, ab] = sum(a);
      const [bp, bb] = sum(b);
      const note = `tshark ${a.length} conversations, wirelens ${b.length}`;
      if (ap !== bp || ab !== bb) out.push(`${k}: ${note}; tshark ${ap} packets ${ab} bytes, wirelens ${bp} packets ${bb} bytes`);
      else out.push(`${k}: ${note} (same packets and bytes)`);
    }
  }
  return out.sort();
}
