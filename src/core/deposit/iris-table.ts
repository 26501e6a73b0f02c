/**
 * IRIS-level tables as Dijon's annexes send them, in either form:
 * - long: `code_iris;indicateur;valeur`, one line per IRIS and indicator;
 * - wide: `code_iris;indicateur_1;indicateur_2;…`, one column per indicator.
 * Each line is checked (an IRIS code, an IRIS or an IRIS × indicator given
 * twice, a value that is not a number), problems named by line and column,
 * never by value. The result is one row per IRIS with its indicators, as the
 * release engine reads every provider's table.
 *
 * An indicator is a count (protected cell by cell, its commune sums derived)
 * when each of its values is a whole number ≥ 0 and its name does not say a
 * rate, share, mean, median, income or amount; otherwise it is a value that
 * does not add up (published per IRIS, like a rate, unless blanked).
 */
import type { Dataset } from "../convention/model.js";
import { type AggregatedRow, readRate } from "../release/aggregated.js";
import type { Mapping } from "./mapping.js";
import type { RowProblem } from "./validate.js";

export type IrisTableForm = "longue" | "large";

/** The annex of an IRIS table: an IRIS column, and an indicator/value pair for the long form. */
export function isIrisTableAnnex(d: Dataset): boolean {
  return (
    d.kind === "agrege" &&
    d.champs.some((f) => f.type === "code_iris") &&
    !d.champs.some((f) => f.type === "code_commune" || f.nom === "territoire")
  );
}

/** Names that say a value does not add up across IRIS. */
const NOT_A_COUNT =
  /taux|part|pourcent|proportion|ratio|indice|moyen|moyenne|median|médian|revenu|montant|densit|evolution|évolution|%/i;

const IRIS_CODE = /^(\d{2}|2A|2B)\d{7}$/;

/**
 * Reads an IRIS table line by line. `mapping` places the annex fields: the
 * long form when both the indicator and the value columns are mapped, the
 * wide form otherwise (every other non-empty column is an indicator).
 */
export class IrisTableReader {
  readonly form: IrisTableForm;
  private readonly irisCol: number;
  private readonly indicatorCol: number | undefined;
  private readonly valueCol: number | undefined;
  private readonly wideColumns: { index: number; name: string }[];
  private readonly byIris = new Map<string, { line: number; valeurs: Record<string, number | null> }>();
  private readonly firstLineOf = new Map<string, number>();
  private readonly order: string[] = [];
  private readonly values = new Map<string, (number | null)[]>();

  constructor(
    dataset: Dataset,
    private readonly header: readonly string[],
    mapping: Mapping,
  ) {
    const field = (t: string) => dataset.champs.find((f) => f.type === t);
    const iris = field("code_iris");
    const ind = dataset.champs.find((f) => f.nom === "indicateur" || f.type === "texte");
    const val = dataset.champs.find((f) => f.nom === "valeur" || f.type === "decimal");
    this.irisCol = iris ? (mapping[iris.nom] ?? -1) : -1;
    this.indicatorCol = ind ? mapping[ind.nom] : undefined;
    this.valueCol = val ? mapping[val.nom] : undefined;
    this.form = this.indicatorCol !== undefined && this.valueCol !== undefined ? "longue" : "large";
    this.wideColumns =
      this.form === "large"
        ? header
            .map((name, index) => ({ index, name: name.trim() }))
            .filter((c) => c.index !== this.irisCol && c.name !== "")
        : [];
  }

  /** Indicator columns of the wide form (none in the long form). */
  get indicatorColumns(): string[] {
    return this.wideColumns.map((c) => c.name);
  }

  private column(i: number | undefined): string {
    return (i !== undefined ? this.header[i] : undefined) ?? "colonne";
  }

  /** One line of the file; problems go to `problem`, never with the value. */
  add(values: readonly string[], line: number, problem: (p: RowProblem) => void): void {
    const code = (values[this.irisCol] ?? "").trim().toUpperCase();
    if (!IRIS_CODE.test(code)) {
      problem({
        ligne: line,
        colonne: this.column(this.irisCol),
        probleme: "code IRIS illisible, attendu : 9 caractères (code de la commune puis 4 chiffres)",
      });
      return;
    }
    const cells: [string, string, number][] =
      this.form === "longue"
        ? [
            [
              (values[this.indicatorCol as number] ?? "").trim(),
              values[this.valueCol as number] ?? "",
              this.valueCol as number,
            ],
          ]
        : this.wideColumns.map((c) => [c.name, values[c.index] ?? "", c.index]);
    const row = this.byIris.get(code);
    if (this.form === "large" && row) {
      problem({
        ligne: line,
        colonne: this.column(this.irisCol),
        probleme: `IRIS déjà présent ligne ${row.line}`,
      });
      return;
    }
    const target = row ?? { line, valeurs: {} };
    if (!row) {
      this.byIris.set(code, target);
      this.firstLineOf.set(code, line);
    }
    for (const [name, raw, col] of cells) {
      if (name === "") {
        problem({
          ligne: line,
          colonne: this.column(this.indicatorCol),
          probleme: "nom d'indicateur manquant",
        });
        continue;
      }
      if (name in target.valeurs) {
        problem({
          ligne: line,
          colonne: this.column(this.indicatorCol),
          probleme: "cet IRIS a déjà une valeur pour cet indicateur sur une ligne précédente",
        });
        continue;
      }
      const v = readRate(raw);
      if (!v.ok) {
        problem({
          ligne: line,
          colonne: this.column(col),
          probleme: "valeur illisible, attendu : un nombre (ex. 12,5), vide ou « s » si masqué",
        });
        continue;
      }
      target.valeurs[name] = v.value;
      if (!this.values.has(name)) {
        this.values.set(name, []);
        this.order.push(name);
      }
      this.values.get(name)!.push(v.value);
    }
  }

  /** Every IRIS code read, with the first line giving it (to name unknown ones). */
  get irisLines(): ReadonlyMap<string, number> {
    return this.firstLineOf;
  }

  /**
   * The table: one row per IRIS; an indicator an IRIS has no line for is a
   * cell the provider did not give, kept secret (never computed).
   */
  result(): { lignes: AggregatedRow[]; indicateurs: string[]; taux: string[] } {
    const counts = this.order.filter(
      (n) =>
        !NOT_A_COUNT.test(n) &&
        (this.values.get(n) ?? []).every((v) => v === null || (Number.isInteger(v) && v >= 0)),
    );
    const taux = this.order.filter((n) => !counts.includes(n));
    const lignes: AggregatedRow[] = [...this.byIris].map(([code, r]) => ({
      territoire: { kind: "iris", code },
      valeurs: Object.fromEntries(this.order.map((n) => [n, r.valeurs[n] ?? null])),
    }));
    return { lignes, indicateurs: counts, taux };
  }
}
