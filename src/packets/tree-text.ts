/**
 * A frame's header tree (`detailTree`) as indented `name: value` lines: what `packets
 * --detail` prints under each frame and what the UI's packet detail view shows. One
 * formatter for both, so the two never disagree.
 */
import type { JsonObject } from '../events/json.js';
import { Timestamp } from '../events/time.js';
import { visible } from '../report/safe-text.js';

export interface TreeLine {
  depth: number;
  name: string;
  /** Null for a branch (a header); the value made safe to print otherwise. */
  value: string | null;
}

/** The tree as lines, depth first, in the tree's key order. */
export function treeLines(tree: JsonObject, depth = 1, out: TreeLine[] = []): TreeLine[] {
  for (const [k, v] of Object.entries(tree)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) out.push({ depth, name: k, value: visible(JSON.stringify(v)) });
    else if (v !== null && typeof v === 'object' && !(v instanceof Timestamp)) {
      out.push({ depth, name: k, value: null });
      treeLines(v as JsonObject, depth + 1, out);
    } else out.push({ depth, name: k, value: visible(String(v)) });
  }
  return out;
}

/** One line as `packets --detail` prints it: four spaces per level. */
export function treeLineText(l: TreeLine): string {
  return `${'    '.repeat(l.depth)}${l.name}${l.value === null ? '' : `: ${l.value}`}`;
}

/** The tree as `packets --detail` prints it. */
export function treeText(tree: JsonObject): string {
  return treeLines(tree).map(treeLineText).join('\n');
}
