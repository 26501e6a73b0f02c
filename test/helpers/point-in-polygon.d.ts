declare module "point-in-polygon" {
  /** Whether `point` lies inside the ring `vs` (even-odd rule). */
  export default function pointInPolygon(
    point: readonly number[],
    vs: readonly (readonly number[])[],
  ): boolean;
}
