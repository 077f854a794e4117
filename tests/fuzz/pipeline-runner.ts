/**
 * Runs one capture (bytes in memory) through the whole pipeline with every dissector, the
 * way the CLI does, and reports what a fuzzer checks: the outcome, the time it took, the
 * heap it left, and any `dissect.error` (a dissector that threw: always a bug).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureError } from '../../src/capture/index.js';
import type { Limits } from '../../src/dissect/limits.js';
import type { WireEvent } from '../../src/events/event.js';
import { toJson } from '../../src/events/json.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { zeek } from '../support/requires.js';

export interface RunResult {
  /** `ok`: read (perhaps with anomalies); `unreadable`: a CaptureError; `crash`: anything else thrown. */
  outcome: 'ok' | 'unreadable' | 'crash';
  error?: string;
  events: number;
  dissectErrors: string[];
  /** Events whose JSON form could not be produced or was not valid JSON. */
  badJson: string[];
  ms: number;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  // Two pieces, so the reader's chunk boundaries get exercised too.
  const cut = bytes.length >> 1;
  yield bytes.slice(0, cut);
  yield bytes.slice(cut);
}

export async function runPipeline(bytes: Uint8Array, limits?: Partial<Limits>): Promise<RunResult> {
  const started = performance.now();
  const result: RunResult = { outcome: 'ok', events: 0, dissectErrors: [], badJson: [], ms: 0 };
  const check = (e: WireEvent): void => {
    result.events++;
    if (e.type === 'anomaly' && e.code === 'dissect.error') result.dissectErrors.push(String(e.detail));
    try {
      JSON.parse(toJson(e));
    } catch (err) {
      if (result.badJson.length < 5) result.badJson.push(`${e.type}: ${(err as Error).message}`);
    }
  };
  try {
    await analyze('-', { emit: check }, { stdin: once(bytes), wantsObjects: true, onObject: () => {}, tap: () => {}, limits });
  } catch (err) {
    if (err instanceof CaptureError) {
      result.outcome = 'unreadable';
      result.error = err.message;
    } else {
      result.outcome = 'crash';
      result.error = err instanceof Error ? `${err.message}\n${err.stack}` : String(err);
    }
  }
  result.ms = performance.now() - started;
  return result;
}

export const ROOT = new URL('../..', import.meta.url).pathname;

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

/** Seed captures: the project's own and the shared corpus, up to `maxBytes` each. */
export function seedCaptures(maxBytes: number): Seed[] {
  const seeds: Seed[] = [];
  for (const dir of [join(ROOT, 'captures'), zeek()]) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => /\.pcap(ng)?$/.test(n)).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      const path = join(dir, n);
      if (statSync(path).size <= maxBytes) seeds.push({ name: n, bytes: new Uint8Array(readFileSync(path)) });
    }
  }
  return seeds;
}

/** A one-line description of what went wrong, or null when the run is clean. */
export function problemOf(r: RunResult, maxMs: number): string | null {
  if (r.outcome === 'crash') return `uncaught: ${r.error}`;
  if (r.dissectErrors.length) return `dissect.error: ${r.dissectErrors.join(' | ')}`;
  if (r.badJson.length) return `bad JSON: ${r.badJson.join(' | ')}`;
  if (r.ms > maxMs) return `took ${Math.round(r.ms)} ms (cap ${maxMs} ms)`;
  return null;
}
