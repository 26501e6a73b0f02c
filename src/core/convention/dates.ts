/**
 * Calendar dates as ISO strings (`YYYY-MM-DD`), computed in UTC so that a
 * date never shifts with the server's time zone. Month arithmetic clamps to
 * the end of the month: 29/02/2024 + 12 months = 28/02/2025.
 */
export type IsoDate = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(s: string): boolean {
  const m = ISO.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

function parts(d: IsoDate): [number, number, number] {
  const m = ISO.exec(d);
  if (!m) throw new Error(`date ISO attendue : ${d}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function iso(y: number, m: number, day: number): IsoDate {
  return new Date(Date.UTC(y, m - 1, day)).toISOString().slice(0, 10);
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** `d` + `months` months, the day clamped to the month's length. */
export function addMonths(d: IsoDate, months: number): IsoDate {
  const [y, m, day] = parts(d);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return iso(ny, nm, Math.min(day, daysInMonth(ny, nm)));
}

export function addDays(d: IsoDate, days: number): IsoDate {
  const [y, m, day] = parts(d);
  return iso(y, m, day + days);
}

export function daysBetween(a: IsoDate, b: IsoDate): number {
  const [y1, m1, d1] = parts(a);
  const [y2, m2, d2] = parts(b);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

export const minDate = (a: IsoDate, b: IsoDate): IsoDate => (a <= b ? a : b);

/** « 31/12/2009 » */
export function formatDateFr(d: IsoDate): string {
  const [y, m, day] = parts(d);
  return `${String(day).padStart(2, "0")}/${String(m).padStart(2, "0")}/${y}`;
}

// Building a DateTimeFormat costs far more than formatting with it: one for every call.
const PARIS_DAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The calendar date in France at an instant: conventions count days in French time. */
export function isoDateInParis(at: Date): IsoDate {
  return PARIS_DAY.format(at);
}
