/**
 * Validation of a deposit row by row. A problem names the line, the column
 * and what was expected, never the value. The report keeps the first
 * problems in full and counts all of them by column, so a file with a
 * million bad dates gives a short, useful answer.
 */
import type { DatasetField } from "../convention/model.js";
import { type FieldValue, readField } from "./fields.js";
import type { Mapping } from "./mapping.js";

export interface RowProblem {
  ligne: number;
  colonne: string;
  probleme: string;
}

export type ParsedRow = Record<string, FieldValue>;

/** Fields that may not be empty in a deposit. */
export function requiredFields(fields: readonly DatasetField[], protocole: 1 | 2 | undefined): Set<string> {
  const req = new Set<string>();
  for (const f of fields) {
    if (f.requis) req.add(f.nom);
    if (f.type === "identifiant" && protocole !== 1) req.add(f.nom);
    if (f.type === "code_iris" && protocole === 1) req.add(f.nom);
  }
  return req;
}

export function parseRow(
  fields: readonly DatasetField[],
  header: readonly string[],
  mapping: Mapping,
  values: readonly string[],
  line: number,
  required: ReadonlySet<string>,
  problems: (p: RowProblem) => void,
): ParsedRow | null {
  const row: ParsedRow = {};
  let ok = true;
  for (const f of fields) {
    const i = mapping[f.nom];
    if (i === undefined) {
      row[f.nom] = null;
      continue;
    }
    const raw = values[i] ?? "";
    const colonne = header[i] ?? `colonne ${i + 1}`;
    const r = readField(f.type, raw);
    if (!r.ok) {
      ok = false;
      problems({ ligne: line, colonne, probleme: `valeur illisible, attendu : ${r.attendu}` });
      continue;
    }
    if (r.value === null && required.has(f.nom)) {
      ok = false;
      problems({ ligne: line, colonne, probleme: "valeur manquante (champ obligatoire)" });
      continue;
    }
    row[f.nom] = r.value;
  }
  return ok ? row : null;
}

export class ProblemReport {
  readonly first: RowProblem[] = [];
  readonly byColumn = new Map<string, number>();
  total = 0;
  constructor(private readonly keep = 200) {}

  add = (p: RowProblem): void => {
    this.total++;
    this.byColumn.set(p.colonne, (this.byColumn.get(p.colonne) ?? 0) + 1);
    if (this.first.length < this.keep) this.first.push(p);
  };

  /** French summary: counts by column, then the first problems. */
  summary(fileName: string): string {
    const counts = [...this.byColumn].map(([c, n]) => `${n} dans la colonne « ${c} »`).join(", ");
    const head = this.first
      .slice(0, 10)
      .map((p) => `${fileName}, ligne ${p.ligne}, colonne « ${p.colonne} » : ${p.probleme}`);
    return [`${fileName} : ${this.total} problème(s) (${counts}).`, ...head].join("\n");
  }
}
