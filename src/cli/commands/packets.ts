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
import { treeText } from '../../packets/tree-text.js';
import { IoBins, MAX_IO_BINS, parseInterval } from '../../packets/io-graph.js';
import { visible } from '../../report/safe-text.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeOptions, type CommonOptions } from '../options.js';

export async function packetsCommand(file: string, opts: CommonOptions & { detail?: boolean; json?: boolean; filter?: string; ioInterval?: string }): Promise<number> {
  const filter = opts.filter ? frameFilter(opts.filter) : null;
  if (opts.ioInterval !== undefined) return ioGraphCommand(file, opts, filter, opts.ioInterval);
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

/**
 * `--io-interval S`: the I/O graph at that interval (tshark's `-z io,stat,S,FILTER`): frames
 * and bytes per interval since the first frame, of the frames the filter selects.
 */
async function ioGraphCommand(file: string, opts: CommonOptions & { json?: boolean }, filter: CompiledFilter | null, text: string): Promise<number> {
  const seconds = parseInterval(text);
  if (seconds === null) throw new UserError(`bad --io-interval: ${JSON.stringify(text)} is not a number of seconds (e.g. 0.01, 1)`);
  const bins = new IoBins(seconds);
  try {
    await eachFrame(file, { ...analyzeOptions(opts), onProgress: progressReporter('reading') }, (f) => {
      if (!filter || filter.matches(f.subject())) bins.add(f.sinceNs, f.p.orig_len);
    });
  } finally {
    clearProgress();
  }
  if (opts.json) {
    out(toJson({ interval: bins.interval, asked_interval: bins.askedNs / 1e9, frames: bins.frames, bytes: bins.bytes }) + '\n');
    return 0;
  }
  out(ioTable(bins).join('\n') + '\n');
  return 0;
}

/** The table: one row per interval, `start <> end  frames  bytes` and a bar of the bytes. */
export function ioTable(bins: IoBins): string[] {
  const lines = [`I/O graph: interval ${bins.interval} s${bins.intervalNs !== bins.askedNs ? ` (doubled from ${bins.askedNs / 1e9} s to keep at most ${MAX_IO_BINS} intervals)` : ''}`];
  const max = Math.max(0, ...bins.bytes);
  const digits = Math.max(1, ...[bins.interval, bins.askedNs / 1e9].map((v) => (String(v).split('.')[1] ?? '').length));
  const at = (i: number) => ((i * bins.intervalNs) / 1e9).toFixed(Math.min(9, digits));
  lines.push(`${'start <> end'.padEnd(27)} ${'frames'.padStart(8)} ${'bytes'.padStart(12)}`);
  for (let i = 0; i < bins.frames.length; i++) {
    const bar = max ? '█'.repeat(Math.round((bins.bytes[i]! / max) * 30)) : '';
    lines.push(`${`${at(i)} <> ${at(i + 1)}`.padEnd(27)} ${String(bins.frames[i]).padStart(8)} ${String(bins.bytes[i]).padStart(12)} ${bar}`);
  }
  return lines;
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
