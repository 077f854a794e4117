/**
 * `wirelens packets FILE`: one line per frame, as tshark prints them by default; `--detail`
 * adds each frame's header tree, `--json` prints the tree as one JSON object per line.
 *
 * How a frame's Info names its application message: the engine emits a message event
 * (`http.request`, `dns.message`, `smtp.command`...) while it processes the packet that
 * completes the message, stamped with that frame; the packet tap runs right after, so the
 * events of the current frame are at hand and are dropped once its line is written. The
 * output streams: nothing is kept across frames. A message finished only when its flow ends
 * (an incomplete transaction) names no frame.
 *
 * `--filter EXPR` is evaluated per frame, as `tshark -Y` is: packet fields read the frame,
 * message fields read the messages that frame completed.
 */
import { compileFilter, FilterSyntaxError, type CompiledFilter } from '../../filter/index.js';
import { toJson } from '../../events/json.js';
import { eachFrame } from '../../packets/each-frame.js';
import { detailTree, summarize, type PacketSummary } from '../../packets/line.js';
import { visible } from '../../report/safe-text.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeOptions, type CommonOptions } from '../options.js';

export async function packetsCommand(file: string, opts: CommonOptions & { detail?: boolean; json?: boolean; filter?: string }): Promise<number> {
  const filter = opts.filter ? frameFilter(opts.filter) : null;
  let pending = '';
  const flush = (): void => {
    if (pending.length) out(pending);
    pending = '';
  };
  try {
    await eachFrame(file, { ...analyzeOptions(opts), onProgress: progressReporter('reading') }, (f) => {
      if (filter && !filter.matches(f.subject())) return;
      const { p, decoded, flow, tcp, t0, app } = f;
      if (opts.json) {
        pending += toJson({ ...summaryJson(summarize(p, decoded, flow, tcp, t0, app)), layers: detailTree(p, decoded, flow, tcp, app) }) + '\n';
      } else {
        pending += formatLine(summarize(p, decoded, flow, tcp, t0, app)) + '\n';
        if (opts.detail) pending += treeText(detailTree(p, decoded, flow, tcp, app)) + '\n';
      }
      if (pending.length > 1 << 16) flush();
    });
    flush();
  } finally {
    clearProgress();
  }
  return 0;
}

function frameFilter(text: string): CompiledFilter {
  try {
    return compileFilter(text);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new UserError(`bad --filter: ${err.message}`);
    throw err;
  }
}

/** Frames are numbered before the engine sees them: the tap sets the next frame's number ahead. */
export function formatLine(s: PacketSummary): string {
  return `${String(s.frame).padStart(6)} ${s.time.toFixed(6).padStart(12)} ${visible(s.source).padStart(15)} → ${visible(s.destination).padEnd(15)} ${s.protocol.padEnd(6)} ${String(s.length).padStart(5)} ${visible(s.info)}`;
}

function summaryJson(s: PacketSummary) {
  return { frame: s.frame, time: Math.round(s.time * 1e9) / 1e9, source: s.source, destination: s.destination, protocol: s.protocol, length: s.length, info: s.info };
}

/** The tree as indented `name: value` lines. */
function treeText(tree: object, depth = 1): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(tree)) {
    const pad = '    '.repeat(depth);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      lines.push(`${pad}${k}`);
      lines.push(treeText(v, depth + 1));
    } else {
      lines.push(`${pad}${k}: ${visible(Array.isArray(v) ? JSON.stringify(v) : String(v))}`);
    }
  }
  return lines.filter((l) => l.length).join('\n');
}
