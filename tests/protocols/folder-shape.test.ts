/**
 * Every registered protocol folder has the files docs/ARCHITECTURE.md ("A protocol folder")
 * names, with their roles: index.ts the descriptor and nothing else, probe.ts the probe,
 * summarize.ts the report section's summarizer wherever the descriptor has one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../src/protocols/index.js';

const folder = (name: string, file: string): string => new URL(`../../src/protocols/${name}/${file}`, import.meta.url).pathname;

describe('protocol folders', () => {
  for (const d of PROTOCOLS) {
    it(`${d.name}: index.ts, probe.ts, dissector.ts, events.ts; summarize.ts where the report has a summary`, async () => {
      for (const f of ['index.ts', 'probe.ts', 'dissector.ts', 'events.ts']) expect(existsSync(folder(d.name, f)), f).toBe(true);
      const index = readFileSync(folder(d.name, 'index.ts'), 'utf8');
      // The descriptor only: no functions, classes or other constants of its own.
      expect(index).not.toMatch(/^(export )?(async )?function |^(export )?class /m);
      const declared = [...index.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
      expect(declared).toEqual([`${d.name}Descriptor`]);
      expect([...index.matchAll(/^const |^let /gm)]).toEqual([]);
      const probe = (await import(/* @vite-ignore */ folder(d.name, 'probe.ts'))) as Record<string, unknown>;
      expect(Object.values(probe).some((v) => typeof v === 'function' && v.name.startsWith('probe'))).toBe(true);
      const summarize = d.report?.summarize;
      expect(existsSync(folder(d.name, 'summarize.ts'))).toBe(summarize !== undefined);
      if (summarize) {
        const mod = (await import(/* @vite-ignore */ folder(d.name, 'summarize.ts'))) as Record<string, unknown>;
        expect(Object.values(mod)).toContain(summarize);
      }
    });
  }
});
