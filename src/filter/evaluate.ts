import type { WireEvent } from '../events/event.js';
import { Timestamp } from '../events/time.js';
import { linearRegex } from './linear-regex.js';
import { parseFilter, type FilterNode, type Value } from './parse.js';

/**
 * Evaluation. A field yields zero or more values (arrays are flattened, as Wireshark does
 * with repeated fields); a comparison holds when any value satisfies it, and a field that
 * is absent satisfies nothing. Strings compare case-sensitively except `matches`, which
 * is a case-insensitive regular expression. `ip.addr == 10.0.0.0/8` matches by prefix.
 */
export interface FilterSubject {
  /** Values of a field path, e.g. `http.status_code`, `ip.addr`, `app`. */
  values(field: string): unknown[];
  /** Whether a bare name (`dns`, `http`) names this subject's protocol. */
  isProtocol(name: string): boolean;
}

export interface CompiledFilter {
  readonly source: string;
  matches(subject: FilterSubject): boolean;
}

export function compileFilter(source: string): CompiledFilter {
  const tree = parseFilter(source);
  return { source, matches: (s) => evaluate(tree, s) };
}

function evaluate(node: FilterNode, s: FilterSubject): boolean {
  switch (node.kind) {
    case 'or':
      for (const item of node.items) if (evaluate(item, s)) return true;
      return false;
    case 'and':
      for (const item of node.items) if (!evaluate(item, s)) return false;
      return true;
    case 'not':
      return !evaluate(node.inner, s);
    case 'exists':
      return s.isProtocol(node.field) || s.values(node.field).length > 0;
    case 'compare': {
      const have = s.values(node.field);
      if (node.op === '!=') return have.length > 0 && !have.some((h) => node.values.some((v) => equal(h, v)));
      return have.some((h) => node.values.some((v) => test(h, node.op, v)));
    }
  }
}

function test(have: unknown, op: string, v: Value): boolean {
  switch (op) {
    case '==':
    case 'in':
      return equal(have, v);
    case 'contains':
      return String(scalar(have)).includes(v.kind === 'string' ? v.value : v.text);
    case 'matches':
      return linearRegex(v.kind === 'string' ? v.value : v.text).test(String(scalar(have)));
    default: {
      const a = toNumber(have);
      const b = v.kind === 'number' ? v.value : Number(v.value);
      if (a === null || !Number.isFinite(b)) return false;
      return op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
    }
  }
}

function equal(have: unknown, v: Value): boolean {
  const h = scalar(have);
  if (v.kind === 'number') {
    const n = toNumber(h);
    return n !== null ? n === v.value : String(h) === v.text;
  }
  if (typeof h === 'boolean') return String(h) === v.value.toLowerCase();
  if (typeof h === 'string' && v.value.includes('/') && inCidr(h, v.value)) return true;
  return String(h) === v.value;
}

const scalar = (v: unknown): unknown => (v instanceof Timestamp ? v.toString() : v);

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v instanceof Timestamp) return v.sec + v.ns / 1e9;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return null;
}

function inCidr(addr: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const a = ipv4ToInt(addr);
  const n = ipv4ToInt(net!);
  if (a === null || n === null || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (n & mask) >>> 0;
}

function ipv4ToInt(s: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** What a filter knows of an event's flow. */
export interface FlowFacts {
  proto: string;
  service: string | null;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
}

/** Values at a dotted path inside an object, arrays flattened. */
function pathValues(obj: unknown, path: string[]): unknown[] {
  let current: unknown[] = [obj];
  for (const key of path) {
    const next: unknown[] = [];
    for (const c of current) {
      if (c && typeof c === 'object' && !(c instanceof Timestamp)) {
        const v = (c as Record<string, unknown>)[key];
        if (v !== undefined && v !== null) next.push(v);
      }
    }
    current = next;
  }
  return flatten(current);
}

function flatten(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== undefined && v !== null) out.push(v);
  };
  values.forEach(walk);
  return out;
}

/**
 * A flow's service as a filter sees it: the label itself and, for a layered one
 * (`tls,http` of decrypted TLS), each layer, so `service == http` and `http` find HTTP
 * inside TLS too, and `service == "tls,http"` still finds exactly those flows.
 */
function serviceValues(service: string | null): string[] {
  if (!service) return [];
  return service.includes(',') ? [service, ...service.split(',')] : [service];
}

function hasLayer(service: unknown, name: string): boolean {
  return typeof service === 'string' && (service === name || (service.includes(',') && service.split(',').includes(name)));
}

function flowValues(field: string, flow: FlowFacts | null): unknown[] | null {
  if (!flow) return null;
  switch (field) {
    case 'ip.addr':
    case 'host':
      return [flow.orig_h, flow.resp_h];
    case 'ip.src':
    case 'orig_h':
      return [flow.orig_h];
    case 'ip.dst':
    case 'resp_h':
      return [flow.resp_h];
    case 'port':
      return [flow.orig_p, flow.resp_p];
    case 'tcp.port':
      return flow.proto === 'tcp' ? [flow.orig_p, flow.resp_p] : [];
    case 'udp.port':
      return flow.proto === 'udp' ? [flow.orig_p, flow.resp_p] : [];
    case 'orig_p':
      return [flow.orig_p];
    case 'resp_p':
      return [flow.resp_p];
    case 'app':
    case 'service':
      return serviceValues(flow.service);
    case 'proto':
      return [flow.proto];
    default:
      return null;
  }
}

/**
 * An event as a filter subject. `proto.field` reads `field` from events whose type is
 * `proto` or starts with `proto.` (`http.status_code` reads `http.response` and
 * `http.transaction` events); flow-level names (`ip.addr`, `port`, `app`) come from the
 * event's flow; `type`, `frame`, `flow`, `dir` and bare field names read the event.
 */
export function eventSubject(e: WireEvent, flow: FlowFacts | null): FilterSubject {
  return {
    values(field) {
      if (e.type === 'flow.end') {
        const own = flowValues(field, e as unknown as FlowFacts);
        if (own) return own;
      }
      const fromFlow = flowValues(field, flow);
      if (fromFlow) return fromFlow;
      const dot = field.indexOf('.');
      if (dot > 0) {
        const proto = field.slice(0, dot);
        if (e.type === proto || e.type.startsWith(proto + '.')) return pathValues(e, field.slice(dot + 1).split('.'));
        return [];
      }
      return pathValues(e, [field]);
    },
    isProtocol(name) {
      return e.type === name || e.type.startsWith(name + '.') || hasLayer(flow?.service, name) || (e.type === 'flow.end' && hasLayer(e.service, name));
    },
  };
}
