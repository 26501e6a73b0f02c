/**
 * τ-Argus file formats: hierarchy code lists (.hrc, depth given by a leading
 * "@" per level), metadata (.rda) and data described by it: tabular data
 * (.tab: codes, value, status, bounds) or microdata (.asc with a separator).
 * Pure parsers: sdc-files.ts reads the files.
 */
import { invalide } from "../core/errors.js";
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

/** One variable of a τ-Argus metadata (.rda) file. */
export interface RdaVariable {
  name: string;
  totalCode: string;
  hierarchyFile?: string;
  leadString: string;
  numeric: boolean;
  status: boolean;
  weight: boolean;
}

export interface Rda {
  separator: string;
  /** Status codes of the .tab's status column. */
  safe: string;
  unsafe: string;
  protect: string;
  variables: RdaVariable[];
}

const unquote = (s: string) => s.trim().replace(/^"(.*)"$/, "$1");

/**
 * Parses τ-Argus metadata: `<SEPARATOR>`, `<SAFE>`/`<UNSAFE>`/`<PROTECT>`, then
 * each variable (a line starting in column 1) with its indented options
 * (`<TOTCODE>`, `<HIERCODELIST>`, `<HIERLEADSTRING>`, `<NUMERIC>`, `<STATUS>`…).
 */
export function parseRda(text: string, file = "metadata.rda"): Rda {
  const rda: Rda = { separator: ",", safe: "S", unsafe: "U", protect: "P", variables: [] };
  let current: RdaVariable | undefined;
  text.split(/\r?\n/).forEach((raw, k) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("//")) return;
    const tag = /^<([A-Z]+)>\s*(.*)$/i.exec(line);
    if (!tag) {
      if (/^\s/.test(raw))
        throw invalide("rda_invalide", `${file} ligne ${k + 1} : option τ-Argus attendue (« <…> »).`);
      // A variable: its name, then (microdata) its position and width, ignored here.
      current = {
        name: unquote(line.split(/\s+/)[0]!),
        totalCode: "Total",
        leadString: "@",
        numeric: false,
        status: false,
        weight: false,
      };
      rda.variables.push(current);
      return;
    }
    const [name, value] = [tag[1]!.toUpperCase(), unquote(tag[2] ?? "")];
    if (!current) {
      if (name === "SEPARATOR") rda.separator = value || ",";
      else if (name === "SAFE") rda.safe = value;
      else if (name === "UNSAFE") rda.unsafe = value;
      else if (name === "PROTECT") rda.protect = value;
      return;
    }
    if (name === "TOTCODE") current.totalCode = value;
    else if (name === "HIERCODELIST") current.hierarchyFile = value;
    else if (name === "HIERLEADSTRING") current.leadString = value || "@";
    else if (name === "NUMERIC") current.numeric = true;
    else if (name === "STATUS") current.status = true;
    else if (name === "WEIGHT") current.weight = true;
  });
  if (rda.variables.length === 0)
    throw invalide(
      "rda_invalide",
      `${file} : aucune variable décrite ; ce n'est pas une métadonnée τ-Argus (.rda).`,
    );
  return rda;
}

/** The records of a τ-Argus data file (.tab cells or .asc microdata with a separator), trimmed. */
export function parseTauArgusRecords(text: string, rda: Rda, file: string): string[][] {
  const width = rda.variables.length;
  const out: string[][] = [];
  text.split(/\r?\n/).forEach((line, k) => {
    if (line.trim() === "") return;
    const fields = line.split(rda.separator).map(unquote);
    if (fields.length < width)
      throw invalide(
        "tab_colonnes",
        `${file} ligne ${k + 1} : ${fields.length} champs, ${width} attendus d'après la métadonnée (${rda.variables.map((v) => v.name).join(", ")}).`,
      );
    out.push(fields.slice(0, width));
  });
  return out;
}
