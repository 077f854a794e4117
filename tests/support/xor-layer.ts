/**
 * A test-only "transforming" layer for the inner-stream stage: TCP payloads of a real
 * capture XORed with 0x5a, and a dissector that undoes the XOR and hands the plaintext to
 * `ctx.openInner`, as the TLS dissector hands on decrypted application data. Whatever the
 * plain capture yields must come out of the inner stream unchanged, with the same frames.
 */
import { readCapture } from '../../src/capture/index.js';
import type { DissectorContext, ProtocolDescriptor, StreamDissector } from '../../src/dissect/contract.js';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import { PacketDecoder } from '../../src/decode/index.js';
import type { Direction } from '../../src/events/event.js';
import { concat, pcapHeader, pcapRecord, tempFile } from '../capture/builders.js';

// A test-only layer: its events are marked `xor: true`, as TLS's are marked `tls: true`.
declare module '../../src/events/event-map.js' {
  interface LayerMarks {
    xor?: true;
  }
}

export const XOR_KEY = 0x5a;

/**
 * A copy of a pcap capture (one link type) with every TCP payload byte XORed with 0x5a; the
 * headers stay as they were (TCP checksums are not checked). Returns the new file's path.
 */
export async function xorCapture(source: string): Promise<string> {
  const decoder = new PacketDecoder(DEFAULT_LIMITS, () => {});
  const records: Uint8Array[] = [];
  let linkType = -1;
  await readCapture(source, {
    packet(p) {
      if (linkType === -1) linkType = p.link_type;
      const data = p.data.slice();
      const r = decoder.decode(p.link_type, data, p.ts, p.frame);
      if (r.kind === 'ip' && r.packet.transport?.protocol === 'tcp') {
        const payload = r.packet.transport.payload;
        // The payload is a view into `data` unless the decoder reassembled fragments.
        if (payload.buffer === data.buffer) for (let i = 0; i < payload.length; i++) payload[i]! ^= XOR_KEY;
      }
      records.push(pcapRecord('ns-le', p.ts.sec, p.ts.ns, data, p.orig_len));
    },
    problem() {},
  });
  return tempFile(concat(pcapHeader('ns-le', linkType), ...records), 'xor.pcap');
}

export interface XorOptions {
  /** Hand the inner stream this protocol by name (as ALPN would). */
  protocol?: string;
  /** Feed the plaintext in pieces of at most this many bytes (split-point tests). */
  piece?: number;
  /** Replace this many bytes at this offset of the client stream by a gap (a record that could not be decrypted). */
  gapAt?: { offset: number; length: number };
}

/** The XOR layer as a protocol: it claims a TCP flow whose first byte, un-XORed, is an ASCII capital (HTTP methods, `PRI`). */
export function xorLayer(opts: XorOptions = {}): ProtocolDescriptor {
  return {
    name: 'xor',
    transports: ['tcp'],
    ports: [],
    probe(bytes, dir) {
      if (!bytes.length) return 'need_more';
      const first = bytes[0]! ^ XOR_KEY;
      return dir === 'c2s' && first >= 0x41 && first <= 0x5a && bytes[0]! < 0x20 ? 'match' : 'no';
    },
    createStream: (ctx) => new XorDissector(ctx, opts),
    anomalies: {},
  };
}

class XorDissector implements StreamDissector {
  private readonly inner: StreamDissector;
  private readonly seen = { c2s: 0, s2c: 0 };

  constructor(
    ctx: DissectorContext,
    private readonly opts: XorOptions,
  ) {
    ctx.setService('xor');
    this.inner = ctx.openInner({ via: 'xor', protocol: opts.protocol });
  }

  data(dir: Direction, bytes: Uint8Array): void {
    const plain = bytes.map((b) => b ^ XOR_KEY);
    const step = this.opts.piece ?? plain.length;
    for (let at = 0; at < plain.length; at += step) this.feed(dir, plain.subarray(at, Math.min(plain.length, at + step)));
  }

  private feed(dir: Direction, piece: Uint8Array): void {
    const gap = this.opts.gapAt;
    const start = this.seen[dir];
    this.seen[dir] += piece.length;
    if (dir !== 'c2s' || !gap || start + piece.length <= gap.offset || start >= gap.offset + gap.length) {
      this.inner.data(dir, piece);
      return;
    }
    const before = Math.max(0, gap.offset - start);
    const after = Math.max(0, start + piece.length - (gap.offset + gap.length));
    if (before) this.inner.data(dir, piece.subarray(0, before));
    this.inner.gap(dir, piece.length - before - after);
    if (after) this.inner.data(dir, piece.subarray(piece.length - after));
  }

  gap(dir: Direction, length: number): void {
    this.seen[dir] += length;
    this.inner.gap(dir, length);
  }

  end(dir: Direction, how: 'fin' | 'rst'): void {
    this.inner.end?.(dir, how);
  }

  close(): void {
    this.inner.close();
  }
}
