/**
 * A small display-filter language in Wireshark's shape:
 *
 *   expr   := or
 *   or     := and (("or" | "||") and)*
 *   and    := not (("and" | "&&") not)*
 *   not    := ("not" | "!") not | atom
 *   atom   := "(" expr ")" | field [op value]
 *   op     := == | != | > | >= | < | <= | contains | matches | in
 *   value  := number | "string" | bare word (an address, a name) | { value value ... }
 *
 * A field alone tests that it exists (`dns`, `http.host`). Errors carry the column.
 */
import { linearRegexProblem } from './linear-regex.js';

export type Op = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'contains' | 'matches' | 'in';

export type Value = { kind: 'number'; value: number; text: string } | { kind: 'string'; value: string };

/**
 * `and` and `or` hold their operands in one list, so a chain of 100,000 terms is one node
 * (evaluated in a loop), not a tree 100,000 deep (evaluated by as many nested calls).
 */
export type FilterNode =
  | { kind: 'or'; items: FilterNode[] }
  | { kind: 'and'; items: FilterNode[] }
  | { kind: 'not'; inner: FilterNode }
  | { kind: 'exists'; field: string }
  | { kind: 'compare'; field: string; op: Op; values: Value[] };

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
  | { t: 'string'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

const WORD = /[A-Za-z0-9_.:\-/*]/;

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
      let v = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) {
          const n = src[i + 1]!;
          v += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
          i += 2;
        } else v += src[i++];
      }
      if (i >= src.length) throw new FilterSyntaxError('unterminated string', at);
      i++;
      out.push({ t: 'string', v, at });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '>=', '<=', '&&', '||'].includes(two)) {
      out.push({ t: 'op', v: two, at });
      i += 2;
      continue;
    }
    if ('()<>!{},'.includes(c)) {
      out.push({ t: 'op', v: c === '!' ? 'not' : c, at });
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
  '~': 'matches',
  in: 'in',
};

export function parseFilter(src: string): FilterNode {
  const tokens = lex(src);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const isWord = (tok: Token, ...words: string[]) => tok.t === 'word' && words.includes(tok.v.toLowerCase());
  const isOp = (tok: Token, ...ops: string[]) => tok.t === 'op' && ops.includes(tok.v);

  let depth = 0;
  const deeper = (tok: Token): void => {
    if (++depth > MAX_FILTER_DEPTH) throw new FilterSyntaxError(`the expression nests deeper than ${MAX_FILTER_DEPTH} parentheses and "not"s`, tok.at);
  };
  const orExpr = (): FilterNode => {
    const first = andExpr();
    if (!(isWord(peek(), 'or') || isOp(peek(), '||'))) return first;
    const items = [first];
    while (isWord(peek(), 'or') || isOp(peek(), '||')) {
      next();
      items.push(andExpr());
    }
    return { kind: 'or', items };
  };
  const andExpr = (): FilterNode => {
    const first = notExpr();
    if (!(isWord(peek(), 'and') || isOp(peek(), '&&'))) return first;
    const items = [first];
    while (isWord(peek(), 'and') || isOp(peek(), '&&')) {
      next();
      items.push(notExpr());
    }
    return { kind: 'and', items };
  };
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
    if (tok.t === 'string') return { kind: 'string', value: tok.v };
    if (tok.t === 'word') {
      const n = Number(tok.v);
      return /^-?(\d+(\.\d+)?|0x[0-9a-f]+)$/i.test(tok.v) && Number.isFinite(n)
        ? { kind: 'number', value: n, text: tok.v }
        : { kind: 'string', value: tok.v };
    }
    throw new FilterSyntaxError(tok.t === 'end' ? 'a value is missing at the end' : `expected a value, found ${JSON.stringify('v' in tok ? tok.v : '')}`, tok.at);
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
      throw new FilterSyntaxError(tok.t === 'end' ? 'the expression ends too early' : `expected a field name, found ${JSON.stringify('v' in tok ? tok.v : '')}`, tok.at);
    }
    next();
    const field = tok.v;
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(field)) throw new FilterSyntaxError(`${JSON.stringify(field)} is not a field name`, tok.at);
    const opTok = peek();
    let op: Op | null = null;
    if (opTok.t === 'op' && ['==', '!=', '>', '>=', '<', '<='].includes(opTok.v)) op = opTok.v as Op;
    else if (opTok.t === 'word' && KEYWORD_OPS[opTok.v.toLowerCase()]) op = KEYWORD_OPS[opTok.v.toLowerCase()]!;
    if (!op) return { kind: 'exists', field };
    next();
    if (op === 'in') {
      const open = next();
      if (!isOp(open, '{')) throw new FilterSyntaxError('expected "{" after "in"', open.at);
      const values: Value[] = [];
      while (!isOp(peek(), '}')) {
        if (peek().t === 'end') throw new FilterSyntaxError('expected "}"', peek().at);
        values.push(value());
        if (isOp(peek(), ',')) next();
      }
      next();
      return { kind: 'compare', field, op, values };
    }
    const v = value();
    if (op === 'matches') {
      const problem = linearRegexProblem(v.kind === 'string' ? v.value : v.text);
      if (problem !== null) throw new FilterSyntaxError(`bad regular expression (${problem})`, opTok.at);
    }
    return { kind: 'compare', field, op, values: [v] };
  };

  const tree = orExpr();
  const rest = peek();
  if (rest.t !== 'end') throw new FilterSyntaxError(`unexpected ${JSON.stringify('v' in rest ? rest.v : '')}`, rest.at);
  return tree;
}
