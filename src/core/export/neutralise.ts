/**
 * Spreadsheet formula injection: a text cell that a spreadsheet (Excel,
 * LibreOffice, Google Sheets) could read as a formula or a DDE command is
 * prefixed with an apostrophe, which every spreadsheet shows as text.
 *
 * A cell is dangerous when it begins with = + - − @ (or their full-width
 * forms), a tab, a carriage return or a line feed, or with spaces and
 * line breaks followed by one of them — spreadsheets skip leading blanks
 * before they look for a formula.
 *
 * @example neutralise("=SOMME(A1)") === "'=SOMME(A1)"
 * @example neutralise("  @cmd") === "'  @cmd"
 * @example neutralise("Rouen") === "Rouen"
 */
const DANGEROUS = /^[\s\u00a0\u2000-\u200b\u3000\ufeff]*[=+\-\u2212@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;

export function neutralise(text: string): string {
  return DANGEROUS.test(text) ? `'${text}` : text;
}
