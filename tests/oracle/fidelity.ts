/**
 * Message-level agreement with tshark, through the shared contract script
 * `../shared/tools/fidelity.py` (its docstring names the event fields it compares).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isKnown, knownDifferences } from './known.js';
import { REPO, SHARED } from '../support/requires.js';

export const FIDELITY = join(SHARED, 'tools', 'fidelity.py');

interface Counts {
  tshark: number;
  wirelens: number;
  matched: number;
  missing: unknown[];
  extra: unknown[];
}

export interface FidelityRun {
  files: Record<string, Record<string, Counts>>;
  failures: Record<string, string>;
}

/**
 * fidelity.py on `captures`, in one Python process. `wirelens` is the command it runs as
 * `CMD events CAPTURE` (default: bin/wirelens); `env` may put a stand-in tshark first on its
 * PATH (tshark-replay.ts).
 */
export function runFidelity(captures: string[], tsharkArgs: string[] = [], wirelens = join(REPO, 'bin', 'wirelens'), env: NodeJS.ProcessEnv = process.env): FidelityRun {
  const args = [FIDELITY, '--json', '--timeout', '120', '--wirelens', wirelens];
  for (const a of tsharkArgs) args.push(`--tshark-arg=${a}`);
  const text = execFileSync('python3', [...args, ...captures], { encoding: 'utf8', maxBuffer: 1 << 26, cwd: REPO, env });
  return JSON.parse(text) as FidelityRun;
}

/** Where a capture's events go: one file per capture, named after its whole path. */
export function ndjsonPath(dir: string, file: string): string {
  return join(dir, `${file.replace(/[^\w.-]/g, '_')}.ndjson`);
}

/**
 * A stand-in for `bin/wirelens` that fidelity.py runs as `CMD events CAPTURE`: it prints the
 * events this process wrote for that capture.
 */
export function replayScript(dir: string): string {
  const script = join(dir, 'replay.sh');
  writeFileSync(script, `#!/bin/sh\nexec cat "${dir}/$(printf %s "$2" | tr -c 'A-Za-z0-9_.\\n-' _).ndjson"\n`);
  return `sh ${script}`;
}

/** Disagreements not listed in known-differences.md, one line each; and totals per protocol. */
export function judge(run: FidelityRun): { unexplained: string[]; totals: Record<string, { tshark: number; wirelens: number; matched: number }> } {
  const known = knownDifferences();
  const unexplained: string[] = [];
  const totals: Record<string, { tshark: number; wirelens: number; matched: number }> = {};
  for (const [file, why] of Object.entries(run.failures)) unexplained.push(`${basename(file)}: wirelens failed: ${why}`);
  for (const [file, protocols] of Object.entries(run.files)) {
    for (const [protocol, c] of Object.entries(protocols)) {
      const t = (totals[protocol] ??= { tshark: 0, wirelens: 0, matched: 0 });
      t.tshark += c.tshark;
      t.wirelens += c.wirelens;
      t.matched += c.matched;
      if ((c.missing.length || c.extra.length) && !isKnown(known, protocol, basename(file))) {
        unexplained.push(
          `${basename(file)} ${protocol}: tshark ${c.tshark}, wirelens ${c.wirelens}, matched ${c.matched}; ` +
            `missing ${JSON.stringify(c.missing.slice(0, 3))}, extra ${JSON.stringify(c.extra.slice(0, 3))}`,
        );
      }
    }
  }
  return { unexplained, totals };
}

/** tshark's protocol name for a wirelens service, for `-d tcp.port==N,NAME`. */
const TSHARK_NAMES: Record<string, string> = {
  http: 'http',
  http2: 'http2',
  ftp: 'ftp',
  smtp: 'smtp',
  pop3: 'pop',
  imap: 'imap',
  dns: 'dns',
  bittorrent: 'bittorrent',
  tls: 'tls',
};

const STARTTLS_PORTS = new Set([21, 25, 110, 143, 587]);

/**
 * Decode-as arguments so tshark looks at the same flows on odd ports: from the services
 * wirelens found. Used only on the project's own captures, whose contents are known from
 * how they were recorded (captures/PROVENANCE.md); the corpus is compared with tshark's
 * own heuristics.
 */
export function decodeAsFromFlows(flows: Array<{ proto: string; service: string | null; resp_p: number }>): string[] {
  const out = new Set<string>();
  for (const f of flows) {
    // A flow handed to TLS by STARTTLS keeps its text protocol's port, which tshark follows by itself.
    if (f.service === 'tls' && STARTTLS_PORTS.has(f.resp_p)) continue;
    const name = f.service ? TSHARK_NAMES[f.service] : undefined;
    if (name && f.resp_p && (f.proto === 'tcp' || f.proto === 'udp')) out.add(`-d ${f.proto}.port==${f.resp_p},${name}`);
  }
  return [...out].sort().flatMap((d) => d.split(' '));
}
