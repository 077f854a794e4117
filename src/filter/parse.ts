/**
 * Wireshark's display-filter syntax, the part a lab or a CI rule uses:
 *
 *   expr   := or
 *   or     := and (("or" | "||") and)*
 *   and    := not (("and" | "&&") not)*
 *   not    := ("not" | "!") not | atom
 *   atom   := "(" expr ")" | field [op value]
 *   op     := == | != | > | >= | < | <= | === | !== | eq ne gt ge lt le
 *           | contains | matches | ~ | in
 *   value  := number | "string" | bare word (an address, a CIDR block, a MAC, a name)
 *           | { item item ... }   where item := value | value..value  (commas allowed)
 *
 * A field alone tests that it is present (`dns`, `http.host`, `tcp.analysis.retransmission`).
 * Errors carry the column. Field names are checked against the fields that exist later, by
 * `registry.ts`; this module knows only the shape of an expression.
 */
import { linearRegexProblem } from './linear-regex.js';

export type Op = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'contains' | 'matches' | 'in';

export type Value =
  | { kind: 'number'; value: number; text: string }
  /** `bytes`: a quoted string's bytes (UTF-8, with `\xhh` and `\ooo` escapes as raw bytes), for a byte search. */
  | { kind: 'string'; value: string; quoted: boolean; bytes?: Uint8Array }
  /** `lo..hi` inside `in {...}`, bounds inclusive as in Wireshark. */
  | { kind: 'range'; lo: number; hi: number };

/**
 * `and` and `or` hold their operands in one list, so a chain of 100,000 terms is one node
 * (evaluated in a loop), not a tree 100,000 deep (evaluated by as many nested calls).
 */
export type FilterNode =
  | { kind: 'or'; items: FilterNode[] }
  | { kind: 'and'; items: FilterNode[] }
  | { kind: 'not'; inner: FilterNode }
  | { kind: 'exists'; field: string; at: number }
  | { kind: 'compare'; field: string; at: number; op: Op; values: Value[] };

/**
 * Parentheses and `not`s nested deeper than this are refused: the parser and the evaluator
 * recurse once per level, and 50,000 levels would overflow the stack. No hand-written
 * filter comes near 256 levels.
 */
export const MAX_FILTER_DEPTH = 256;

export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based column in the expression. */
    readonly column: number,
  ) {
    super(`${message} at column ${column + 1}`);
  }
}

type Token =
  | { t: 'word'; v: string; at: number }
  | { t: 'string'; v: string; bytes: Uint8Array; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

const WORD = /[A-Za-z0-9_.:\-/*]/;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A quoted string starting at `src[start]`, as Wireshark reads one: `\n` `\t` `\r`,
 * `\xhh` and `\ooo` (a byte), and a backslash before any other character stands for that
 * character. `bytes` is what a byte search looks for; `text`, what a string field is
 * compared with (the bytes as UTF-8 when they are, else one character per byte).
 */
function quoted(src: string, start: number): { text: string; bytes: Uint8Array; end: number } {
  const close = src[start]!;
  const bytes: number[] = [];
  let i = start + 1;
  while (i < src.length && src[i] !== close) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length) {
      const n = src[i + 1]!;
      const hex = n === 'x' ? /^[0-9a-fA-F]{2}/.exec(src.slice(i + 2, i + 4)) : null;
      const oct = /^[0-7]{3}/.exec(src.slice(i + 1, i + 4));
      if (hex) {
        bytes.push(parseInt(hex[0], 16));
        i += 4;
      } else if (oct && parseInt(oct[0], 8) < 256) {
        bytes.push(parseInt(oct[0], 8));
        i += 4;
      } else {
        if (n === 'n' || n === 't' || n === 'r') bytes.push(n === 'n' ? 10 : n === 't' ? 9 : 13);
        else bytes.push(...utf8.encode(n));
        i += 2;
      }
      continue;
    }
    const cp = src.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    bytes.push(...utf8.encode(ch));
    i += ch.length;
  }
  if (i >= src.length) throw new FilterSyntaxError('unterminated string', start);
  const b = Uint8Array.from(bytes);
  let text: string;
  try {
    text = strictUtf8.decode(b);
  } catch {
    // Only raw escapes make bytes that are not UTF-8 (the rest is encoded from the source).
    text = Buffer.from(b).toString('latin1');
  }
  return { text, bytes: b, end: i + 1 };
}

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === '"' || c === "'") {
      const str = quoted(src, i);
      i = str.end;
      out.push({ t: 'string', v: str.text, bytes: str.bytes, at });
      continue;
    }
    const three = src.slice(i, i + 3);
    if (three === '===' || three === '!==') {
      // Wireshark's "all equal"/"all not equal" forms; with one value per field they are == and !=.
      out.push({ t: 'op', v: three.slice(1), at });
      i += 3;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '>=', '<=', '&&', '||'].includes(two)) {
      out.push({ t: 'op', v: two, at });
      i += 2;
      continue;
    }
    if ('()<>!{},~'.includes(c)) {
      out.push({ t: 'op', v: c === '!' ? 'not' : c === '~' ? 'matches' : c, at });
      i++;
      continue;
    }
    if (c === '=') {
      out.push({ t: 'op', v: '==', at });
      i++;
      continue;
    }
    if (WORD.test(c)) {
      let v = '';
      while (i < src.length && WORD.test(src[i]!)) v += src[i++];
      out.push({ t: 'word', v, at });
      continue;
    }
    throw new FilterSyntaxError(`unexpected character ${JSON.stringify(c)}`, at);
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

const KEYWORD_OPS: Record<string, Op> = {
  eq: '==',
  ne: '!=',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
  contains: 'contains',
  matches: 'matches',
  in: 'in',
};

const NUMBER = /^-?(\d+(\.\d+)?|0x[0-9a-f]+)$/i;

function wordValue(v: string): Value {
  const n = Number(v);
  return NUMBER.test(v) && Number.isFinite(n) ? { kind: 'number', value: n, text: v } : { kind: 'string', value: v, quoted: false };
}

export function parseFilter(src: string): FilterNode {
  const tokens = lex(src);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const isWord = (tok: Token, ...words: string[]) => tok.t === 'word' && words.includes(tok.v.toLowerCase());
  const isOp = (tok: Token, ...ops: string[]) => tok.t === 'op' && ops.includes(tok.v);
  const shown = (tok: Token) => JSON.stringify('v' in tok ? tok.v : '');

  let depth = 0;
  const deeper = (tok: Token): void => {
    if (++depth > MAX_FILTER_DEPTH) throw new FilterSyntaxError(`the expression nests deeper than ${MAX_FILTER_DEPTH} parentheses and "not"s`, tok.at);
  };
  /** `a or b or c` (`||`) and `a and b` (`&&`): one node with every operand, or the one operand alone. */
  const chain = (kind: 'or' | 'and', op: string, operand: () => FilterNode): FilterNode => {
    const first = operand();
    const items = [first];
    while (isWord(peek(), kind) || isOp(peek(), op)) {
      next();
      items.push(operand());
    }
    return items.length === 1 ? first : { kind, items };
  };
  const orExpr = (): FilterNode => chain('or', '||', andExpr);
  const andExpr = (): FilterNode => chain('and', '&&', notExpr);
  const notExpr = (): FilterNode => {
    if (isWord(peek(), 'not') || isOp(peek(), 'not')) {
      deeper(next());
      const inner = notExpr();
      depth--;
      return { kind: 'not', inner };
    }
    return atom();
  };
  const value = (): Value => {
    const tok = next();
    if (tok.t === 'string') return { kind: 'string', value: tok.v, quoted: true, bytes: tok.bytes };
    if (tok.t === 'word') return wordValue(tok.v);
    throw new FilterSyntaxError(tok.t === 'end' ? 'a value is missing at the end' : `expected a value, found ${shown(tok)}`, tok.at);
  };
  const number = (v: Value, at: number): number => {
    if (v.kind !== 'number') throw new FilterSyntaxError('a range needs numbers at both ends', at);
    return v.value;
  };
  /** One member of `in {...}`: a value, or a range written `a..b` or `a .. b`. */
  const setItem = (): Value => {
    const tok = peek();
    if (tok.t === 'word' && tok.v.includes('..') && !tok.v.startsWith('..')) {
      next();
      const [lo, hi] = tok.v.split('..');
      if (hi === '' || hi === undefined) {
        const end = value();
        return { kind: 'range', lo: number(wordValue(lo!), tok.at), hi: number(end, tok.at) };
      }
      return { kind: 'range', lo: number(wordValue(lo!), tok.at), hi: number(wordValue(hi), tok.at) };
    }
    const v = value();
    const after = peek();
    if (after.t === 'word' && after.v.startsWith('..')) {
      next();
      const hi = after.v === '..' ? value() : wordValue(after.v.slice(2));
      return { kind: 'range', lo: number(v, tok.at), hi: number(hi, after.at) };
    }
    return v;
  };
  const atom = (): FilterNode => {
    const tok = peek();
    if (isOp(tok, '(')) {
      deeper(next());
      const inner = orExpr();
      const close = next();
      if (!isOp(close, ')')) throw new FilterSyntaxError('expected ")"', close.at);
      depth--;
      return inner;
    }
    if (tok.t !== 'word') {
      throw new FilterSyntaxError(tok.t === 'end' ? 'the expression ends too early' : `expected a field name, found ${shown(tok)}`, tok.at);
    }
    next();
    const field = tok.v;
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(field) || field.endsWith('.') || field.includes('..')) throw new FilterSyntaxError(`${JSON.stringify(field)} is not a field name`, tok.at);
    const opTok = peek();
    let op: Op | null = null;
    if (opTok.t === 'op' && ['==', '!=', '>', '>=', '<', '<=', 'matches'].includes(opTok.v)) op = opTok.v as Op;
    else if (opTok.t === 'word' && KEYWORD_OPS[opTok.v.toLowerCase()]) op = KEYWORD_OPS[opTok.v.toLowerCase()]!;
    if (!op) return { kind: 'exists', field, at: tok.at };
    next();
    if (op === 'in') {
      const open = next();
      if (!isOp(open, '{')) throw new FilterSyntaxError('expected "{" after "in"', open.at);
      const values: Value[] = [];
      while (!isOp(peek(), '}')) {
        if (peek().t === 'end') throw new FilterSyntaxError('expected "}"', peek().at);
        values.push(setItem());
        if (isOp(peek(), ',')) next();
      }
      if (!values.length) throw new FilterSyntaxError('an empty set matches nothing', open.at);
      next();
      return { kind: 'compare', field, at: tok.at, op, values };
    }
    const v = value();
    if (op === 'matches') {
      const problem = linearRegexProblem(v.kind === 'string' ? v.value : v.kind === 'number' ? v.text : '');
      if (problem !== null) throw new FilterSyntaxError(`bad regular expression (${problem})`, opTok.at);
    }
    return { kind: 'compare', field, at: tok.at, op, values: [v] };
  };

  const tree = orExpr();
  const rest = peek();
  if (rest.t !== 'end') throw new FilterSyntaxError(`unexpected ${shown(rest)}`, rest.at);
  return tree;
}
