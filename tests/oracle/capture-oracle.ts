/**
 * The oracle against tshark, on every capture of the project and of the shared corpus, three
 * checks per capture:
 * - flows: flow count, and packets and frame bytes per flow, equal tshark's TCP and UDP
 *   conversations (`tcp.stream` / `udp.stream`, which its `-z conv` tables are built on);
 * - tcp-analysis: per frame, `tcp.analysis.*` flags, `ack_rtt`, `tcp.stream`, relative
 *   `tcp.seq`/`tcp.ack`, `tcp.len`, and `udp.stream` on UDP frames, equal tshark's;
 * - protocols: message-level agreement through `../shared/tools/fidelity.py` (HTTP, HTTP/2,
 *   FTP, SMTP, POP3, IMAP, DNS, BitTorrent, TLS hellos). The project's own captures are
 *   compared with decode-as arguments for the ports their services ran on; the corpus with
 *   tshark's own heuristics.
 * Every remaining difference is listed in known-differences.md, and a listed flows or
 * tcp-analysis difference must still be one (or the list is stale).
 *
 * Why one pass: each capture is analysed once, in this process, for all three checks, with
 * one tshark run for flows and TCP analysis together, and fidelity.py runs once per group of
 * captures on the events written here. Three separate oracles cost two more analyses, one more
 * tshark run and a Python start-up (0.5 s of CPU in this sandbox) per capture: about 1000 s
 * of CPU for 300 captures against about 400 s now, which is what kept the suite over 10
 * minutes on CI's two cores.
 *
 * That tshark run is fidelity.py's own command with the oracle's fields added, and fidelity.py
 * reads its rows back instead of starting tshark again (tshark-replay.ts, which says why the
 * rows are the same): one tshark start-up (about 0.46 s of CPU) per capture instead of two.
 *
 * The captures are cut in parts, one test file each, so vitest runs them on different cores.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { NdjsonWriter } from '../../src/report/ndjson.js';
import { describeWith, has, REPO } from '../support/requires.js';
import { compareConversations, CONVERSATION_FIELDS, conversationsFromRows, ourConversations } from './conversations.js';
import { decodeAsFromFlows, judge, ndjsonPath, replayScript, runFidelity } from './fidelity.js';
import { isKnown, knownDifferences } from './known.js';
import { compareTcpFrames, frameTap, FRAME_FIELDS, framesFromRows, type OracleFrames, type TcpDisagreement } from './tcp-analysis.js';
import { oracleCaptures, tsharkFields } from './tshark.js';
import { fidelityTshark, sharedTsharkRun, TsharkReplay, type FidelityTshark } from './tshark-replay.js';

interface Verdicts {
  /** The analysis threw (nothing else was checked). */
  failure?: string;
  flows: string[];
  tcp: TcpDisagreement[];
  /** Unexplained message-level disagreements; null where fidelity.py did not run. */
  protocols: string[] | null;
}

/** A hang bound for a part's setup (a few hundred captures in series), not a timing assumption. */
const SETUP_BOUND_MS = 30 * 60_000;

const OWN = join(REPO, 'captures');
const isOwn = (file: string): boolean => file.startsWith(OWN + '/');
/** fidelity.py reads pcap and pcapng; gzip-compressed captures get the other two checks. */
const fidelityReads = (file: string): boolean => /\.pcap(ng)?$/.test(file);

export function captureOracle(part: number, parts: number): void {
  describeWith(['tshark'], `captures agree with tshark: flows, TCP analysis, protocols (part ${part + 1} of ${parts})`, () => {
    const known = knownDifferences();
    // Every part-th capture, so each part gets a mix of small and large ones.
    const captures = oracleCaptures().filter((_f, i) => i % parts === part);
    const verdicts = new Map<string, Verdicts>();
    let dir = '';
    let spec: FidelityTshark | null = null;
    let replay: TsharkReplay | undefined;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'wirelens-oracle-'));
      if (has('fidelity') && (spec = fidelityTshark())) replay = new TsharkReplay(dir);
      const shared = spec && replay ? { spec, replay } : undefined;
      const groups = new Map<string, string[]>();
      for (const file of captures) {
        const { verdict, decodeAs } = await checkTransport(file, ndjsonPath(dir, file), fidelityReads(file) ? shared : undefined);
        verdicts.set(file, verdict);
        if (verdict.failure || !fidelityReads(file)) continue;
        const key = JSON.stringify(isOwn(file) ? decodeAs : []);
        let group = groups.get(key);
        if (!group) groups.set(key, (group = []));
        group.push(file);
      }
      if (!has('fidelity')) return;
      const wirelens = replayScript(dir);
      for (const [key, files] of groups) {
        const { unexplained } = judge(runFidelity(files, JSON.parse(key) as string[], wirelens, replay?.env()));
        for (const file of files) {
          const v = verdicts.get(file)!;
          const name = basename(file);
          v.protocols = unexplained.filter((line) => line.startsWith(`${name}:`) || line.startsWith(`${name} `));
        }
      }
    }, SETUP_BOUND_MS);

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('has its share of the captures', () => {
      // About 100 of the project's own, and 216 more where the shared corpus is beside it.
      expect(captures.length).toBeGreaterThan(has('corpus') ? 70 : 20);
    });

    const cases = captures.map((f) => [basename(f), f]);
    const verdictOf = (file: string): Verdicts => {
      const v = verdicts.get(file)!;
      expect(v.failure).toBeUndefined();
      return v;
    };

    it.each(cases)('flows: %s', (name, file) => {
      const diffs = verdictOf(file).flows;
      if (isKnown(known, 'flows', name)) {
        expect(diffs, `${name} is listed in known-differences.md but now agrees with tshark`).not.toEqual([]);
      } else {
        expect(diffs).toEqual([]);
      }
    });

    it.each(cases)('tcp-analysis: %s', (name, file) => {
      const diffs = verdictOf(file).tcp;
      if (process.env.WIRELENS_ORACLE_LOG && diffs.length) console.log(name, JSON.stringify(diffs.slice(0, 6)));
      if (isKnown(known, 'tcp-analysis', name)) {
        expect(diffs, `${name} is listed in known-differences.md but now agrees with tshark`).not.toEqual([]);
      } else {
        expect(diffs).toEqual([]);
      }
    });

    describeWith(['fidelity'], 'protocols', () => {
      it("fidelity.py reads tshark from the oracle's own run (one tshark start-up per capture)", () => {
        // Not a wrong answer but a slow one: fidelity.py's filter is no longer protocol names
        // (spec null), or its tshark command changed and fidelityArgs no longer builds it.
        expect(spec, "fidelity.py's display filter is not protocol names joined with 'or'").not.toBeNull();
        expect(replay?.misses()).toEqual([]);
      });

      it.each(cases.filter(([, f]) => fidelityReads(f!)))('protocols: %s', (_name, file) => {
        expect(verdictOf(file).protocols).toEqual([]);
      });
    });
  });
}

/** Both checks' fields, each once: tshark fills only the last column of a field named twice. */
const TSHARK_FIELDS = [...new Set([...CONVERSATION_FIELDS, ...FRAME_FIELDS])];

/** `rows` of `TSHARK_FIELDS` cut down to `fields`, in that order. */
function columns(rows: readonly string[][], fields: readonly string[]): string[][] {
  const at = fields.map((f) => TSHARK_FIELDS.indexOf(f));
  return rows.map((r) => at.map((i) => r[i] ?? ''));
}

/**
 * One analysis (every event to `ndjson`, every frame through the packet tap) and one tshark
 * run: the flows and TCP-analysis verdicts, and the decode-as arguments for fidelity.py.
 * With `shared`, that tshark run is fidelity.py's own command with this check's fields added,
 * and fidelity.py's rows are kept for it to replay (tshark-replay.ts).
 */
async function checkTransport(
  file: string,
  ndjson: string,
  shared?: { spec: FidelityTshark; replay: TsharkReplay },
): Promise<{ verdict: Verdicts; decodeAs: string[] }> {
  const ours: OracleFrames = { tcp: new Map(), udp: new Map() };
  const flowEnds: WireEvent[] = [];
  const fd = openSync(ndjson, 'w');
  const writer = new NdjsonWriter((bytes) => writeSync(fd, bytes));
  try {
    await analyze(
      file,
      {
        emit: (e) => {
          writer.emit(e);
          if (e.type === 'flow.end') flowEnds.push(e);
        },
      },
      { packetTap: frameTap(ours), governHeap: false },
    );
    writer.flush();
  } catch (err) {
    return { verdict: { failure: String(err), flows: [], tcp: [], protocols: null }, decodeAs: [] };
  } finally {
    closeSync(fd);
  }

  const services = flowEnds.map((e) => ({ proto: String(e.proto), service: typeof e.service === 'string' ? e.service : null, resp_p: Number(e.resp_p) }));
  const decodeAs = decodeAsFromFlows(services);
  const rows = shared
    ? sharedTsharkRun(shared.spec, file, isOwn(file) ? decodeAs : [], TSHARK_FIELDS, shared.replay).rows
    : tsharkFields(file, TSHARK_FIELDS, ['-E', 'occurrence=a']);
  const flows = compareConversations(conversationsFromRows(columns(rows, CONVERSATION_FIELDS)), ourConversations(flowEnds));
  // Per frame, as `-Y '(tcp || udp) && !icmp && !icmpv6'` with each field's first occurrence
  // would give: a transport header quoted inside an ICMP error is not a TCP or UDP frame.
  const layers = TSHARK_FIELDS.indexOf('frame.protocols');
  const transportFrames = rows.filter((r) => {
    const l = (r[layers] ?? '').split(':');
    return (l.includes('tcp') || l.includes('udp')) && !l.includes('icmp') && !l.includes('icmpv6');
  });
  const theirs = framesFromRows(columns(transportFrames, FRAME_FIELDS).map((r) => r.map((v) => v.split(',')[0]!)));
  const tcp = compareTcpFrames(theirs.tcp, ours.tcp, 20);
  for (const [frame, n] of theirs.udp) {
    if (tcp.length >= 40) break;
    const o = ours.udp.get(frame);
    if (o !== n) tcp.push({ frame, what: 'udp_stream', tshark: String(n), wirelens: String(o ?? '-') });
  }
  return { verdict: { flows, tcp, protocols: null }, decodeAs };
}
