/**
 * Content codings (gzip, deflate, br) undone with Node's zlib, synchronously, so events keep
 * their order and output is deterministic. Input is the accumulated body (bounded by
 * `max_object`); output is bounded by `maxOutputLength`, set to the smaller of
 * `max_decompressed` and `max_decompression_ratio` × input, so a decompression bomb costs
 * at most that much memory and time and ends in an anomaly, never a hang.
 *
 * Truncated bodies (capture ended, gap) decode as far as they go: the flush mode makes zlib
 * return what it has instead of failing on the missing end. `deflate` is tried as zlib
 * (RFC 9110) first and raw DEFLATE second, since some servers send raw streams.
 */
import * as zlib from 'node:zlib';

export interface DecodeLimits {
  readonly max_decompressed: number;
  readonly max_decompression_ratio: number;
}

export type DecodeOutcome =
  | { readonly status: 'ok'; readonly data: Uint8Array }
  /** No coding, or only `identity`. */
  | { readonly status: 'identity'; readonly data: Uint8Array }
  /** A coding we do not undo (`compress`, `zstd`...): the body stays encoded. */
  | { readonly status: 'unsupported'; readonly coding: string }
  | { readonly status: 'failed'; readonly coding: string; readonly detail: string }
  | { readonly status: 'limit'; readonly coding: string; readonly detail: string };

/** Content-Encoding tokens in the order they were applied. */
export function codings(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s && s !== 'identity');
}

export function decodeBody(body: Uint8Array, applied: readonly string[], limits: DecodeLimits): DecodeOutcome {
  if (!applied.length) return { status: 'identity', data: body };
  let data = body;
  // Codings are listed in the order applied, so undo them last first.
  for (let i = applied.length - 1; i >= 0; i--) {
    const coding = applied[i]!;
    const budget = Math.max(1, Math.min(limits.max_decompressed, Math.ceil(data.length * limits.max_decompression_ratio)));
    const step = inflate(coding, data, budget);
    if (step.status !== 'ok') {
      if (step.status === 'limit') {
        const which = budget === limits.max_decompressed ? `max_decompressed (${limits.max_decompressed} bytes)` : `max_decompression_ratio (${limits.max_decompression_ratio})`;
        return { status: 'limit', coding, detail: `${coding} body exceeds ${which}; decoding stopped` };
      }
      return step.status === 'unsupported' ? { status: 'unsupported', coding } : { status: 'failed', coding, detail: step.detail };
    }
    data = step.data;
  }
  return { status: 'ok', data };
}

type Step =
  | { status: 'ok'; data: Uint8Array }
  | { status: 'unsupported' }
  | { status: 'failed'; detail: string }
  | { status: 'limit' };

function inflate(coding: string, input: Uint8Array, maxOutputLength: number): Step {
  const zopts: zlib.ZlibOptions = { maxOutputLength, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return attempt(() => zlib.gunzipSync(input, zopts));
    case 'deflate': {
      const wrapped = attempt(() => zlib.inflateSync(input, zopts));
      if (wrapped.status !== 'failed') return wrapped;
      const raw = attempt(() => zlib.inflateRawSync(input, zopts));
      return raw.status === 'failed' ? wrapped : raw;
    }
    case 'br':
      return attempt(() =>
        zlib.brotliDecompressSync(input, { maxOutputLength, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }),
      );
    default:
      return { status: 'unsupported' };
  }
}

function attempt(run: () => Buffer): Step {
  try {
    const out = run();
    return { status: 'ok', data: new Uint8Array(out.buffer, out.byteOffset, out.length) };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === 'ERR_BUFFER_TOO_LARGE') return { status: 'limit' };
    return { status: 'failed', detail: `${err.code ?? 'error'}: ${err.message ?? String(e)}`.slice(0, 200) };
  }
}
