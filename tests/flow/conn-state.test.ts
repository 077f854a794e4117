/**
 * Zeek's endpoint states, history letters and conn_state (src/flow/conn-state.ts), without
 * the engine: segments played through `tcpStep` into a flow, as the engine plays them.
 */
import { describe, expect, it } from 'vitest';
import { Timestamp } from '../../src/events/time.js';
import {
  EndpointState,
  HISTORY_LETTERS,
  onceBit,
  repeatWritten,
  STEP_A,
  STEP_D,
  STEP_F,
  STEP_H,
  STEP_HANDSHAKE_ACK,
  STEP_LETTERS,
  STEP_Q,
  STEP_R,
  STEP_S,
  STEP_W,
  stepMine,
  stepTheirs,
  tcpStep,
  type SegmentFacts,
} from '../../src/flow/conn-state.js';
import { Flow, type Side } from '../../src/flow/flow.js';

const seg = (flags: string, payload = 0, window = 1000): SegmentFacts => ({
  syn: flags.includes('S'),
  ack: flags.includes('A'),
  fin: flags.includes('F'),
  rst: flags.includes('R'),
  payload,
  window,
});

/** Plays segments (side 0 is the client) as the engine does; returns the record's history and conn_state. */
function play(steps: readonly [Side, string, number?][]): { history: string; connState: string; states: [EndpointState, EndpointState] } {
  const flow = new Flow(1, 'k', 'tcp', 4, null, 0, new Timestamp(0, 0), 1, 'eth:ipv4:tcp');
  for (const [side, flags, payload] of steps) {
    const other = (1 - side) as Side;
    const step = tcpStep(flow.state(side), flow.state(other), seg(flags, payload ?? 0));
    flow.setState(side, stepMine(step));
    flow.setState(other, stepTheirs(step));
    for (const [bit, letter] of STEP_LETTERS) if (step & bit) flow.addHistory(letter, side === flow.clientSide);
  }
  const r = flow.record();
  return { history: r.history, connState: r.conn_state, states: [flow.state(0), flow.state(1)] };
}

describe('tcpStep: one segment on both endpoint states', () => {
  it('a SYN opens an inactive endpoint, a SYN-ACK answers, the first ACK establishes both', () => {
    const syn = tcpStep(EndpointState.Inactive, EndpointState.Inactive, seg('S'));
    expect([stepMine(syn), stepTheirs(syn), syn & ~0x3f]).toEqual([EndpointState.SynSent, EndpointState.Inactive, STEP_S]);
    const synAck = tcpStep(EndpointState.Inactive, EndpointState.SynSent, seg('SA'));
    expect([stepMine(synAck), stepTheirs(synAck), synAck & ~0x3f]).toEqual([EndpointState.SynAckSent, EndpointState.SynSent, STEP_H]);
    const ack = tcpStep(EndpointState.SynSent, EndpointState.SynAckSent, seg('A'));
    expect([stepMine(ack), stepTheirs(ack), ack & ~0x3f]).toEqual([EndpointState.Established, EndpointState.Established, STEP_A | STEP_HANDSHAKE_ACK]);
  });

  it('RST resets the sender and writes nothing after R', () => {
    const r = tcpStep(EndpointState.Established, EndpointState.Established, seg('RA', 10, 0));
    expect([stepMine(r), stepTheirs(r), r & ~0x3f]).toEqual([EndpointState.Reset, EndpointState.Established, STEP_R]);
    const q = tcpStep(EndpointState.Inactive, EndpointState.Inactive, seg('SR'));
    expect(q & ~0x3f).toBe(STEP_Q | STEP_S | STEP_R);
  });

  it('FIN closes the sender (not a reset one); data is D, a bare ACK A, a zero window W (not on a SYN)', () => {
    const fin = tcpStep(EndpointState.Established, EndpointState.Established, seg('FA', 5));
    expect([stepMine(fin), fin & ~0x3f]).toEqual([EndpointState.Closed, STEP_F | STEP_D]);
    expect(stepMine(tcpStep(EndpointState.Reset, EndpointState.Established, seg('F')))).toBe(EndpointState.Reset);
    expect(tcpStep(EndpointState.Established, EndpointState.Established, seg('A', 0, 0)) & ~0x3f).toBe(STEP_A | STEP_W);
    expect(tcpStep(EndpointState.Inactive, EndpointState.Inactive, seg('S', 0, 0)) & ~0x3f).toBe(STEP_S);
  });

  it('an endpoint first seen mid-stream is Partial', () => {
    expect(stepMine(tcpStep(EndpointState.Inactive, EndpointState.Inactive, seg('A')))).toBe(EndpointState.Partial);
    expect(stepMine(tcpStep(EndpointState.Inactive, EndpointState.Inactive, seg('', 10)))).toBe(EndpointState.Partial);
    expect(stepMine(tcpStep(EndpointState.Inactive, EndpointState.Inactive, seg('')))).toBe(EndpointState.Inactive);
  });
});

describe('history and conn_state as Zeek writes them', () => {
  it('a whole connection: ShADadFf, SF', () => {
    const r = play([
      [0, 'S'],
      [1, 'SA'],
      [0, 'A'],
      [0, 'PA', 100],
      [1, 'A'],
      [1, 'PA', 200],
      [0, 'FA'],
      [1, 'FA'],
      [0, 'A'],
    ]);
    expect(r).toEqual({ history: 'ShADadFf', connState: 'SF', states: [EndpointState.Closed, EndpointState.Closed] });
  });

  it.each([
    ['a SYN alone', [[0, 'S']], 'S', 'S0'],
    ['a refused SYN', [[0, 'S'], [1, 'RA']], 'Sr', 'REJ'],
    ['a SYN then its own RST', [[0, 'S'], [0, 'R']], 'SR', 'RSTOS0'],
    ['established, not closed', [[0, 'S'], [1, 'SA'], [0, 'A']], 'ShA', 'S1'],
    ['the originator closes alone', [[0, 'S'], [1, 'SA'], [0, 'A'], [0, 'FA']], 'ShAF', 'S2'],
    ['the responder resets', [[0, 'S'], [1, 'SA'], [0, 'A'], [1, 'RA']], 'ShAr', 'RSTR'],
    ['midstream data only', [[0, 'PA', 10]], 'D', 'OTH'],
  ] as [string, [Side, string, number?][], string, string][])('%s: %s, %s', (_name, steps, history, connState) => {
    const r = play(steps);
    expect([r.history, r.connState]).toEqual([history, connState]);
  });

  it('once-letters are written once per direction; C, G, T, W at the 1st, 10th, 100th repeat', () => {
    const flow = new Flow(1, 'k', 'tcp', 4, null, 0, new Timestamp(0, 0), 1, 'eth:ipv4:tcp');
    flow.addHistory('A', true);
    flow.addHistory('A', true);
    flow.addHistory('A', false);
    for (let i = 0; i < 100; i++) flow.addHistory('T', true);
    expect(flow.history).toBe('AaTTT');
    expect([1, 10, 100, 1000].every(repeatWritten)).toBe(true);
    expect([2, 11, 20, 110].some(repeatWritten)).toBe(false);
  });

  it('a flip swaps the roles: cases swap, ^ is written, seen letters and counts follow their direction', () => {
    const flow = new Flow(1, 'k', 'tcp', 4, null, 0, new Timestamp(0, 0), 1, 'eth:ipv4:tcp');
    flow.addHistory('H', true);
    flow.addHistory('T', true);
    flow.flip();
    expect(flow.history).toBe('^ht');
    flow.addHistory('H', false); // the same endpoint, now the responder: seen already
    flow.addHistory('H', true);
    for (let i = 0; i < 9; i++) flow.addHistory('T', false); // its 10th T
    expect(flow.history).toBe('^htHt');
  });

  it('every letter has its meaning, and the once-letters have distinct bits within 8', () => {
    const letters = Object.keys(HISTORY_LETTERS).filter((l) => l !== '^') as (keyof typeof HISTORY_LETTERS & string)[];
    const bits = letters.map((l) => onceBit(l as Exclude<typeof l, '^'>)).filter((b) => b !== 0);
    expect(new Set(bits).size).toBe(bits.length);
    expect(Math.max(...bits)).toBeLessThan(256);
    expect(letters.filter((l) => onceBit(l as Exclude<typeof l, '^'>) === 0).sort()).toEqual(['C', 'G', 'T', 'W']);
    expect(STEP_LETTERS.map(([, l]) => l).join('')).toBe('QHSRFDAW');
  });
});
