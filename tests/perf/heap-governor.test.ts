import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { growthFor } from '../../src/pipeline/heap-governor.js';

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
