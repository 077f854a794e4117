import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { WireEvent } from '../events/event.js';
import { toJson } from '../events/json.js';
import { isEvent } from '../events/event-map.js';
import { compileFilter, eventSubject, FilterSyntaxError, type CompiledFilter, type FlowFacts, type PacketFacts } from '../filter/index.js';
import { closest, didYouMean } from '../filter/suggest.js';

/**
 * Expectation files: what must hold of a capture, without pinning everything. Rules use the
 * filter language over the capture's events (the same as `events --filter` and the UI's `/`):
 *
 *   rules:
 *     - name: three HTTP transactions
 *       count: http.transaction
 *       equals: 3                      # or min / max
 *     - exists: 'dns.transaction and dns.query == "gaia.cs.umass.edu" and dns.rcode_name == NOERROR'
 *     - none: 'anomaly.code matches "^tcp\."'
 *     - every: http.response
 *       holds: http.status_code < 400
 */
const filterText = z.string().min(1);
const base = { name: z.string().optional() };
const RuleSchema = z.union([
  z.strictObject({ ...base, count: filterText, equals: z.number().int().nonnegative().optional(), min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })
    .refine((r) => r.equals !== undefined || r.min !== undefined || r.max !== undefined, { message: 'a count rule needs equals, min or max' }),
  z.strictObject({ ...base, exists: filterText }),
  z.strictObject({ ...base, none: filterText }),
  z.strictObject({ ...base, every: filterText, holds: filterText }),
]);
export const ExpectationFileSchema = z.strictObject({ rules: z.array(RuleSchema).min(1) });
export type Rule = z.infer<typeof RuleSchema>;

export interface RuleResult {
  name: string;
  passed: boolean;
  /** What was found instead, when it failed. */
  found?: string;
}

export class ExpectationError extends Error {}

/** The keys each kind of rule takes (besides `name`), in the order the README lists them. */
const RULE_KEYS: Readonly<Record<string, readonly string[]>> = {
  count: ['count', 'equals', 'min', 'max'],
  exists: ['exists'],
  none: ['none'],
  every: ['every', 'holds'],
};
const ALL_KEYS = ['name', ...new Set(Object.values(RULE_KEYS).flat())];
/** Words people write for a bound that spelling distance would not lead to. */
const KEY_HINTS: Readonly<Record<string, string>> = { at_most: 'max', at_least: 'min', exactly: 'equals', equal: 'equals', maximum: 'max', minimum: 'min', where: 'holds' };

/** `rules.4.count` as a person counts it: rules are numbered from 1 in every message. */
function issuePath(path: readonly PropertyKey[]): string {
  if (path[0] === 'rules' && typeof path[1] === 'number') return [`rule ${path[1] + 1}`, ...path.slice(2).map(String)].join(': ');
  return path.map(String).join('.');
}

/**
 * Unknown or misplaced rule keys, said plainly before the schema's union answers them with
 * "Invalid input": `at_most: 3` gets "rule 1: unknown key at_most (did you mean max?)".
 */
function ruleShapeProblem(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { rules?: unknown }).rules)) return null;
  const rules = (raw as { rules: unknown[] }).rules;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return `rule ${i + 1}: a rule is a mapping of keys (${ALL_KEYS.join(', ')})`;
    const keys = Object.keys(r);
    for (const k of keys) {
      if (!ALL_KEYS.includes(k)) {
        const near = KEY_HINTS[k] ? [KEY_HINTS[k]] : closest(k, ALL_KEYS, 2);
        return `rule ${i + 1}: unknown key ${JSON.stringify(k)}${near.length ? didYouMean(near) : ''}; a rule is one of count (with equals, min and/or max), exists, none, every (with holds)`;
      }
    }
    const kinds = Object.keys(RULE_KEYS).filter((kind) => keys.includes(kind));
    if (kinds.length !== 1) return `rule ${i + 1}: ${kinds.length ? `has ${kinds.join(' and ')}; give one of them` : 'needs one of count, exists, none, every'}`;
    const allowed = RULE_KEYS[kinds[0]!]!;
    const stray = keys.find((k) => k !== 'name' && !allowed.includes(k));
    if (stray) return `rule ${i + 1}: ${stray} does not go with ${kinds[0]} (${/^[aeiou]/.test(kinds[0]!) ? 'an' : 'a'} ${kinds[0]} rule takes ${allowed.length > 1 ? allowed.slice(1).join(', ') : 'only its filter'}, and a name)`;
  }
  return null;
}

/**
 * Parses and validates a rule file (YAML or JSON); every problem is one readable message,
 * an unknown field included (with the closest known names), before any capture is read.
 */
export function loadExpectations(text: string, fileName: string): Array<{ rule: Rule; filters: CompiledFilter[] }> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ExpectationError(`${fileName}: not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const shape = ruleShapeProblem(raw);
  if (shape) throw new ExpectationError(`${fileName}: ${shape}`);
  const parsed = ExpectationFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ExpectationError(`${fileName}: ${issue.path.length ? issuePath(issue.path) + ': ' : ''}${issue.message}`);
  }
  return parsed.data.rules.map((rule, i) => {
    const texts = 'count' in rule ? [rule.count] : 'exists' in rule ? [rule.exists] : 'none' in rule ? [rule.none] : [rule.every, rule.holds];
    const filters: CompiledFilter[] = [];
    for (const t of texts) {
      try {
        // `holds` reads the records `every` names (`every: http.transaction` / `holds: ip.addr == ...`).
        const f = compileFilter(t, { types: filters[0]?.types ?? [] });
        // Rules are evaluated once the capture is read, and no packet's bytes are kept that long.
        if (f.needsBytes) throw new ExpectationError(`${fileName}: rule ${i + 1}: ${JSON.stringify(t)}: a rule cannot search packet bytes (frame, tcp.payload, udp.payload, eth, ip, tcp, udp contains/matches): check keeps no packets; compare a field (http.request.uri contains "x"), or list the frames with wirelens packets FILE --filter`);
        filters.push(f);
      } catch (err) {
        if (err instanceof FilterSyntaxError) throw new ExpectationError(`${fileName}: rule ${i + 1}: ${JSON.stringify(t)}: ${err.message}`);
        throw err;
      }
    }
    return { rule, filters };
  });
}

export function describeRule(rule: Rule): string {
  if (rule.name) return rule.name;
  if ('count' in rule) {
    const bound = rule.equals !== undefined ? `exactly ${rule.equals}` : [rule.min !== undefined ? `at least ${rule.min}` : '', rule.max !== undefined ? `at most ${rule.max}` : ''].filter(Boolean).join(' and ');
    return `${bound} × ${rule.count}`;
  }
  if ('exists' in rule) return `some ${rule.exists}`;
  if ('none' in rule) return `no ${rule.none}`;
  return `every ${rule.every} has ${rule.holds}`;
}

/** Whether some rule reads packet fields: the caller then pairs events with their frames' packets. */
export function rulesNeedPackets(rules: ReturnType<typeof loadExpectations>): boolean {
  return rules.some((r) => r.filters.some((f) => f.needsPacket));
}

/**
 * Evaluates rules over a capture's events; flow-level names come from the `flow.end`
 * records, packet fields from `packetOf` (the packet of an event's own frame, when paired).
 */
export function checkExpectations(rules: ReturnType<typeof loadExpectations>, events: readonly WireEvent[], packetOf: (e: WireEvent) => PacketFacts | null = () => null): RuleResult[] {
  const flows = new Map<number, FlowFacts>();
  for (const e of events) {
    // A flow.end record is its flow's facts.
    if (isEvent(e, 'flow.end') && e.flow !== null) flows.set(e.flow, e);
  }
  const subject = (e: WireEvent) => eventSubject(e, e.flow !== null ? (flows.get(e.flow) ?? null) : null, packetOf(e));
  const matching = (f: CompiledFilter) => events.filter((e) => f.matches(subject(e)));

  return rules.map(({ rule, filters }) => {
    const name = describeRule(rule);
    if ('count' in rule) {
      const n = matching(filters[0]!).length;
      const ok = (rule.equals === undefined || n === rule.equals) && (rule.min === undefined || n >= rule.min) && (rule.max === undefined || n <= rule.max);
      return ok ? { name, passed: true } : { name, passed: false, found: `found ${n}` };
    }
    if ('exists' in rule) {
      if (matching(filters[0]!).length) return { name, passed: true };
      const family = /^[A-Za-z_]+/.exec(rule.exists)?.[0] ?? '';
      const near = events.filter((e) => e.type.startsWith(family + '.')).slice(0, 3);
      return { name, passed: false, found: near.length ? `no match; for instance ${near.map(brief).join('; ')}` : `no match, and no ${family} events at all` };
    }
    if ('none' in rule) {
      const hits = matching(filters[0]!);
      return hits.length ? { name, passed: false, found: `${hits.length} found: ${hits.slice(0, 3).map(brief).join('; ')}` } : { name, passed: true };
    }
    const scope = matching(filters[0]!);
    const bad = scope.filter((e) => !filters[1]!.matches(subject(e)));
    if (!scope.length) return { name, passed: false, found: `no ${rule.every} at all` };
    return bad.length ? { name, passed: false, found: `${bad.length} of ${scope.length} do not: ${bad.slice(0, 3).map(brief).join('; ')}` } : { name, passed: true };
  });
}

/** An event in one line: its type, frame, and its first few fields. */
function brief(e: WireEvent): string {
  const { type, frame, ts: _ts, flow, dir: _dir, ...rest } = e;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined && (typeof v !== 'object' || v === null))
    .slice(0, 5)
    .map(([k, v]) => `${k}=${toJson(v ?? null)}`);
  return `${type} (frame ${frame}${flow !== null ? `, flow ${flow}` : ''}) ${fields.join(' ')}`.trim();
}
