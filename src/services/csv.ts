/**
 * CSV for people who open it in a spreadsheet (RFC 4180 quoting). A cell that a spreadsheet would
 * run as a formula (it begins with = + - @, or a tab/carriage return that some strip first) gets a
 * leading apostrophe: manifest titles and error messages come from the web and from users.
 * Pure; used by the CLI's `report --csv` and the HTTP API's CSV report.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: null/undefined → empty, arrays joined with `|`, formulas neutralised, quoted when needed. */
export function csvCell(value: unknown): string {
  let s = value == null ? '' : Array.isArray(value) ? value.join('|') : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record, CRLF-terminated. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
