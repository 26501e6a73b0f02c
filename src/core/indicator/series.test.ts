import { describe, expect, it } from "vitest";
import { seriesBreaks } from "./series.js";

const v = (millesime: number, zonage = "commune+epci+zone", source = "bethune-caf62-2022/assmat-caf") => ({
  millesime,
  zonages: [zonage],
  sources: [source],
});

describe("breaks of a time series", () => {
  it("a Béthune series 2017–2021 on one zoning and one source has no break", () => {
    expect(seriesBreaks([2017, 2018, 2019, 2020, 2021].map((y) => v(y)))).toEqual([]);
  });

  it("marks the vintage whose zoning changed, with both zonings", () => {
    const b = seriesBreaks([v(2018), v(2017), v(2019, "commune+epci"), v(2020, "commune+epci")]);
    expect(b).toEqual([
      { millesime: 2019, raison: "Changement de zonage : commune+epci+zone → commune+epci." },
    ]);
  });

  it("marks a change of source and a change of definition, not a definition the series starts with", () => {
    const b = seriesBreaks(
      [v(2017), v(2018), v(2019, undefined, "autre/assmat-caf")],
      [
        { depuis: 2018, note: "actifs au moins un mois dans l'année" },
        { depuis: 2017, note: "première définition" },
      ],
    );
    expect(b.map((x) => x.millesime)).toEqual([2018, 2019]);
    expect(b[0]?.raison).toBe("Changement de définition : actifs au moins un mois dans l'année");
    expect(b[1]?.raison).toMatch(/^Changement de source/);
  });
});
