/**
 * The README's lab section (Kurose & Ross HTTP, DNS and TCP labs on the project's captures)
 * stays true: every row's command runs here and every quoted piece of its answer must be in
 * what it prints. The `wirelens` part runs in-process (the command functions, stdout
 * captured); `| grep`, `| wc -l` are applied here, `| jq` runs jq when it is installed
 * (without it the row checks the unpiped output is not empty); a row of keys opens the
 * terminal UI (ink-testing-library) and types them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventsCommand } from '../../src/cli/commands/events.js';
import { flowsCommand } from '../../src/cli/commands/flows.js';
import { packetsCommand } from '../../src/cli/commands/packets.js';
import { reportCommand } from '../../src/cli/commands/report.js';
import { REPO } from '../support/requires.js';
import { renderApp } from '../tui/helpers.js';

interface LabRow {
  question: string;
  command: string;
  keys: string[];
  answers: string[];
}

const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\\\|/g, '|'));

/** The lab table: rows of `| question | command or keys | answer |`. */
function labRows(): LabRow[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf("#### The Kurose & Ross labs on the project's captures");
  expect(start, 'README has the lab section').toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n#', start + 10));
  const rows: LabRow[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| lab question') || line.startsWith('|---')) continue;
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const [question, how, answer] = [cells[1]!, cells[2]!, cells[3]!];
    const spans = codeSpans(how);
    const keyed = /, keys /.test(how);
    rows.push({ question, command: spans[0]!, keys: keyed ? spans.slice(1) : [], answers: codeSpans(answer) });
  }
  return rows;
}

/** Splits a shell command into words and pipe stages (single and double quotes, `|`). */
function stages(command: string): string[][] {
  const out: string[][] = [[]];
  let word: string | null = null;
  let quote: string | null = null;
  for (const ch of command) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (ch === ' ') {
      if (word !== null) out[out.length - 1]!.push(word);
      word = null;
    } else if (ch === '|') {
      if (word !== null) out[out.length - 1]!.push(word);
      word = null;
      out.push([]);
    } else word = (word ?? '') + ch;
  }
  if (word !== null) out[out.length - 1]!.push(word);
  return out;
}

const BOOLEAN = new Set(['json', 'detail', 'text']);
const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Runs `wirelens SUBCOMMAND FILE --options` in this process and returns what it printed. */
async function inProcess(words: string[]): Promise<string> {
  const [, sub, ...rest] = words;
  const opts: Record<string, unknown> = {};
  const inputs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (!w.startsWith('--')) {
      inputs.push(w);
      continue;
    }
    const name = camel(w.slice(2));
    if (BOOLEAN.has(name)) opts[name] = true;
    else opts[name] = name === 'types' ? [rest[++i]!] : rest[++i]!;
  }
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    const file = join(REPO, inputs[0]!);
    if (sub === 'packets') await packetsCommand(file, opts);
    else if (sub === 'events') await eventsCommand(file, opts);
    else if (sub === 'flows') await flowsCommand(file, opts);
    else if (sub === 'report') await reportCommand([file], opts);
    else throw new Error(`the lab test does not run "${sub}"`);
  } finally {
    spy.mockRestore();
  }
  return text;
}

const hasJq = spawnSync('jq', ['--version'], { stdio: 'ignore' }).status === 0;

/** Applies the pipe stages after wirelens; null when one needs jq and jq is missing. */
function pipe(text: string, stage: string[]): string | null {
  const [cmd, ...args] = stage;
  if (cmd === 'grep') return text.split('\n').filter((l) => l.includes(args[0]!)).join('\n');
  if (cmd === 'wc' && args[0] === '-l') return String(text.split('\n').filter((l, i, a) => i < a.length - 1 || l).length);
  if (cmd === 'jq') {
    if (!hasJq) return null;
    const r = spawnSync('jq', args, { input: text, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  }
  throw new Error(`the lab test does not run "${cmd}"`);
}

const rows = labRows();

describe("README: the Kurose & Ross labs on the project's captures", () => {
  it('has rows for the HTTP, DNS and TCP labs, each with a command and an answer to check', () => {
    for (const lab of ['HTTP', 'DNS', 'TCP']) expect(rows.filter((r) => r.question.startsWith(`${lab}:`)).length, lab).toBeGreaterThanOrEqual(5);
    for (const r of rows) {
      expect(r.command, r.question).toMatch(/^wirelens /);
      expect(r.answers.length, r.question).toBeGreaterThan(0);
    }
  });

  let ui: Awaited<ReturnType<typeof renderApp>> | null = null;
  beforeEach(() => {
    ui = null;
  });
  afterEach(() => ui?.unmount());

  for (const row of rows) {
    it(`${row.question}: ${row.command}${row.keys.length ? ` + ${row.keys.join(' ')}` : ''}`, async () => {
      const [first, ...after] = stages(row.command);
      if (row.keys.length) {
        ui = await renderApp(join(REPO, first![1]!));
        await ui.waitFor((f) => f.includes('1 Flows') && !f.includes('Loading'));
        for (const k of row.keys) {
          const before = ui.lastFrame();
          ui.press(k);
          await ui.waitFor((f) => f !== before);
        }
        const screen = await ui.waitFor((f) => row.answers.every((a) => f.includes(a)));
        for (const a of row.answers) expect(screen).toContain(a);
        return;
      }
      let text: string | null = await inProcess(first!);
      expect(text.trim(), 'wirelens printed something').not.toBe('');
      for (const stage of after) {
        if (text === null) break;
        text = pipe(text, stage);
      }
      if (text === null) return; // jq missing: the unpiped output was not empty
      expect(text.trim(), 'the piped answer is not empty').not.toBe('');
      for (const a of row.answers) expect(text, `answer piece ${a}`).toContain(a);
    });
  }
});
