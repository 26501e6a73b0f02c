/**
 * Lookup tables read with keys users type (street words, CRS names, territory codes): a plain
 * object answers « constructor » or « __proto__ » with what it inherits, a function where a
 * string was expected. These tables inherit nothing.
 */
export function withoutPrototype<T>(entries: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
