/** stdout carries results (JSON where a program reads them); stderr carries progress and hints. */
export const out = (value: unknown): void => {
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
};
export const info = (message: string): void => {
  process.stderr.write(`${message}\n`);
};
