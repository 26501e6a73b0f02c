/**
 * A dimension of a statistical table: its codes, its total, and every additive
 * relation its hierarchies state (`parent = Σ children`). A variable may carry
 * several groupings of the same leaves (communes by EPCI and by RPE, regions by
 * county and by k_group): each grouping is a tree under the same total, and all
 * of their nodes are published cells.
 */
import { invalide } from "../errors.js";

export interface HierarchyEdge {
  readonly parent: string;
  readonly child: string;
  /** Name of the grouping this edge belongs to; one tree per grouping. */
  readonly grouping?: string;
}

export interface Relation {
  readonly parent: string;
  readonly children: readonly string[];
  readonly grouping: string;
}

export interface Dimension {
  readonly name: string;
  readonly total: string;
  /** Every code: total first, then each grouping's nodes depth-first, leaves last if flat. */
  readonly codes: readonly string[];
  readonly leaves: readonly string[];
  readonly relations: readonly Relation[];
  /** Leaves under each code (a leaf maps to itself). */
  readonly leavesOf: ReadonlyMap<string, readonly string[]>;
  /** 0 for the total, 1 for its children…; a leaf under several groupings takes its deepest level. */
  readonly depth: ReadonlyMap<string, number>;
}

/** A flat dimension: leaves directly under the total. */
export function flatDimension(name: string, leaves: readonly string[], total = "Total"): Dimension {
  if (leaves.length === 0) {
    throw invalide("dimension_vide", `La variable « ${name} » n'a aucune modalité.`);
  }
  return buildDimension(
    name,
    leaves.map((child) => ({ parent: total, child })),
  );
}

/**
 * Builds a dimension from parent→child edges, checking that each grouping is a
 * tree (no cycle, one parent per code), that all groupings share one root and
 * cover the same leaves, so that every relation is a true additive equation.
 */
export function buildDimension(name: string, edges: readonly HierarchyEdge[]): Dimension {
  if (edges.length === 0) {
    throw invalide("hierarchie_vide", `La hiérarchie de « ${name} » est vide.`);
  }
  const byGrouping = new Map<string, HierarchyEdge[]>();
  for (const e of edges) {
    if (e.parent === e.child) {
      throw invalide(
        "hierarchie_cyclique",
        `Hiérarchie de « ${name} » : le code « ${e.parent} » est son propre parent.`,
      );
    }
    const g = e.grouping ?? "";
    let list = byGrouping.get(g);
    if (!list) {
      list = [];
      byGrouping.set(g, list);
    }
    list.push(e);
  }

  let total: string | undefined;
  let leafKey: string | undefined;
  const relations: Relation[] = [];
  const codes: string[] = [];
  const seen = new Set<string>();
  const depth = new Map<string, number>();
  const leavesOf = new Map<string, string[]>();
  let leaves: string[] = [];

  for (const [grouping, list] of byGrouping) {
    const parentOf = new Map<string, string>();
    const children = new Map<string, string[]>();
    for (const e of list) {
      const previous = parentOf.get(e.child);
      if (previous !== undefined && previous !== e.parent) {
        throw invalide(
          "hierarchie_deux_parents",
          `Hiérarchie de « ${name} »${grouping ? ` (regroupement « ${grouping} »)` : ""} : le code « ${e.child} » a deux parents, « ${previous} » et « ${e.parent} ».`,
        );
      }
      if (previous === e.parent) continue;
      parentOf.set(e.child, e.parent);
      let c = children.get(e.parent);
      if (!c) {
        c = [];
        children.set(e.parent, c);
      }
      c.push(e.child);
    }
    const roots = [...children.keys()].filter((p) => !parentOf.has(p));
    if (roots.length === 0) {
      const someCode = list[0]?.parent ?? "";
      throw invalide(
        "hierarchie_cyclique",
        `Hiérarchie de « ${name} » : cycle passant par le code « ${someCode} ».`,
      );
    }
    if (roots.length > 1) {
      throw invalide(
        "hierarchie_plusieurs_totaux",
        `Hiérarchie de « ${name} » : plusieurs racines (${roots
          .slice(0, 5)
          .map((r) => `« ${r} »`)
          .join(", ")}) ; un seul total est attendu.`,
      );
    }
    const root = roots[0] as string;
    if (total !== undefined && root !== total) {
      throw invalide(
        "hierarchie_plusieurs_totaux",
        `Hiérarchie de « ${name} » : le regroupement « ${grouping} » a pour total « ${root} » au lieu de « ${total} ».`,
      );
    }
    total = root;
    // Depth-first walk; a code reached twice in one tree means a cycle.
    const groupLeaves: string[] = [];
    const visiting = new Set<string>();
    const walk = (code: string, d: number): string[] => {
      if (visiting.has(code)) {
        throw invalide("hierarchie_cyclique", `Hiérarchie de « ${name} » : cycle passant par « ${code} ».`);
      }
      visiting.add(code);
      if (!seen.has(code)) {
        seen.add(code);
        codes.push(code);
      }
      depth.set(code, Math.max(depth.get(code) ?? 0, d));
      const kids = children.get(code);
      let under: string[];
      if (!kids) {
        under = [code];
        groupLeaves.push(code);
      } else {
        under = [];
        for (const k of kids) under.push(...walk(k, d + 1));
        relations.push({ parent: code, children: kids, grouping });
      }
      const known = leavesOf.get(code);
      if (known && known.join("\u0000") !== [...under].sort().join("\u0000") && kids) {
        // Same internal code in two groupings with different content.
        throw invalide(
          "hierarchie_incoherente",
          `Hiérarchie de « ${name} » : le code « ${code} » ne regroupe pas les mêmes modalités selon les regroupements.`,
        );
      }
      if (!known) leavesOf.set(code, [...under].sort());
      return under;
    };
    walk(root, 0);
    const reached = new Set(codesUnder(root, children));
    for (const e of list) {
      if (!reached.has(e.child)) {
        throw invalide(
          "hierarchie_cyclique",
          `Hiérarchie de « ${name} » : le code « ${e.child} » n'est pas relié au total « ${root} » (cycle).`,
        );
      }
    }
    const key = [...groupLeaves].sort().join("\u0000");
    if (leafKey !== undefined && key !== leafKey) {
      throw invalide(
        "hierarchie_incoherente",
        `Hiérarchie de « ${name} » : le regroupement « ${grouping} » ne couvre pas les mêmes modalités élémentaires que les autres.`,
      );
    }
    leafKey = key;
    leaves = groupLeaves;
  }
  for (const leaf of leaves) {
    if (byGrouping.size > 0 && [...relations].some((r) => r.parent === leaf)) {
      throw invalide(
        "hierarchie_incoherente",
        `Hiérarchie de « ${name} » : « ${leaf} » est une modalité élémentaire dans un regroupement et un agrégat dans un autre.`,
      );
    }
  }
  return {
    name,
    total: total as string,
    codes,
    leaves,
    relations,
    leavesOf,
    depth,
  };
}

function codesUnder(root: string, children: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  const stack = [root];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const c = stack.pop() as string;
    if (seen.has(c)) continue;
    seen.add(c);
    out.push(c);
    for (const k of children.get(c) ?? []) stack.push(k);
  }
  return out;
}
