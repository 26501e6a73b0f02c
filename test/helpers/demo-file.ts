/**
 * A partner's file on the demo territory as partner software exports it:
 * address, postcode and commune in separate columns, no commune code. Every
 * hundredth row names a street the reference does not have; the others
 * exist, and their true IRIS is known.
 */
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { DEMO_STREETS } from "../../src/release/demo.js";

export interface DemoFile {
  text: string;
  /** File line → the IRIS of the address, or null when the address does not exist. */
  truth: Map<number, string | null>;
  /** Words of the addresses, to check that none is ever echoed. */
  words: string[];
}

export const DEMO_FILE_HEADER =
  "Matricule;Adresse;Code postal;Ville;Sexe;Date de naissance;Situation familiale;Nombre d'enfants";

export function demoSplitAddressFile(rows = 2000, offset = 0): DemoFile {
  const t = demoTerritory();
  const communes = new Map(t.communes.map((c) => [c.code, c]));
  const lines = [DEMO_FILE_HEADER];
  const truth = new Map<number, string | null>();
  for (let k = 0; k < rows; k++) {
    const i = t.iris[(k * 7) % t.iris.length]!;
    const c = communes.get(i.communeCode)!;
    const exists = k % 100 !== 99;
    const street = exists ? `${DEMO_STREETS[k % 4]} ${i.nom}` : "Rue Imaginaire des Songes";
    // Commune names as partners type them: upper case, no accents, now and then.
    const ville =
      k % 3 === 0
        ? c.nom.toUpperCase()
        : k % 5 === 0
          ? c.nom.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
          : c.nom;
    lines.push(
      [
        `D${offset + k}`,
        `${1 + (k % 80)} ${street}`,
        c.codesPostaux[0]!,
        ville,
        k % 2 ? "F" : "M",
        `0${1 + (k % 9)}/05/19${50 + (k % 40)}`,
        k % 3 ? "couple" : "isolé",
        String(k % 4),
      ].join(";"),
    );
    truth.set(k + 2, exists ? i.code : null);
  }
  return {
    text: `${lines.join("\r\n")}\r\n`,
    truth,
    words: ["Mairie", "Écoles", "Moulin", "Tilleuls", "Imaginaire"],
  };
}
