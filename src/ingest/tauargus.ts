/**
 * τ-Argus file formats: hierarchy code lists (.hrc, depth given by a leading
 * "@" per level) and tabular data (.tab: codes, value, status, bounds).
 */
import type { HierarchyEdge } from "../core/table/dimension.js";

/** Parent/child edges of an .hrc file; top-level codes hang under `total`. */
export function parseHrc(text: string, total = "Total", lead = "@"): HierarchyEdge[] {
  const edges: HierarchyEdge[] = [];
  const stack: string[] = [total];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === "") continue;
    let depth = 0;
    let rest = raw;
    while (rest.startsWith(lead)) {
      depth++;
      rest = rest.slice(lead.length);
    }
    const code = rest.trim();
    stack.length = depth + 1;
    edges.push({ parent: stack[depth] as string, child: code });
    stack.push(code);
  }
  return edges;
}
