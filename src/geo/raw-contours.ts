/**
 * A contour file as read, before its coordinates are brought to a CRS the
 * core validates (Lambert-93 or WGS84): what the file declares about its CRS
 * is kept as found.
 */
import type { SourceFeature } from "../core/territory/iris-contours.js";
import type { KnownCrs } from "./crs.js";

export interface RawContourSource {
  fileName: string;
  /** What the file says about its CRS; `null` when it says nothing. */
  crs: KnownCrs | { unsupported: string } | null;
  /** GeoJSON: WGS84 when the file says nothing. */
  defaultCrs?: "EPSG:4326";
  features: readonly SourceFeature[];
}
