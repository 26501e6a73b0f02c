/**
 * Child of bench/ban-national.ts: `init DIR`, `import DIR FILE…` or `geocode DIR ADRESSES DEP[@K]…`
 * (K: the index the département's seed was drawn from); prints one JSON line.
 * `init` creates and migrates the store in a process of its own: creating a
 * PGlite database (initdb in WebAssembly) peaks at about 850 MB by itself,
 * which is not the import's memory; an import runs on an existing store.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { importBanFiles } from "../src/geo/ban-import.js";
import { Geocoder } from "../src/geo/geocoder.js";
import { IrisLocator, type IrisShape } from "../src/geo/iris-locator.js";
import { generateDepartement, generateNoisyLines } from "../src/geo/synthetic.js";
import { loadAddressIndex } from "../src/store/addresses.js";
import { migrate } from "../src/store/migrate.js";
import { openPglite } from "../src/store/pglite.js";

const [cmd, dir, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
const db = await openPglite(path.join(dir, "pglite"));
await migrate(db);
if (cmd === "init") {
  await db.close();
  console.log(JSON.stringify({ peakRssMB: process.resourceUsage().maxRSS / 1024 }));
} else if (cmd === "import") {
  const shapes = JSON.parse(readFileSync(path.join(dir, "iris.json"), "utf8")) as IrisShape[];
  const t0 = performance.now();
  let adresses = 0;
  const reports = await importBanFiles(db, rest, {
    locator: async (communes) => {
      const set = new Set(communes);
      return new IrisLocator(shapes.filter((s) => set.has(s.communeCode)));
    },
    onDepartement: (r) => {
      adresses += r.adresses;
    },
  });
  const secondes = (performance.now() - t0) / 1000;
  const [b] = await db.query<{ mb: number }>(
    "SELECT sum(octet_length(index_data))::float8 / 1e6 AS mb FROM adresse_reference",
  );
  await db.close();
  const storeMB = Number(
    execFileSync("du", ["-sm", path.join(dir, "pglite")], { encoding: "utf8" }).split("\t")[0],
  );
  console.log(
    JSON.stringify({
      departements: reports.length,
      adresses,
      secondes,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      storeMB,
      blobMB: b!.mb,
    }),
  );
} else {
  const perDep = Number(rest[0]);
  // code@k: the département and the index k its generator's seed came from (1000 + k).
  const specs = rest.slice(1).map((a, k) => {
    const [code, at] = a.split("@");
    return { code: code!, k: at === undefined ? k : Number(at) };
  });
  const codes = specs.map((s) => s.code);
  const t0 = performance.now();
  const index = await loadAddressIndex(db, codes);
  const g = new Geocoder(index!);
  const chargement = (performance.now() - t0) / 1000;
  const lines = specs.flatMap(({ code: d, k }) =>
    generateNoisyLines(generateDepartement({ seed: 1000 + k, addresses: perDep, departement: d }), {
      seed: 5 + k,
      lines: Math.round(100_000 / codes.length),
    }),
  );
  const t1 = performance.now();
  let justes = 0;
  let faux = 0;
  for (const l of lines) {
    const r = g.geocode(l.parts);
    if (r.codeIris === l.iris) justes++;
    else if (r.codeIris !== null) faux++;
  }
  const secondes = (performance.now() - t1) / 1000;
  await db.close();
  console.log(
    JSON.stringify({
      lignes: lines.length,
      chargement,
      secondes,
      justes,
      faux,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}
