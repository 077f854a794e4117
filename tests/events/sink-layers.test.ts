/**
 * Sinks read events only (issue 13): a sink imports nothing from src/pipeline/ but the entry
 * point that runs it (`analyze`, or `analyzeSplit` for `--workers`), and the engine offers
 * no flow facts to ask for. Checked by reading every import statement of the sink folders.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/pipeline/engine.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** The sinks: whole folders, and the CLI files that are sinks themselves (not the worker scripts that run them). */
const SINK_DIRS = ['export', 'report', 'tui', 'filter', 'packets', 'events'];
const SINK_FILES = ['cli/commands/events.ts'];
/** What a sink may import from pipeline/: the entry points that run it. */
const ENTRY_POINTS = new Set(['pipeline/analyze.ts', 'pipeline/parallel/split.ts']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** Every module a file names: `import ... from`, `export ... from`, `import('...')`, `new URL('...', import.meta.url)`. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\s+['"]([^'"]+)['"]/g, /new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g];
  for (const p of patterns) for (const m of text.matchAll(p)) out.push(m[1]!);
  return out;
}

/** A relative specifier as a path under src/ (`.js` written for `.ts`/`.tsx`); null for packages. */
function resolved(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const abs = resolve(dirname(from), spec);
  const rel = relative(SRC, abs).replaceAll('\\', '/');
  return rel.replace(/\.js$/, '.ts');
}

describe('sinks read events only', () => {
  it('the import scanner sees every form of import', () => {
    const text = [
      "import { a } from '../pipeline/engine.js';",
      "import type { B } from '../../pipeline/session.js';",
      "export { c } from './c.js';",
      "import './side-effect.js';",
      "const m = await import('../pipeline/order.js');",
      "new URL('../pipeline/parallel/share-worker.js', import.meta.url);",
      "import {\n  x,\n  y,\n} from '../multi/line.js';",
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(['../../pipeline/session.js', '../multi/line.js', '../pipeline/engine.js', '../pipeline/order.js', '../pipeline/parallel/share-worker.js', './c.js', './side-effect.js'].sort());
  });

  it('no sink imports anything of pipeline/ but its entry point', () => {
    const files = [...SINK_DIRS.flatMap((d) => sourceFiles(join(SRC, d))), ...SINK_FILES.map((f) => join(SRC, f))];
    expect(files.length).toBeGreaterThan(60);
    const offending: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolved(file, spec);
        if (target?.startsWith('pipeline/') && !ENTRY_POINTS.has(target)) offending.push(`${relative(SRC, file)} -> ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('no sink imports anything of cli/ (the CLI runs sinks; what both use lives below them)', () => {
    const files = SINK_DIRS.flatMap((d) => sourceFiles(join(SRC, d)));
    const offending: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolved(file, spec);
        if (target?.startsWith('cli/')) offending.push(`${relative(SRC, file)} -> ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('pipeline/ imports no sink that imports it back (no export <-> pipeline cycle)', () => {
    const offending: string[] = [];
    for (const file of sourceFiles(join(SRC, 'pipeline'))) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolved(file, spec);
        if (target?.startsWith('export/') || target?.startsWith('tui/') || target?.startsWith('cli/')) offending.push(`${relative(SRC, file)} -> ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('report/ and plot/ import nothing of tui/ (the text report draws with plot/, as the UI does)', () => {
    const offending: string[] = [];
    for (const file of [...sourceFiles(join(SRC, 'report')), ...sourceFiles(join(SRC, 'plot'))]) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolved(file, spec);
        if (target?.startsWith('tui/')) offending.push(`${relative(SRC, file)} -> ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('the engine has no flow facts to ask for, and the run no engine to hand out', () => {
    const proto = Engine.prototype as unknown as Record<string, unknown>;
    expect(proto['flowFacts']).toBeUndefined();
    expect(proto['flowContext']).toBeUndefined();
    const analyzeText = readFileSync(join(SRC, 'pipeline', 'analyze.ts'), 'utf8');
    expect(analyzeText).not.toMatch(/onEngine/);
  });
});
