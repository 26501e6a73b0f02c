import { describe, expect, it } from "vitest";
import { square } from "../../../test/helpers/geometry.js";
import { readIrisContours, type SourceFeature } from "./iris-contours.js";

const feat = (
  index: number,
  properties: Record<string, unknown>,
  geometry: unknown = square(560_000 + index * 100, 6_928_000),
): SourceFeature => ({
  index,
  properties,
  geometry,
});

describe("reading IRIS contours", () => {
  it("keeps codes as strings, takes names and types, and drops Z ordinates", () => {
    const z = {
      type: "Polygon",
      coordinates: [
        [
          [0, 0, 5],
          [100, 0, 5],
          [100, 100, 5],
          [0, 0, 5],
        ],
      ],
    };
    const r = readIrisContours({
      fileName: "a.shp",
      crs: "EPSG:2154",
      features: [
        feat(
          1,
          { CODE_IRIS: "2A0040101", NOM_IRIS: "Centre", TYP_IRIS: "H", INSEE_COM: "2A004" },
          { ...z, coordinates: [z.coordinates[0]!.map(([x, y, h]) => [x! + 560_000, y! + 6_900_000, h!])] },
        ),
      ],
    });
    expect(r).toEqual({
      ok: true,
      crs: "EPSG:2154",
      contours: [
        {
          code: "2A0040101",
          communeCode: "2A004",
          nom: "Centre",
          typeIris: "H",
          geometry: {
            type: "Polygon",
            coordinates: [
              [
                [560_000, 6_900_000],
                [560_100, 6_900_000],
                [560_100, 6_900_100],
                [560_000, 6_900_000],
              ],
            ],
          },
        },
      ],
    });
  });

  it("assumes WGS84 only where the format says so (GeoJSON)", () => {
    const f = [feat(1, { id: "693810101" }, square(4.83, 45.76, 0.01))];
    expect(
      readIrisContours({ fileName: "l.geojson", crs: null, defaultCrs: "EPSG:4326", features: f }),
    ).toMatchObject({ ok: true, crs: "EPSG:4326" });
    expect(readIrisContours({ fileName: "l.shp", crs: null, features: f })).toMatchObject({ ok: false });
  });

  it("refuses a commune field that contradicts the IRIS code", () => {
    const r = readIrisContours({
      fileName: "b.shp",
      crs: "EPSG:2154",
      features: [feat(1, { CODE_IRIS: "765400101", INSEE_COM: "76541" })],
    });
    expect(r).toEqual({
      ok: false,
      problems: [
        "b.shp, entité n° 1, champ INSEE_COM : commune 76541 incohérente avec le code IRIS 765400101.",
      ],
    });
  });

  it("lists at most 20 problems so a broken file gives a readable report", () => {
    const features = Array.from({ length: 50 }, (_, i) => feat(i + 1, { CODE_IRIS: 1000 + i }));
    const r = readIrisContours({ fileName: "c.shp", crs: "EPSG:2154", features });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toHaveLength(20);
  });
});
