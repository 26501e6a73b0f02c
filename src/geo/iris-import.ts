import { invalide } from "../core/errors.js";
import { bbox } from "../core/territory/geometry.js";
import { readIrisContours } from "../core/territory/iris-contours.js";
import type { Db } from "../store/db.js";
import { type IrisImportReport, replaceIris } from "../store/territories.js";
import { readContourFile } from "./contours.js";
import { bothProjections } from "./projection.js";

/**
 * `socle territories import-iris FILE`: reads IGN CONTOURS-IRIS (Shapefile,
 * GeoPackage, GeoJSON; Lambert-93 or WGS84), validates every record, and
 * replaces the IRIS of the communes it covers, all or nothing.
 */
export async function importIrisFile(db: Db, file: string): Promise<IrisImportReport & { crs: string }> {
  const source = await readContourFile(file);
  const result = readIrisContours(source);
  if (!result.ok) throw invalide("contours_invalides", result.problems[0]!, result.problems);
  const rows = result.contours.map((c) => {
    const { wgs84, l93 } = bothProjections(c.geometry, result.crs);
    return {
      code: c.code,
      communeCode: c.communeCode,
      nom: c.nom,
      typeIris: c.typeIris,
      wgs84,
      l93,
      bbox: bbox(wgs84),
    };
  });
  const report = await replaceIris(db, rows, source.fileName);
  return { ...report, crs: result.crs };
}
