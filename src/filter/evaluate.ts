/**
 * Compiling and evaluating a filter. Compiling parses it, resolves every field name against
 * the fields that exist (an unknown one is a `FilterFieldError` naming the closest known
 * names) and turns each literal into a test, so evaluating is calls and comparisons only.
 *
 * Wireshark's semantics: a field yields zero or more values (repeated fields yield each);
 * `a == b` holds when some value equals, `a != b` when there are values and none equals
 * (so `tcp.port != 80` holds for no UDP packet, as `tshark -Y` answers), `>`/`<` and friends
 * hold when some value compares so. `contains` is case-sensitive; `matches` (`~`) is a case-insensitive regular
 * expression run on a linear-time engine. `ip.addr == 10.0.0.0/8` matches by prefix.
 */
import { FilterSyntaxError, parseFilter, type FilterNode } from './parse.js';
import { linearRegex, linearRegexProblem } from './linear-regex.js';
import { equalityTest, literalText, orderTest, type ValueTest } from './literals.js';
import { EVENT_TYPES, isProtocolName, knownNames, presenceNeedsPacket, resolveField, resolvePresence } from './registry.js';
import type { FilterSubject } from './subject.js';
import { closest, didYouMean } from './suggest.js';
import type { Read } from './wireshark-fields.js';
import { BYTE_FIELDS, hasBytes, latin1, parseByteString, sameBytes, type FrameBytes } from './frame-bytes.js';
import type { Value } from './parse.js';

export class FilterFieldError extends FilterSyntaxError {
  constructor(
    readonly field: string,
    readonly suggestions: readonly string[],
    column: number,
  ) {
    super(`unknown field ${JSON.stringify(field)}${didYouMean(suggestions)}`, column);
  }
}

export interface CompiledFilter {
  readonly source: string;
  matches(subject: FilterSubject): boolean;
  /** Some field needs the packet's facts (Wireshark's packet fields). */
  readonly needsPacket: boolean;
  /**
   * Some test searches the packet's bytes (`frame contains "GET"`): the subject's packet
   * facts must carry them (`packetFacts(..., withBytes)`), or such a test matches nothing.
   */
  readonly needsBytes: boolean;
  /** The event types the filter names alone (and those it was given): records read from. */
  readonly types: readonly string[];
}

export interface CompileOptions {
  /** Event types the caller selects (`--types`, expanded): records named there are read from too. */
  types?: readonly string[];
}

type Test = (s: FilterSubject) => boolean;

export function compileFilter(source: string, opts: CompileOptions = {}): CompiledFilter {
  const tree = parseFilter(source);
  const named = new Set<string>(opts.types ?? []);
  collectNamedTypes(tree, named);
  let needsPacket = false;
  let needsBytes = false;
  const fieldRead = (field: string, at: number): Read => {
    const r = resolveField(field, named);
    if (!r) throw unknown(field, at);
    needsPacket ||= r.packet;
    return r.read;
  };
  const build = (node: FilterNode): Test => {
    switch (node.kind) {
      case 'or': {
        const items = node.items.map(build);
        return (s) => {
          for (const t of items) if (t(s)) return true;
          return false;
        };
      }
      case 'and': {
        const items = node.items.map(build);
        return (s) => {
          for (const t of items) if (!t(s)) return false;
          return true;
        };
      }
      case 'not': {
        const inner = build(node.inner);
        return (s) => !inner(s);
      }
      case 'exists': {
        const present = resolvePresence(node.field, named);
        if (!present) throw unknown(node.field, node.at);
        needsPacket ||= presenceNeedsPacket(node.field);
        return present;
      }
      case 'compare': {
        const where = BYTE_FIELDS.get(node.field);
        if (where) {
          needsPacket = needsBytes = true;
          return byteTest(node, where);
        }
        if (isProtocolName(node.field, named)) {
          throw new FilterSyntaxError(
            `${node.field} is a protocol whose reassembled bytes wirelens does not keep: search this frame's bytes with frame, tcp.payload or udp.payload (frame contains "x"), or compare one of its fields (http.request.uri contains "x"); ${node.field} alone tests that it is present`,
            node.at,
          );
        }
        const read = fieldRead(node.field, node.at);
        const tests = node.values.map((v): ValueTest => {
          switch (node.op) {
            case '==':
            case '!=':
            case 'in':
              return equalityTest(v);
            case 'contains': {
              const text = literalText(v);
              return (h) => String(h).includes(text);
            }
            case 'matches': {
              const re = linearRegex(literalText(v));
              return (h) => re.test(String(h));
            }
            default:
              return orderTest(node.op, v);
          }
        });
        if (node.op === '!=') {
          // Every value differs, and there is one (an absent field satisfies no comparison).
          return (s) => {
            const have = read(s);
            return have.length > 0 && !have.some((h) => tests.some((t) => t(h)));
          };
        }
        return (s) => read(s).some((h) => tests.some((t) => t(h)));
      }
    }
  };
  // Iterative descent is not needed: parseFilter bounds nesting at MAX_FILTER_DEPTH.
  const test = build(tree);
  return { source, matches: test, needsPacket, needsBytes, types: [...named].sort() };
}

/**
 * A comparison on bytes (`frame contains "GET"`, `tcp.payload contains 47:45:54`,
 * `frame matches "user=\w+"`, `udp.payload == 00:01`), as Wireshark's: a quoted literal is
 * its bytes, an unquoted one a byte string; `contains` is exact, `matches` is the
 * case-insensitive linear-time regular expression over the bytes, one character per byte.
 */
function byteTest(node: Extract<FilterNode, { kind: 'compare' }>, where: keyof FrameBytes): Test {
  const { field, op } = node;
  if (op !== 'contains' && op !== 'matches' && op !== '==' && op !== '!=') {
    throw new FilterSyntaxError(`${field} is bytes: compare it with contains, matches, == or != (frame contains "GET", ${field} contains 47:45:54)`, node.at);
  }
  const bytesOf = (v: Value): Uint8Array => {
    if (v.kind === 'string' && v.quoted) return v.bytes ?? new TextEncoder().encode(v.value);
    const text = literalText(v);
    if (op === 'matches') return new TextEncoder().encode(text);
    const b = v.kind === 'range' ? null : parseByteString(text);
    if (!b) throw new FilterSyntaxError(`${JSON.stringify(text)} is not a byte string (write bytes as 47:45:54, or quote text: "${text}")`, node.at);
    return b;
  };
  const needle = bytesOf(node.values[0]!);
  const read = (s: FilterSubject): Uint8Array | null => s.packet?.bytes?.[where] ?? null;
  switch (op) {
    case 'contains':
      return (s) => {
        const hay = read(s);
        return hay !== null && hasBytes(hay, needle);
      };
    case 'matches': {
      const pattern = latin1(needle);
      const problem = linearRegexProblem(pattern);
      if (problem !== null) throw new FilterSyntaxError(`bad regular expression (${problem})`, node.at);
      const re = linearRegex(pattern);
      return (s) => {
        const hay = read(s);
        return hay !== null && re.test(latin1(hay));
      };
    }
    case '==':
      return (s) => {
        const hay = read(s);
        return hay !== null && sameBytes(hay, needle);
      };
    default:
      return (s) => {
        const hay = read(s);
        return hay !== null && !sameBytes(hay, needle);
      };
  }
}

function unknown(field: string, at: number): FilterFieldError {
  return new FilterFieldError(field, closest(field, knownNames()), at);
}

/** Event types a filter names alone (`http.transaction and ...`): their records are read from. */
function collectNamedTypes(node: FilterNode, out: Set<string>): void {
  const stack: FilterNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.kind === 'or' || n.kind === 'and') stack.push(...n.items);
    else if (n.kind === 'not') stack.push(n.inner);
    else if (n.kind === 'exists' && EVENT_TYPES.includes(n.field)) out.add(n.field);
  }
}
