/**
 * ClientHello and ServerHello bodies (RFC 8446 §4.1.2-4.1.4, RFC 5246 §7.4.1) and the
 * extensions the dissector reports (RFC 6066 SNI, RFC 7301 ALPN, RFC 8422 groups and point
 * formats, RFC 8446 supported_versions / key_share / pre_shared_key / early_data, RFC 5077
 * session tickets, draft-ietf-tls-esni ECH). Pure: a message body in, a value out.
 */
import { done, fail, type Parsed } from '../../dissect/parse.js';
import { decodeText } from '../../dissect/text.js';
import { EXT } from './names.js';
import { Cursor, hexOf, u16List } from './parser.js';

/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest. */
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

export interface Extension {
  readonly type: number;
  readonly data: Uint8Array;
}

export interface ClientHello {
  readonly legacy_version: number;
  readonly random: string;
  readonly session_id: string;
  readonly cipher_suites: readonly number[];
  readonly compression_methods: readonly number[];
  /** Extension types in wire order (GREASE included: fingerprints drop it themselves). */
  readonly extensions: readonly number[];
  /** True when the hello listed more extensions than the limit; the rest were not read. */
  readonly extensions_trimmed: boolean;
  readonly server_name: string | null;
  readonly alpn: readonly string[];
  /** The first ALPN value's bytes (JA4 reads them raw). */
  readonly alpn_first: Uint8Array | null;
  readonly supported_versions: readonly number[];
  readonly supported_groups: readonly number[];
  readonly ec_point_formats: readonly number[];
  readonly signature_algorithms: readonly number[];
  readonly key_share_groups: readonly number[];
  readonly psk_key_exchange_modes: readonly number[];
  /** session_ticket extension carrying a ticket (an empty one only says "I support tickets"). */
  readonly session_ticket: boolean;
  readonly psk_offered: boolean;
  readonly early_data: boolean;
  readonly ech: boolean;
  /** Extensions whose body did not parse (their type is still listed). */
  readonly malformed: readonly number[];
}

export interface ServerHello {
  readonly legacy_version: number;
  readonly random: string;
  readonly session_id: string;
  readonly cipher_suite: number;
  readonly compression_method: number;
  readonly extensions: readonly number[];
  readonly extensions_trimmed: boolean;
  /** From supported_versions (TLS 1.3), else null. */
  readonly selected_version: number | null;
  readonly alpn: string | null;
  readonly key_share_group: number | null;
  /** pre_shared_key in a ServerHello: the server accepted a PSK (TLS 1.3 resumption). */
  readonly psk_selected: boolean;
  readonly hello_retry_request: boolean;
  /** session_ticket extension present: the server will send a NewSessionTicket (TLS ≤ 1.2). */
  readonly session_ticket: boolean;
  readonly malformed: readonly number[];
}

/** Reads the extension block; at most `max` extensions are kept. */
function readExtensions(c: Cursor, max: number): { list: Extension[]; trimmed: boolean } | null {
  if (c.left === 0) return { list: [], trimmed: false };
  const block = c.vec(2);
  if (c.failed) return null;
  const e = new Cursor(block);
  const list: Extension[] = [];
  let trimmed = false;
  while (e.left > 0) {
    const type = e.u16();
    const data = e.vec(2);
    if (e.failed) return null;
    if (list.length >= max) {
      trimmed = true;
      continue;
    }
    list.push({ type, data });
  }
  return { list, trimmed };
}

function readSni(data: Uint8Array): string | null | undefined {
  const c = new Cursor(data);
  const list = new Cursor(c.vec(2));
  if (c.failed) return undefined;
  while (list.left > 0) {
    const kind = list.u8();
    const name = list.vec(2);
    if (list.failed) return undefined;
    if (kind === 0) return decodeText(name);
  }
  return null;
}

/**
 * The items of an extension body that is one vector with a 2-byte length (ALPN's protocol
 * names, key shares), each read by `item`; null when the vector or an item overruns.
 */
function vectorItems<T>(data: Uint8Array, item: (list: Cursor) => T): T[] | null {
  const c = new Cursor(data);
  const list = new Cursor(c.vec(2));
  if (c.failed) return null;
  const out: T[] = [];
  while (list.left > 0) {
    const v = item(list);
    if (list.failed) return null;
    out.push(v);
  }
  return out;
}

const readAlpnRaw = (data: Uint8Array): Uint8Array[] | null => vectorItems(data, (list) => list.vec(1));

function readAlpn(data: Uint8Array): string[] | null {
  return readAlpnRaw(data)?.map((p) => decodeText(p)) ?? null;
}

function readU8List(data: Uint8Array): number[] | null {
  const c = new Cursor(data);
  const v = c.vec(1);
  return c.failed ? null : [...v];
}

/** KeyShareEntry groups (RFC 8446 §4.2.8); their key_exchange values are skipped. */
function readKeyShares(data: Uint8Array): number[] | null {
  return vectorItems(data, (list) => {
    const group = list.u16();
    list.vec(2);
    return group;
  });
}

/** ClientHello fields that are one extension's list of numbers. */
type ListField = 'supported_versions' | 'supported_groups' | 'ec_point_formats' | 'signature_algorithms' | 'key_share_groups' | 'psk_key_exchange_modes';

/** Which list each such extension fills, and its reader (null: the body is malformed). */
const LIST_EXTENSIONS = new Map<number, readonly [ListField, (data: Uint8Array) => number[] | null]>([
  [EXT.supported_versions, ['supported_versions', (d) => u16List(d, 1)]],
  [EXT.supported_groups, ['supported_groups', (d) => u16List(d, 2)]],
  [EXT.signature_algorithms, ['signature_algorithms', (d) => u16List(d, 2)]],
  [EXT.ec_point_formats, ['ec_point_formats', readU8List]],
  [EXT.key_share, ['key_share_groups', readKeyShares]],
  [EXT.psk_key_exchange_modes, ['psk_key_exchange_modes', readU8List]],
]);

export function parseClientHello(body: Uint8Array, maxExtensions: number): Parsed<ClientHello> {
  const c = new Cursor(body);
  const legacy_version = c.u16();
  const random = c.bytes(32);
  const sid = c.vec(1);
  const suites = c.vec(2);
  const comp = c.vec(1);
  if (c.failed) return fail('ClientHello shorter than its fixed fields');
  if (suites.length % 2 !== 0) return fail('ClientHello cipher_suites length is odd');
  if (sid.length > 32) return fail('ClientHello session id longer than 32 bytes');
  const cipher_suites: number[] = [];
  for (let i = 0; i < suites.length; i += 2) cipher_suites.push((suites[i]! << 8) | suites[i + 1]!);
  const exts = readExtensions(c, maxExtensions);
  if (!exts) return fail('ClientHello extensions overrun their block');
  let server_name: string | null = null;
  let alpn: string[] = [];
  let alpn_first: Uint8Array | null = null;
  const lists: Record<ListField, number[]> = {
    supported_versions: [],
    supported_groups: [],
    ec_point_formats: [],
    signature_algorithms: [],
    key_share_groups: [],
    psk_key_exchange_modes: [],
  };
  let session_ticket = false;
  let psk_offered = false;
  let early_data = false;
  let ech = false;
  const malformed: number[] = [];
  for (const x of exts.list) {
    const list = LIST_EXTENSIONS.get(x.type);
    if (list !== undefined) {
      const v = list[1](x.data);
      if (v === null) malformed.push(x.type);
      else lists[list[0]] = v;
      continue;
    }
    switch (x.type) {
      case EXT.server_name: {
        const v = readSni(x.data);
        if (v === undefined) malformed.push(x.type);
        else server_name = v;
        break;
      }
      case EXT.alpn: {
        const v = readAlpnRaw(x.data);
        if (v === null) malformed.push(x.type);
        else {
          alpn = v.map((p) => decodeText(p));
          alpn_first = v[0]?.slice() ?? null;
        }
        break;
      }
      case EXT.session_ticket:
        session_ticket = x.data.length > 0;
        break;
      case EXT.pre_shared_key:
        psk_offered = true;
        break;
      case EXT.early_data:
        early_data = true;
        break;
      case EXT.encrypted_client_hello:
        ech = true;
        break;
    }
  }
  return done(
    {
      legacy_version,
      random: hexOf(random),
      session_id: hexOf(sid),
      cipher_suites,
      compression_methods: [...comp],
      extensions: exts.list.map((x) => x.type),
      extensions_trimmed: exts.trimmed,
      server_name,
      alpn,
      alpn_first,
      supported_versions: lists.supported_versions,
      supported_groups: lists.supported_groups,
      ec_point_formats: lists.ec_point_formats,
      signature_algorithms: lists.signature_algorithms,
      key_share_groups: lists.key_share_groups,
      psk_key_exchange_modes: lists.psk_key_exchange_modes,
      session_ticket,
      psk_offered,
      early_data,
      ech,
      malformed,
    },
    body.length,
  );
}

export function parseServerHello(body: Uint8Array, maxExtensions: number): Parsed<ServerHello> {
  const c = new Cursor(body);
  const legacy_version = c.u16();
  const randomBytes = c.bytes(32);
  const sid = c.vec(1);
  const cipher_suite = c.u16();
  const compression_method = c.u8();
  if (c.failed) return fail('ServerHello shorter than its fixed fields');
  if (sid.length > 32) return fail('ServerHello session id longer than 32 bytes');
  const exts = readExtensions(c, maxExtensions);
  if (!exts) return fail('ServerHello extensions overrun their block');
  const random = hexOf(randomBytes);
  const hello_retry_request = random === HRR_RANDOM;
  let selected_version: number | null = null;
  let alpn: string | null = null;
  let key_share_group: number | null = null;
  let psk_selected = false;
  let session_ticket = false;
  const malformed: number[] = [];
  for (const x of exts.list) {
    switch (x.type) {
      case EXT.supported_versions:
        if (x.data.length === 2) selected_version = (x.data[0]! << 8) | x.data[1]!;
        else malformed.push(x.type);
        break;
      case EXT.alpn: {
        const v = readAlpn(x.data);
        if (v === null || v.length !== 1) malformed.push(x.type);
        else alpn = v[0]!;
        break;
      }
      case EXT.key_share:
        // ServerHello: one KeyShareEntry; HelloRetryRequest: only the group it wants.
        if (x.data.length >= 2) key_share_group = (x.data[0]! << 8) | x.data[1]!;
        else malformed.push(x.type);
        break;
      case EXT.pre_shared_key:
        psk_selected = true;
        break;
      case EXT.session_ticket:
        session_ticket = true;
        break;
    }
  }
  return done(
    {
      legacy_version,
      random,
      session_id: hexOf(sid),
      cipher_suite,
      compression_method,
      extensions: exts.list.map((x) => x.type),
      extensions_trimmed: exts.trimmed,
      selected_version,
      alpn,
      key_share_group,
      psk_selected,
      hello_retry_request,
      session_ticket,
      malformed,
    },
    body.length,
  );
}

/**
 * The named curve of an ECDHE ServerKeyExchange (RFC 8422 §5.4): curve_type 3 (named_curve)
 * then the group. Null for other key exchanges or explicit curves.
 */
export function serverKeyExchangeCurve(body: Uint8Array): number | null {
  if (body.length < 3 || body[0] !== 3) return null;
  return (body[1]! << 8) | body[2]!;
}
