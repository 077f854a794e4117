import type { Key } from 'ink';

/** Everything a key can do. One table drives the handler, the help screen and the README. */
export type Action =
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'top'
  | 'bottom'
  | 'open'
  | 'back'
  | 'nextPane'
  | 'prevPane'
  | 'filter'
  | 'next'
  | 'prev'
  | 'sort'
  | 'reverse'
  | 'hex'
  | 'decode'
  | 'headers'
  | 'flows'
  | 'anomalies'
  | 'stats'
  | 'credentials'
  | 'objects'
  | 'detail'
  | 'ladder'
  | 'stream'
  | 'packets'
  | 'graphs'
  | 'interval'
  | 'help'
  | 'quit';

export const KEY_HELP: ReadonlyArray<readonly [keys: string, what: string]> = [
  ['↑ ↓  j k', 'move the selection (scroll in the ladder and stream)'],
  ['PgUp PgDn  Ctrl-b Ctrl-f', 'a page up or down'],
  ['g  G  Home End', 'first, last line'],
  ['Enter', 'open the selected flow; fold or unfold a group or a transaction; a packet\'s header tree and bytes; jump from an anomaly, credential or object to its message; stream: fold the headers of the first HTTP message on screen'],
  ['Esc', 'back: close the packet detail, the flow, the help or the prompt'],
  ['Tab  Shift-Tab', 'next, previous pane (Flows, Anomalies, Statistics, Credentials, Objects; in a flow: Transactions, Ladder, Stream, Packets, Graphs)'],
  ['1 2 3 4 5', 'Flows, Anomalies, Statistics, Credentials, Objects'],
  ['d  l  f', 'in a flow: transactions (detail), ladder diagram, follow the stream'],
  ['p  t', 'in a flow: its packets (flags, relative seq/ack, window, TCP analysis); graphs (time-sequence, throughput, RTT, I/O)'],
  ['/', 'filter (e.g. http.status_code >= 400, app == ftp, ip.addr == 10.0.0.1); empty clears. In the stream: search. In packets and graphs: a frame filter (tcp.analysis.retransmission, tcp.len > 0)'],
  ['n  N', 'next, previous search match in the stream'],
  ['s  S', 'flows list: sort by the next column; reverse the order'],
  ['x', 'stream: ASCII or hex'],
  ['z', 'stream: HTTP bodies decoded (de-chunked, gunzipped) or as sent'],
  ['i', 'graphs: the I/O graph\'s interval (auto, 1 ms, 10 ms, 100 ms, 1 s, 10 s)'],
  ['h', 'stream: fold or unfold the header lines of every HTTP/1 message (Enter: the first message on screen)'],
  ['?', 'this help'],
  ['q  Ctrl-c', 'quit'],
];

/** The action of a key press, or null. Printable keys are matched exactly (`s` ≠ `S`). */
export function actionOf(input: string, key: Key): Action | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp || (key.ctrl && input === 'b')) return 'pageUp';
  if (key.pageDown || (key.ctrl && input === 'f')) return 'pageDown';
  if (key.home) return 'top';
  if (key.end) return 'bottom';
  if (key.return) return 'open';
  if (key.escape) return 'back';
  if (key.tab) return key.shift ? 'prevPane' : 'nextPane';
  if (key.ctrl || key.meta) return null;
  switch (input) {
    case 'k':
      return 'up';
    case 'j':
      return 'down';
    case 'g':
      return 'top';
    case 'G':
      return 'bottom';
    case '/':
      return 'filter';
    case 'n':
      return 'next';
    case 'N':
      return 'prev';
    case 's':
      return 'sort';
    case 'S':
      return 'reverse';
    case 'x':
      return 'hex';
    case 'z':
      return 'decode';
    case 'h':
      return 'headers';
    case '1':
      return 'flows';
    case '2':
      return 'anomalies';
    case '3':
      return 'stats';
    case '4':
      return 'credentials';
    case '5':
      return 'objects';
    case 'd':
      return 'detail';
    case 'l':
      return 'ladder';
    case 'f':
      return 'stream';
    case 'p':
      return 'packets';
    case 't':
      return 'graphs';
    case 'i':
      return 'interval';
    case '?':
      return 'help';
    case 'q':
      return 'quit';
  }
  return null;
}

/** A key press with no flag set (tests and `splitKeys` build presses from it). */
export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * Ink hands a burst of typed characters (a paste, keys sent by tmux, a fast typist) over
 * as one string; this splits it back into key presses, so `jj` moves twice and `\r` is Enter.
 */
export function splitKeys(input: string, key: Key): Array<[string, Key]> {
  if (input.length <= 1 || key.ctrl || key.meta || key.escape) return [[input, key]];
  return [...input].map((c): [string, Key] => {
    if (c === '\r' || c === '\n') return ['', { ...NO_KEY, return: true }];
    if (c === '\t') return ['', { ...NO_KEY, tab: true }];
    if (c === '\x7f' || c === '\b') return ['', { ...NO_KEY, backspace: true }];
    return [c, { ...NO_KEY, shift: /[A-Z]/.test(c) }];
  });
}
