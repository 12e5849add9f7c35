/**
 * stdout carries results; stderr carries progress, hints and errors. Results are JSON lines where
 * a program reads them (`--json`, or stdout is not a terminal) and tables where a person does.
 */
export const out = (value: unknown): void => {
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
};
export const info = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  /** Cut longer cells to this many characters (titles, messages). */
  max?: number;
  align?: 'left' | 'right';
}

/** A plain-text table: a header, then one line per row; numbers right-aligned. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) =>
    columns.map((c) => {
      const v = c.value(r);
      const s = v === null || v === undefined ? '' : String(v).replace(/\s+/g, ' ');
      return c.max && s.length > c.max ? `${s.slice(0, c.max - 1)}…` : s;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** Key/value lines for one object shown to a person. */
export function formatFields(fields: readonly [string, string | number | null | undefined][]): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${k.padEnd(width)}  ${v ?? ''}`).join('\n');
}
