import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, unlinkSync, writeSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { ExportedObject } from '../dissect/contract.js';
import type { JsonObject } from '../events/json.js';

const MAX_NAME = 120;
/**
 * File systems limit a name to 255 bytes, not characters: 120 three-byte characters are
 * 360 bytes. Names are cut to this many UTF-8 bytes, on a character boundary, leaving room
 * for a ` (n)` suffix within 255.
 */
export const MAX_NAME_BYTES = 255;
const SUFFIX_ROOM = 16;

/** The longest prefix of `s` of at most `max` UTF-8 bytes, never splitting a character. */
export function cutToBytes(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/** Cuts a name to `chars` characters and `bytes` bytes, keeping a short extension. */
function cutName(base: string, chars: number, bytes: number): string {
  const points = Array.from(base);
  if (points.length <= chars && Buffer.byteLength(base, 'utf8') <= bytes) return base;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : '';
  const stem = Array.from(ext ? base.slice(0, dot) : base);
  const extPoints = Array.from(ext).length;
  const kept = stem.slice(0, Math.max(1, chars - extPoints)).join('');
  return cutToBytes(kept, bytes - Buffer.byteLength(ext, 'utf8')) + ext;
}
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\..*)?$/i;

/**
 * A file name from the wire made safe: no directories, no `..`, no control or reserved
 * characters, no device names, at most 120 characters and 239 UTF-8 bytes (a character is
 * never split) with the extension kept.
 */
export function safeFileName(name: string, fallback = 'object'): string {
  let base = name.split(/[\\/]/).filter(Boolean).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  base = base.replace(/[\x00-\x1f\x7f-\x9f<>:"|?*\u202a-\u202e\u2066-\u2069]/g, '_');
  base = base.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (!base || base === '.' || base === '..') base = fallback;
  if (WINDOWS_DEVICES.test(base)) base = '_' + base;
  return cutName(base, MAX_NAME, MAX_NAME_BYTES - SUFFIX_ROOM);
}

/**
 * Writes exported objects under one directory, never outside it and never over an existing
 * file unless `force`; duplicates get ` (1)`, ` (2)`... An `index.json` lists every object.
 */
export class ObjectExporter {
  private readonly root: string;
  private readonly used = new Set<string>();
  private readonly index: JsonObject[] = [];

  constructor(
    dir: string,
    private readonly force = false,
  ) {
    this.root = resolve(dir);
    mkdirSync(this.root, { recursive: true });
    if (!lstatSync(this.root).isDirectory()) throw new Error(`${dir} is not a directory`);
  }

  write(object: ExportedObject, flow: number | null): void {
    const folder = this.folder(safeFileName(object.protocol, 'other'));
    const file = this.claim(folder, safeFileName(object.name));
    const path = join(folder, file);
    if (!resolve(path).startsWith(this.root + sep)) throw new Error(`refusing to write outside ${this.root}`);
    if (this.force) {
      try {
        unlinkSync(path);
      } catch {
        /* nothing there */
      }
    }
    // 'wx' fails if anything exists there, symbolic links included, so nothing is followed.
    const fd = openSync(path, 'wx', 0o644);
    try {
      writeSync(fd, object.data);
    } finally {
      closeSync(fd);
    }
    this.index.push({
      file: path.slice(this.root.length + 1).split(sep).join('/'),
      protocol: object.protocol,
      name: object.name,
      content_type: object.content_type,
      size: object.data.length,
      sha256: createHash('sha256').update(object.data).digest('hex'),
      flow,
      frame: object.frame,
      incomplete: object.incomplete || undefined,
    });
  }

  /**
   * Writes the index (`index.json`, or `index (1).json`... when an earlier export left one
   * and `force` is off) and returns the number of objects and the index's path.
   */
  finish(toJson: (v: JsonObject) => string): { count: number; index: string } {
    const name = this.claim(this.root, 'index.json');
    const indexPath = join(this.root, name);
    if (this.force) {
      try {
        unlinkSync(indexPath);
      } catch {
        /* none */
      }
    }
    writeFileSync(indexPath, toJson({ objects: this.index }) + '\n', { flag: 'wx' });
    return { count: this.index.length, index: indexPath };
  }

  private folder(protocol: string): string {
    const path = join(this.root, protocol);
    mkdirSync(path, { recursive: true });
    if (!lstatSync(path).isDirectory()) throw new Error(`${path} exists and is not a directory`);
    return path;
  }

  /** A name not used in this run and, unless forced, not already on disk. */
  private claim(folder: string, name: string): string {
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    for (let i = 0; ; i++) {
      const candidate = i === 0 ? name : `${stem} (${i})${ext}`;
      const key = join(folder, candidate);
      if (this.used.has(key)) continue;
      if (!this.force && exists(key)) continue;
      this.used.add(key);
      return candidate;
    }
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
