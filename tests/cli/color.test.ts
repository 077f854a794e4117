import { describe, expect, it } from 'vitest';
import { applyColor, colorWanted } from '../../src/cli/color.js';

describe('--color and NO_COLOR', () => {
  it('always and never win; auto follows NO_COLOR (set and not empty), then the terminal', () => {
    expect(colorWanted('always', { NO_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted('never', {}, true)).toBe(false);
    expect(colorWanted('auto', { NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted('auto', { NO_COLOR: '' }, true)).toBe(true);
    expect(colorWanted('auto', {}, true)).toBe(true);
    expect(colorWanted(undefined, {}, false)).toBe(false);
  });

  it('tells chalk through FORCE_COLOR before the UI loads', () => {
    const env = (e: NodeJS.ProcessEnv, choice: 'auto' | 'always' | 'never', tty: boolean) => {
      const copy = { ...e };
      applyColor(choice, copy, tty);
      return copy.FORCE_COLOR;
    };
    expect(env({ NO_COLOR: 'x' }, 'auto', true)).toBe('0');
    expect(env({}, 'never', true)).toBe('0');
    expect(env({ FORCE_COLOR: '3' }, 'never', true)).toBe('0');
    expect(env({}, 'always', false)).toBe('1');
    expect(env({ FORCE_COLOR: '3' }, 'always', false)).toBe('3');
    // auto on a terminal: chalk's own detection (256 colours, truecolor) is left alone.
    expect(env({}, 'auto', true)).toBeUndefined();
    expect(env({ FORCE_COLOR: '2', NO_COLOR: '1' }, 'auto', true)).toBe('2');
  });
});
