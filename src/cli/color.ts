/** `--color`: whether the terminal UI draws colours (the other commands print plain text). */
export type ColorChoice = 'auto' | 'always' | 'never';
export const COLOR_CHOICES: readonly ColorChoice[] = ['auto', 'always', 'never'];

/**
 * Colour on or off: `--color=always|never` wins; `auto` (the default) follows NO_COLOR
 * (https://no-color.org: set and not empty means no colour), then whether stdout is a
 * terminal. FORCE_COLOR, when set, is left to chalk as it always was.
 */
export function colorWanted(choice: ColorChoice | undefined, env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (choice === 'always') return true;
  if (choice === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty;
}

/**
 * Tells chalk (Ink's colours) the choice before the UI is loaded: it reads FORCE_COLOR
 * once, when first imported. `0` turns every colour and style off; the UI's selection
 * keeps its `›` mark, so it still shows.
 */
export function applyColor(choice: ColorChoice | undefined, env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stdout.isTTY)): void {
  const auto = choice === undefined || choice === 'auto';
  if (auto && env.FORCE_COLOR !== undefined) return;
  if (!colorWanted(choice, env, isTty)) env.FORCE_COLOR = '0';
  // `always` off a detected terminal: at least 16 colours. `auto` on one: chalk's own detection.
  else if (!auto && (env.FORCE_COLOR === undefined || env.FORCE_COLOR === '0')) env.FORCE_COLOR = '1';
}
