/**
 * Format sniffing: tell a capture file from everything else by its first bytes, and name
 * what a non-capture file looks like, so the error message helps ("looks like a zip archive").
 */

export type SniffedKind =
  | { kind: 'pcap'; littleEndian: boolean; nanoseconds: boolean }
  | { kind: 'pcapng' }
  | { kind: 'gzip' }
  | { kind: 'other'; description: string };

/** Bytes needed to recognise every format below (tar's "ustar" sits at offset 257). */
export const SNIFF_BYTES = 264;

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;

function startsWith(b: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (b.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[at + i] !== magic[i]) return false;
  return true;
}

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

/** Magic numbers of common non-capture files, in the order they are tried. */
const OTHER_MAGICS: ReadonlyArray<{ magic: number[]; at?: number; what: string }> = [
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive' },
  { magic: [0x50, 0x4b, 0x05, 0x06], what: 'an empty zip archive' },
  { magic: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable' },
  { magic: ascii('%PDF'), what: 'a PDF' },
  { magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { magic: ascii('GIF8'), what: 'a GIF image' },
  { magic: ascii('BZh'), what: 'a bzip2-compressed file (decompress it first)' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz-compressed file (decompress it first)' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file (decompress it first)' },
  { magic: [0x04, 0x22, 0x4d, 0x18], what: 'an lz4-compressed file (decompress it first)' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive' },
  { magic: ascii('Rar!'), what: 'a RAR archive' },
  { magic: ascii('ustar'), at: 257, what: 'a tar archive' },
  { magic: ascii('MZ'), what: 'a Windows executable' },
  { magic: [0xcf, 0xfa, 0xed, 0xfe], what: 'a Mach-O executable' },
  { magic: [0xca, 0xfe, 0xba, 0xbe], what: 'a Mach-O universal binary or Java class' },
  { magic: ascii('SQLite format 3'), what: 'an SQLite database' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'a Microsoft Office (OLE) document' },
  { magic: ascii('snoop\0\0\0'), what: 'a Solaris snoop capture (convert it with editcap -F pcap)' },
  { magic: ascii('GMBU'), what: 'a Microsoft Network Monitor capture (convert it with editcap -F pcap)' },
  { magic: ascii('XCP\0'), what: 'a NetXray/Sniffer capture (convert it with editcap -F pcap)' },
  { magic: [0xa1, 0xb2, 0xcd, 0x34], what: 'a modified (Kuznetzov) pcap, which is not supported (convert it with editcap -F pcap)' },
  { magic: [0x34, 0xcd, 0xb2, 0xa1], what: 'a modified (Kuznetzov) pcap, which is not supported (convert it with editcap -F pcap)' },
];

/** Mostly printable ASCII/UTF-8 with line breaks: a text file (often a tshark/tcpdump text dump). */
function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  let printable = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0) return false;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0x80) printable++;
  }
  return printable === b.length;
}

function describeText(b: Uint8Array): string {
  const head = String.fromCharCode(...b.subarray(0, 64)).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'an HTML page';
  if (head.startsWith('<?xml')) return 'an XML file';
  if (head.startsWith('#!')) return 'a script';
  if (head.startsWith('{') || head.startsWith('[')) return 'a JSON or text file';
  return 'a text file';
}

function u32be(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

function u32le(b: Uint8Array): number {
  return ((b[3]! << 24) | (b[2]! << 16) | (b[1]! << 8) | b[0]!) >>> 0;
}

/** Classify the first bytes of a file (pass at least `SNIFF_BYTES` when the file has them). */
export function sniff(head: Uint8Array): SniffedKind {
  if (head.length === 0) return { kind: 'other', description: 'an empty file' };
  if (head.length >= 4) {
    const be = u32be(head);
    const le = u32le(head);
    if (be === PCAP_US || le === PCAP_US) return { kind: 'pcap', littleEndian: le === PCAP_US, nanoseconds: false };
    if (be === PCAP_NS || le === PCAP_NS) return { kind: 'pcap', littleEndian: le === PCAP_NS, nanoseconds: true };
    // The SHB type is a palindrome; the byte-order magic at offset 8 confirms it.
    if (be === PCAPNG_SHB) {
      if (head.length >= 12) {
        const bom = head.subarray(8, 12);
        if (u32be(bom) === 0x1a2b3c4d || u32le(bom) === 0x1a2b3c4d) return { kind: 'pcapng' };
        return { kind: 'other', description: 'a damaged pcapng file (bad byte-order magic)' };
      }
      return { kind: 'other', description: 'a pcapng file cut short inside its first block' };
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { kind: 'gzip' };
  for (const m of OTHER_MAGICS) {
    if (startsWith(head, m.magic, m.at ?? 0)) return { kind: 'other', description: m.what };
  }
  if (head.length < 4) return { kind: 'other', description: `a ${head.length}-byte file, too short for any capture format` };
  if (looksLikeText(head)) return { kind: 'other', description: describeText(head) };
  const hex = Array.from(head.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return { kind: 'other', description: `unknown data (first bytes ${hex})` };
}
