import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { growthFor, roomUnder } from '../../src/pipeline/heap-governor.js';

const root = join(import.meta.dirname, '..', '..');

describe('heap governor', () => {
  it('allows V8 its fourfold growth while the live heap is small, less as it nears the budget', () => {
    expect(growthFor(10, 64)).toBe(300);
    expect(growthFor(32, 64)).toBe(100);
    expect(growthFor(48, 64)).toBe(33);
    expect(growthFor(60, 64)).toBe(25);
    // Past the budget: 16 MB of growth, never below 15% nor above the 25% floor within it.
    expect(growthFor(80, 64)).toBe(20);
    expect(growthFor(110, 64)).toBe(15);
    expect(growthFor(200, 64)).toBe(15);
    expect(growthFor(0, 64)).toBe(300);
  });

  it('gives the old generation what an RSS target leaves once the rest of the process and the young generation are counted', () => {
    // 185 MB target, 150 MB resident of which 90 MB is V8's heap, a 16 MB young generation:
    // 60 MB outside the heap, 24 MB for the young generation and its addend to V8's limits.
    expect(roomUnder(185, 150, 90, 16)).toBe(101);
    // 58 MB live (the 500 MB bench): 74% growth under that room, where the fixed 64 MB gave 25%.
    expect(growthFor(58, Math.max(64, roomUnder(185, 150, 90, 16)))).toBe(74);
    // A process that holds more outside the heap leaves it less room, down to the fixed budget.
    expect(Math.max(64, roomUnder(185, 200, 60, 16))).toBe(64);
  });

  it('watches collections without keeping the process alive', () => {
    const script = `
      const { governHeap } = await import(${JSON.stringify(join(root, 'dist', 'pipeline', 'heap-governor.js'))});
      governHeap(1);
      const keep = [];
      for (let i = 0; i < 200; i++) keep.push(new Array(10000).fill(i));
      globalThis.gc();
      console.log('done', keep.length);`;
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('done 200');
  });
});
