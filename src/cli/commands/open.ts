import { out, UserError } from '../io.js';
import { analyzeOptions, type CommonOptions } from '../options.js';
import type { AnalyzeOptions } from '../../pipeline/analyze.js';
import { buildReport } from './report.js';

/**
 * `wirelens FILE`: the terminal UI when stdout is a terminal; otherwise a readable text
 * summary (flows, transactions per protocol, anomalies), as termshark's pass-through does.
 */
export async function openCommand(file: string, opts: CommonOptions, mode: { follow?: boolean } = {}): Promise<number> {
  if (process.stdout.isTTY && process.stdin.isTTY && file !== '-') {
    const ui = await loadUi();
    if (ui) return ui.openUi(file, analyzeOptions(opts), { follow: mode.follow });
  }
  // Standard input is the capture (`tcpdump -w - | wirelens -`): keys come from the terminal
  // itself, as termshark and less read them.
  if (process.stdout.isTTY && file === '-' && !mode.follow) {
    const ui = await loadUi();
    const keys = ui?.terminalKeys();
    if (ui && keys) return ui.openUi(file, analyzeOptions(opts), { keys });
  }
  if (mode.follow) {
    throw new UserError(`--follow-file opens the terminal UI and needs a terminal; elsewhere read the growing file as a pipe: tail -c +1 -f ${file} | wirelens events -`);
  }
  for (const chunk of (await buildReport(file, opts)).textSummary()) out(chunk);
  return 0;
}

interface UiModule {
  openUi(file: string, run: Pick<AnalyzeOptions, 'limits' | 'keylog'>, mode: { follow?: boolean; keys?: import('node:tty').ReadStream | null }): Promise<number>;
  terminalKeys(): import('node:tty').ReadStream | null;
}

async function loadUi(): Promise<UiModule | null> {
  // Ink renders only a final frame when it thinks it runs in CI (the CI variable). The UI
  // opens only on a real terminal, where that would leave the screen blank, so say no.
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) if (name in process.env) process.env[name] = 'false';
  try {
    const mod = (await import('../../tui/index.js' as string)) as Partial<UiModule>;
    return mod.openUi && mod.terminalKeys ? (mod as UiModule) : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}
