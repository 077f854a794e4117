/** Hand-made capture files for the reader tests: classic pcap and pcapng, either byte order. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, type CaptureInterface, type CaptureProblem, type CaptureSummary } from '../../src/capture/index.js';

export class Bytes {
  private parts: number[] = [];
  constructor(readonly little = true) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.little ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.little ? this.u16(v & 0xffff).u16(v >>> 16) : this.u16(v >>> 16).u16(v & 0xffff);
  }
  u64(v: bigint): this {
    const hi = Number(v >> 32n) >>> 0;
    const lo = Number(v & 0xffffffffn) >>> 0;
    return this.little ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]! & 0xff);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export type PcapMagic = 'us-le' | 'us-be' | 'ns-le' | 'ns-be';

export function pcapHeader(magic: PcapMagic, linkType: number, snaplen = 65535): Uint8Array {
  const b = new Bytes(magic.endsWith('le'));
  return b
    .u32(magic.startsWith('us') ? 0xa1b2c3d4 : 0xa1b23c4d)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(snaplen)
    .u32(linkType)
    .build();
}

export function pcapRecord(magic: PcapMagic, sec: number, frac: number, data: Uint8Array, origLen = data.length, caplen = data.length): Uint8Array {
  const b = new Bytes(magic.endsWith('le'));
  return b.u32(sec).u32(frac).u32(caplen).u32(origLen).bytes(data).build();
}

/** A pcapng block: type, length, body padded to 4, length. */
export function block(little: boolean, type: number, body: Uint8Array, lengthOverride?: { head?: number; tail?: number }): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const len = 12 + padded;
  const b = new Bytes(little).u32(type).u32(lengthOverride?.head ?? len).bytes(body);
  while (b.length < 8 + padded) b.u8(0);
  return b.u32(lengthOverride?.tail ?? len).build();
}

export function option(little: boolean, code: number, value: ArrayLike<number>): Uint8Array {
  return new Bytes(little).u16(code).u16(value.length).bytes(value).pad4().build();
}

export function endOfOptions(little: boolean): Uint8Array {
  return new Bytes(little).u16(0).u16(0).build();
}

export function shb(little: boolean, options: Uint8Array = new Uint8Array(0)): Uint8Array {
  const body = new Bytes(little).u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn).bytes(options).build();
  return block(little, 0x0a0d0d0a, body);
}

export interface IdbOptions {
  name?: string;
  tsresol?: number;
  tsoffset?: bigint;
}

export function idb(little: boolean, linkType: number, snaplen: number, opts: IdbOptions = {}): Uint8Array {
  const b = new Bytes(little).u16(linkType).u16(0).u32(snaplen);
  if (opts.name !== undefined) b.bytes(option(little, 2, new TextEncoder().encode(opts.name)));
  if (opts.tsresol !== undefined) b.bytes(option(little, 9, [opts.tsresol]));
  if (opts.tsoffset !== undefined) b.bytes(option(little, 14, new Bytes(little).u64(opts.tsoffset).build()));
  if (opts.name !== undefined || opts.tsresol !== undefined || opts.tsoffset !== undefined) b.bytes(endOfOptions(little));
  return block(little, 1, b.build());
}

export function epb(little: boolean, ifId: number, ts: bigint, data: Uint8Array, origLen = data.length, options?: Uint8Array): Uint8Array {
  const b = new Bytes(little).u32(ifId).u32(Number(ts >> 32n) >>> 0).u32(Number(ts & 0xffffffffn) >>> 0).u32(data.length).u32(origLen).bytes(data).pad4();
  if (options) b.bytes(options);
  return block(little, 6, b.build());
}

export function spb(little: boolean, data: Uint8Array, origLen = data.length): Uint8Array {
  return block(little, 3, new Bytes(little).u32(origLen).bytes(data).pad4().build());
}

export function obsoletePb(little: boolean, ifId: number, ts: bigint, data: Uint8Array): Uint8Array {
  const b = new Bytes(little).u16(ifId).u16(0).u32(Number(ts >> 32n) >>> 0).u32(Number(ts & 0xffffffffn) >>> 0).u32(data.length).u32(data.length).bytes(data).pad4();
  return block(little, 2, b.build());
}

let dir: string | null = null;
let counter = 0;

export function tempFile(bytes: Uint8Array | string, name = 'capture'): string {
  dir ??= mkdtempSync(join(tmpdir(), 'wirelens-capture-'));
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

export interface ReadPacket {
  frame: number;
  ts: string;
  link_type: number;
  data: number[];
  orig_len: number;
  interface_id: number;
}

export interface ReadResult {
  packets: ReadPacket[];
  problems: CaptureProblem[];
  interfaces: Array<{ iface: CaptureInterface; index: number }>;
  starts: Array<{ format: string; compressed: boolean }>;
  summary: CaptureSummary;
}

/** Read a capture and record everything the handlers see (copying the reused packet). */
export async function readAll(source: string, opts?: Parameters<typeof readCapture>[2]): Promise<ReadResult> {
  const packets: ReadPacket[] = [];
  const problems: CaptureProblem[] = [];
  const interfaces: ReadResult['interfaces'] = [];
  const starts: ReadResult['starts'] = [];
  const summary = await readCapture(
    source,
    {
      start: (info) => starts.push(info),
      interface: (iface, index) => interfaces.push({ iface: { ...iface }, index }),
      packet: (p) =>
        packets.push({ frame: p.frame, ts: p.ts.toString(), link_type: p.link_type, data: Array.from(p.data), orig_len: p.orig_len, interface_id: p.interface_id }),
      problem: (p) => problems.push(p),
    },
    opts,
  );
  return { packets, problems, interfaces, starts, summary };
}
