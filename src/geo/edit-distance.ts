/**
 * The edit distance typos are measured with: Damerau–Levenshtein (optimal
 * string alignment), bounded: returns `max + 1` as soon as the distance
 * exceeds `max`.
 */
export function editDistance(a: string, b: string, max = 3): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0) return lb;
  if (lb === 0) return la;
  // Three rows reused from call to call: this runs millions of times per file.
  if (lb + 1 > ROW_CAPACITY) growRows(lb + 1);
  let prev2 = ROWS[0]!;
  let prev = ROWS[1]!;
  let cur = ROWS[2]!;
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      if (ins < v) v = ins;
      const sub = prev[j - 1]! + (ca === cb ? 0 : 1);
      if (sub < v) v = sub;
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        const tr = prev2[j - 2]! + 1;
        if (tr < v) v = tr;
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb]!;
}

let ROW_CAPACITY = 64;
let ROWS: Int32Array[] = [
  new Int32Array(ROW_CAPACITY),
  new Int32Array(ROW_CAPACITY),
  new Int32Array(ROW_CAPACITY),
];
function growRows(n: number): void {
  ROW_CAPACITY = n;
  ROWS = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
}
