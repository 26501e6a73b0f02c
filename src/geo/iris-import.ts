import { invalide } from "../core/errors.js";
import { bbox } from "../core/territory/geometry.js";
import { readIrisContours } from "../core/territory/iris-contours.js";
import type { Db } from "../store/db.js";
import { type IrisImportReport, replaceIris } from "../store/territories.js";
import { readContourFile } from "./contours.js";
import { bothForms, metricCrsOf } from "./projection.js";

/**
 * `socle territories import-iris FILE`: reads IGN CONTOURS-IRIS (Shapefile,
 * GeoPackage, GeoJSON; in any CRS of crs.ts), validates every record, and
 * replaces the IRIS of the communes it covers, all or nothing. Each IRIS is
 * kept in WGS84 and in its département's metric CRS (Lambert-93, or the
 * local UTM overseas) for point-in-polygon.
 */
export async function importIrisFile(db: Db, file: string): Promise<IrisImportReport & { crs: string }> {
  const source = await readContourFile(file);
  const result = readIrisContours(source);
  if (!result.ok) throw invalide("contours_invalides", result.problems[0]!, result.problems);
  const rows = result.contours.map((c) => {
    const srid = metricCrsOf(c.communeCode);
    const { wgs84, metric } = bothForms(c.geometry, result.crs, srid);
    return {
      code: c.code,
      communeCode: c.communeCode,
      nom: c.nom,
      typeIris: c.typeIris,
      wgs84,
      l93: metric,
      sridMetrique: Number(srid.slice(5)),
      bbox: bbox(wgs84),
    };
  });
  const report = await replaceIris(db, rows, source.fileName);
  return { ...report, crs: source.declared?.code ?? result.crs };
}
