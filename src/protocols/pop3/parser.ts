/** Pure POP3 text parsing. */

/** `VERB arg`: tshark's split (pop.request.command / pop.request.parameter), the verb upper-cased. */
export { parseCommand } from '../../dissect/text-lines.js';

export type StatusLine = { kind: 'status'; status: '+OK' | '-ERR'; msg: string } | { kind: 'continuation'; text: string } | { kind: 'other'; text: string };

export function parseStatus(line: string): StatusLine {
  const m = /^(\+OK|-ERR)(?:\s(.*)|$)/i.exec(line);
  if (m) return { kind: 'status', status: m[1]!.toUpperCase() as '+OK' | '-ERR', msg: m[2] ?? '' };
  if (line === '+' || line.startsWith('+ ')) return { kind: 'continuation', text: line.slice(2) };
  return { kind: 'other', text: line };
}

/**
 * Whether a +OK to this command starts a dot-terminated block (RFC 1939 §3): LIST and UIDL
 * without an argument, RETR, TOP, CAPA, and AUTH without a mechanism (the mechanism list,
 * RFC 1734 servers).
 */
export function isMultiline(command: string, arg: string): boolean {
  switch (command) {
    case 'RETR':
    case 'TOP':
    case 'CAPA':
      return true;
    case 'LIST':
    case 'UIDL':
    case 'AUTH':
      return arg.trim() === '';
    default:
      return false;
  }
}

/** `n ...` lines of a LIST/UIDL listing, or the `+OK n ...` of a single-message answer. */
export function messageNumber(text: string): number | null {
  const m = /^\s*(\d+)\b/.exec(text);
  return m ? Number(m[1]) : null;
}
