import { out } from '../io.js';
import type { CommonOptions } from '../options.js';
import { buildReport } from './report.js';

/**
 * `wirelens FILE`: the terminal UI when stdout is a terminal; otherwise a readable text
 * summary (flows, transactions per protocol, anomalies), as termshark's pass-through does.
 */
export async function openCommand(file: string, opts: CommonOptions): Promise<number> {
  if (process.stdout.isTTY && process.stdin.isTTY) {
    const ui = await loadUi();
    if (ui) return ui(file, opts);
  }
  for (const chunk of (await buildReport(file, opts)).textSummary()) out(chunk);
  return 0;
}

type UiEntry = (file: string, opts: CommonOptions) => Promise<number>;

async function loadUi(): Promise<UiEntry | null> {
  // Ink renders only a final frame when it thinks it runs in CI (the CI variable). The UI
  // opens only on a real terminal, where that would leave the screen blank, so say no.
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) if (name in process.env) process.env[name] = 'false';
  try {
    const mod = (await import('../../tui/index.js' as string)) as { openUi?: UiEntry };
    return mod.openUi ?? null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}
