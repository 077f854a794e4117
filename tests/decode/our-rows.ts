/** wirelens's side of the decode oracles: per frame, the addresses and ports it decodes. */
import { readCapture } from '../../src/capture/index.js';
import { formatAddress, PacketDecoder, type DecodeProblem } from '../../src/decode/index.js';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';

/** One row per frame: `src dst [sport dport]`, or '' where no IP layer was decoded. */
export async function ourRows(path: string, problems: DecodeProblem[] = []): Promise<string[]> {
  const rows: string[] = [];
  const decoder = new PacketDecoder(DEFAULT_LIMITS, (p) => problems.push(p));
  await readCapture(path, {
    packet: (p) => {
      const r = decoder.decode(p.link_type, p.data, p.ts);
      if (r.kind !== 'ip') return void rows.push('');
      const t = r.packet.transport;
      rows.push(`${formatAddress(r.packet.src)} ${formatAddress(r.packet.dst)} ${t ? `${t.src_port} ${t.dst_port}` : ''}`.trim());
    },
    problem: () => {},
  });
  return rows;
}
