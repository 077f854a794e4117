/**
 * Every name a filter may use, and how each is read. Four kinds, tried in this order:
 *
 * 1. Wireshark's fields (`wireshark-fields.ts`): `ip.src`, `tcp.flags.syn`, `http.request.method`...
 * 2. The flow's names: `flow.client`, `flow.server`, `flow.client_port`, `flow.server_port`,
 *    `host`, `port`, `orig_h`, `resp_h`, `orig_p`, `resp_p`, `app`/`service`, `proto`.
 * 3. The event's own base fields: `type`, `frame`, `ts`, `flow`, `dir`, and the `tls` mark.
 * 4. wirelens's event fields (`event-fields.ts`, generated from the declarations):
 *    `http.status_code`, `dns.qname`, `anomaly.code`, or a field under its full type,
 *    `http.transaction.method`.
 *
 * One rule says which events a wirelens field is read from (so counting GETs with
 * `http.method == GET` gives one line per GET, not two): a field is read from the message
 * events that declare it (`http.request`), not from the records that sum messages up
 * (transactions, sessions, connections, transfers, `flow.end`), unless no message declares
 * it (`ftp.user` lives only in `ftp.transaction`/`ftp.session`), or the filter or `--types`
 * names the record (`http.transaction and http.method == GET`, `--types http.transaction`).
 *
 * Presence (a name alone) also accepts an event type (`http.transaction`) and a protocol or
 * family name (`http`, `dns`, `ftp-data`).
 */
import type { WireEvent } from '../events/event.js';
import { isEvent } from '../events/event-map.js';
import { EVENT_FIELDS } from './event-fields.js';
import type { FilterSubject, FlowFacts } from './subject.js';
import { pathScalars, pushScalars, type Scalar } from './values.js';
import { WIRESHARK_FIELDS, type Read } from './wireshark-fields.js';

export interface Resolved {
  read: Read;
  /** Needs the packet's facts (see `FieldDef.packet`). */
  packet: boolean;
}

export const EVENT_TYPES: readonly string[] = Object.keys(EVENT_FIELDS).sort();
const TYPE_SET = new Set(EVENT_TYPES);

/** `http` of `http.request`; a type without a dot is its own family. */
export const familyOf = (type: string): string => {
  const dot = type.indexOf('.');
  return dot < 0 ? type : type.slice(0, dot);
};
export const FAMILIES: readonly string[] = [...new Set(EVENT_TYPES.map(familyOf))].sort();
/** Service labels that are not event families (a flow's `service` may be one). */
const SERVICES = ['ftp-data'];

/** Records that sum messages up; everything else is a message (see the module comment). */
export function isRecordType(type: string): boolean {
  return /\.(transaction|session|connection|transfer|zone_transfer|summary|end)$/.test(type);
}

/**
 * Whether `type` declares the dotted `path`. Below a field of free shape (JSON of any shape,
 * listed as `name.*`: `dns.message.edns`) any path counts; below any other field none does,
 * so `tcp.flags.sin` is unknown, not a silent empty match on `tcp.analysis.flags`.
 */
function declares(type: string, path: string): boolean {
  const fields = EVENT_FIELDS[type];
  if (!fields) return false;
  if (fields.includes(path)) return true;
  for (let dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
    if (fields.includes(`${path.slice(0, dot)}.*`)) return true;
  }
  return false;
}

// ---- flow names -----------------------------------------------------------------------------

/** A `flow.end` event is its own flow's facts (the flow is gone from the table when it is emitted). */
export function flowOf(s: FilterSubject): FlowFacts | null {
  if (s.flow) return s.flow;
  const e = s.events.length === 1 ? s.events[0]! : null;
  return e !== null && isEvent(e, 'flow.end') ? e : null;
}

/**
 * A flow's service as a filter sees it: the label itself and, for a layered one
 * (`tls,http` of decrypted TLS), each layer, so `service == http` and `http` find HTTP
 * inside TLS too, and `service == "tls,http"` still finds exactly those flows.
 */
function serviceValues(service: string | null | undefined): string[] {
  if (!service) return [];
  return service.includes(',') ? [service, ...service.split(',')] : [service];
}

const FLOW_NAMES: ReadonlyMap<string, (f: FlowFacts) => Scalar[]> = new Map<string, (f: FlowFacts) => Scalar[]>([
  ['flow.client', (f) => [f.orig_h]],
  ['flow.server', (f) => [f.resp_h]],
  ['flow.client_port', (f) => [f.orig_p]],
  ['flow.server_port', (f) => [f.resp_p]],
  ['flow.proto', (f) => [f.proto]],
  ['flow.service', (f) => serviceValues(f.service)],
  ['host', (f) => [f.orig_h, f.resp_h]],
  ['orig_h', (f) => [f.orig_h]],
  ['resp_h', (f) => [f.resp_h]],
  ['port', (f) => [f.orig_p, f.resp_p]],
  ['orig_p', (f) => [f.orig_p]],
  ['resp_p', (f) => [f.resp_p]],
  ['app', (f) => serviceValues(f.service)],
  ['service', (f) => serviceValues(f.service)],
  ['proto', (f) => [f.proto]],
]);

const BASE_FIELDS = ['type', 'frame', 'ts', 'flow', 'dir', 'tls'];

function baseRead(name: string): Read {
  return (s) => {
    const out: Scalar[] = [];
    for (const e of s.events) pushScalars(e[name], out);
    return out;
  };
}

// ---- wirelens event fields ------------------------------------------------------------------

function eventRead(types: ReadonlyMap<string, readonly string[]>): Read {
  return (s) => {
    const out: Scalar[] = [];
    for (const e of s.events) {
      const path = types.get(e.type);
      if (path) pathScalars(e, path, out);
    }
    return out;
  };
}

/**
 * The event types a wirelens field name is read from, each with the path inside it; empty
 * when no type declares it. `named`: the record types the filter or `--types` names.
 */
function eventTypesOf(name: string, named: ReadonlySet<string>): Map<string, readonly string[]> {
  const explicit = new Map<string, readonly string[]>();
  const messages = new Map<string, readonly string[]>();
  const records = new Map<string, readonly string[]>();
  const dot = name.indexOf('.');
  for (const type of EVENT_TYPES) {
    // Under its full type: `http.transaction.method`.
    if (name.startsWith(type + '.') && declares(type, name.slice(type.length + 1))) {
      explicit.set(type, name.slice(type.length + 1).split('.'));
      continue;
    }
    let path: string | null = null;
    if (dot < 0) path = declares(type, name) ? name : null;
    else if (familyOf(type) === name.slice(0, dot) && declares(type, name.slice(dot + 1))) path = name.slice(dot + 1);
    if (path === null) continue;
    (isRecordType(type) ? records : messages).set(type, path.split('.'));
  }
  const out = new Map(explicit);
  if (messages.size) {
    for (const [t, p] of messages) out.set(t, p);
    for (const [t, p] of records) if (named.has(t)) out.set(t, p);
  } else {
    for (const [t, p] of records) out.set(t, p);
  }
  return out;
}

// ---- resolution -----------------------------------------------------------------------------

/** How a field is read, or null when no such field exists. */
export function resolveField(name: string, named: ReadonlySet<string>): Resolved | null {
  const ws = WIRESHARK_FIELDS.get(name);
  if (ws) return { read: ws.packet ? packetRead(ws.read, named) : ws.read, packet: ws.packet };
  const flowName = FLOW_NAMES.get(name);
  if (flowName) return { read: (s) => { const f = flowOf(s); return f ? flowName(f) : []; }, packet: false };
  if (BASE_FIELDS.includes(name)) return { read: baseRead(name), packet: false };
  const types = eventTypesOf(name, named);
  return types.size ? { read: eventRead(types), packet: false } : null;
}

/**
 * A packet field over events reads message events only (an `http.request`, an anomaly), not
 * the records stamped with the same frame (the `http.transaction` that the response
 * completes, `flow.end`), unless the filter or `--types` names the record: so
 * `frame.number == 22` is one line, as it is one frame in Wireshark.
 */
function packetRead(read: Read, named: ReadonlySet<string>): Read {
  return (s) => {
    if (s.kind === 'event' && s.events.length === 1) {
      const type = s.events[0]!.type;
      if (isRecordType(type) && !named.has(type)) return [];
    }
    return read(s);
  };
}

function hasLayer(service: string | null | undefined, name: string): boolean {
  return typeof service === 'string' && (service === name || (service.includes(',') && service.split(',').includes(name)));
}

/** How a name alone (presence) is tested, or null when it names nothing. */
export function resolvePresence(name: string, named: ReadonlySet<string>): ((s: FilterSubject) => boolean) | null {
  const ws = resolveField(name, named);
  if (WIRESHARK_FIELDS.has(name) && ws) return (s) => ws.read(s).length > 0;
  if (TYPE_SET.has(name)) return (s) => s.events.some((e: WireEvent) => e.type === name);
  if (FAMILIES.includes(name) || SERVICES.includes(name)) {
    const prefix = name + '.';
    // An event of the family, or (for an event) any event of a flow whose service is it; a
    // frame is of the family only when it completes such a message, as in Wireshark.
    return (s) => s.events.some((e) => e.type === name || e.type.startsWith(prefix)) || (s.kind === 'event' && hasLayer(flowOf(s)?.service, name));
  }
  const field = resolveField(name, named);
  return field ? (s) => field.read(s).length > 0 : null;
}

/** Wireshark's protocol names over a packet's bytes: present or not, never compared. */
const PACKET_PROTOCOLS = new Set(['frame', 'eth', 'vlan', 'ip', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6']);

/**
 * Whether `name` is a protocol rather than a field (`frame`, `tcp`, `http`, `dns`). The
 * packet's own layers are searched as bytes (frame-bytes.ts, before this is asked); an
 * application protocol's reassembled bytes are not kept, so a comparison on one is refused
 * rather than silently matching nothing.
 */
export function isProtocolName(name: string, named: ReadonlySet<string>): boolean {
  if (PACKET_PROTOCOLS.has(name)) return true;
  return (FAMILIES.includes(name) || SERVICES.includes(name)) && resolveField(name, named) === null;
}

/** Whether a name alone needs the packet's facts. */
export function presenceNeedsPacket(name: string): boolean {
  return WIRESHARK_FIELDS.get(name)?.packet ?? false;
}

let allNames: string[] | null = null;

/** Every name a filter may use, for suggestions. */
export function knownNames(): readonly string[] {
  if (allNames) return allNames;
  const names = new Set<string>([...WIRESHARK_FIELDS.keys(), ...FLOW_NAMES.keys(), ...BASE_FIELDS, ...EVENT_TYPES, ...FAMILIES, ...SERVICES]);
  for (const type of EVENT_TYPES) for (const f of EVENT_FIELDS[type]!) if (!f.endsWith('.*')) names.add(`${familyOf(type)}.${f}`);
  return (allNames = [...names].sort());
}
