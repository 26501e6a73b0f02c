/** A CPU-bound stand-in for engine work: spins for `ms` and counts its turns. */
export function spin(ms: number): number {
  const end = Date.now() + ms;
  let turns = 0;
  while (Date.now() < end) turns++;
  return turns;
}

export function fail(message: string): never {
  throw new Error(message);
}
