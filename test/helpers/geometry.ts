/** A closed square polygon with its lower-left corner at (x, y). */
export const square = (x: number, y: number, d = 100) => ({
  type: "Polygon" as const,
  coordinates: [
    [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ],
  ],
});
