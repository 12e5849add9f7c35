import { hasControlCharacters } from '../shared';
import { createHash, type Hash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import { CsvError, parse as createCsvParser } from 'csv-parse';

import { ManifestError, ManifestErrorCode } from './errors';
import { normalizeSourceUrl, sourceKey } from './url';

/**
 * Streaming manifest reader: bytes → size cap and sha256 → UTF-8 validation → csv-parse → row
 * validation. Nothing holds more than one physical line (or one quoted multi-line record) at a
 * time, apart from the set of URLs already seen.
 *
 * File-level problems throw `ManifestError`; because entries are yielded as they are parsed, a
 * consumer may already hold some entries when that happens and must treat the file as refused
 * as a whole (stage rows, commit only after the summary arrives).
 */

export interface ManifestRecord {
  kind: 'record';
  line: number;
  /** Trimmed, runs of whitespace (including line breaks in a quoted cell) folded to one space. */
  title: string;
  /** As `title`; may be empty (the page names the raga). */
  raga: string;
  /** The Hyperlink cell, trimmed; `raw.Hyperlink` holds it byte for byte. */
  url: string;
  normalizedUrl: string;
  /** Hostname of the normalized URL, without port. */
  site: string;
  sourceKey: string;
  /** Optional columns (Composer, Tala, …) keyed by their header as written, trimmed; values trimmed. */
  extra: Record<string, string>;
  raw: Record<string, string>;
}

export interface InvalidRecord {
  kind: 'invalid';
  line: number;
  field: RequiredColumn | null;
  reason: string;
  raw: Record<string, string>;
}

export interface DuplicateRecord {
  kind: 'duplicate';
  line: number;
  duplicateOfLine: number;
  normalizedUrl: string;
  raw: Record<string, string>;
}

export type ManifestEntry = ManifestRecord | InvalidRecord | DuplicateRecord;

export interface ManifestSummary {
  /** sha256 (hex) of the bytes as received, BOM included. */
  sha256: string;
  bytes: number;
  totalRecords: number;
  accepted: number;
  invalid: number;
  duplicates: number;
  /** Header cells as written, trimmed. */
  headers: string[];
}

export interface ParseOptions {
  /** Refuse the file as soon as more bytes than this have been read. Default 10 MiB. */
  maxBytes?: number;
}

export type ManifestSource = AsyncIterable<Uint8Array | string> | Uint8Array | string;

export const REQUIRED_COLUMNS = ['Krithi', 'Raga', 'Hyperlink'] as const;
export type RequiredColumn = (typeof REQUIRED_COLUMNS)[number];

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** Longest accepted cell values. Real titles are under 100 characters; these only stop garbage. */
export const MAX_TITLE_LENGTH = 500;
export const MAX_RAGA_LENGTH = 200;

const SOURCE_CHUNK_BYTES = 64 * 1024;
const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf] as const;
/** C0 controls and DEL (tab, CR and LF are already folded into spaces when this is checked). */
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/** Whitespace and invisible format characters (RTL marks, zero-width joiners, BOM). */
const INVISIBLE = /[\s\p{Cf}]/gu;

interface StreamState {
  bytes: number;
  hash: Hash;
}

interface HeaderLayout {
  names: string[];
  column: Record<RequiredColumn, number>;
  extras: { name: string; index: number }[];
}

export async function* parseManifest(
  source: ManifestSource,
  opts: ParseOptions = {},
): AsyncGenerator<ManifestEntry, ManifestSummary, undefined> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const state: StreamState = { bytes: 0, hash: createHash('sha256') };

  // Physical line numbers are counted here, not taken from csv-parse's `info.lines`: that counter
  // reports the line a record ends on and counts a CRLF inside a quoted field as two lines.
  // `on_record` runs as the parser emits (ahead of our consumer), so the start line of each
  // record is queued beside it, and `nextLine` is where the record being parsed began.
  let nextLine = 1;
  const startLines: number[] = [];
  const parser = createCsvParser({
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: maxBytes,
    on_record: (fields: string[]) => {
      startLines.push(nextLine);
      nextLine += 1 + fields.reduce((n, field) => n + countLineFeeds(field), 0);
      return fields;
    },
  });
  pipeline(Readable.from(validatedUtf8(byteChunks(source), state, maxBytes)), parser, () => {
    // Errors reach us through the parser's iterator below.
  });

  let layout: HeaderLayout | undefined;
  const firstLineOf = new Map<string, number>();
  const counts = { accepted: 0, invalid: 0, duplicates: 0 };
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const line = startLines.shift() ?? nextLine;
      if (isBlank(fields)) continue;
      if (layout === undefined) {
        layout = readHeader(fields, line);
        continue;
      }
      const entry = classify(fields, line, layout, firstLineOf);
      if (entry.kind === 'record') counts.accepted += 1;
      else if (entry.kind === 'invalid') counts.invalid += 1;
      else counts.duplicates += 1;
      yield entry;
    }
  } catch (err) {
    throw asManifestError(err, nextLine);
  }

  if (layout === undefined) {
    throw new ManifestError(ManifestErrorCode.NO_HEADER, 'manifest is empty: no header row');
  }
  const totalRecords = counts.accepted + counts.invalid + counts.duplicates;
  if (totalRecords === 0) {
    throw new ManifestError(ManifestErrorCode.NO_ROWS, 'manifest has a header but no data rows');
  }
  return {
    sha256: state.hash.digest('hex'),
    bytes: state.bytes,
    totalRecords,
    ...counts,
    headers: layout.names,
  };
}

export async function parseManifestAll(
  source: ManifestSource,
  opts?: ParseOptions,
): Promise<{ entries: ManifestEntry[]; summary: ManifestSummary }> {
  const entries: ManifestEntry[] = [];
  const iterator = parseManifest(source, opts);
  for (;;) {
    const step = await iterator.next();
    if (step.done) return { entries, summary: step.value };
    entries.push(step.value);
  }
}

async function* byteChunks(source: ManifestSource): AsyncGenerator<Uint8Array> {
  const whole = typeof source === 'string' ? new TextEncoder().encode(source) : source;
  if (whole instanceof Uint8Array) {
    for (let offset = 0; offset < whole.length; offset += SOURCE_CHUNK_BYTES) {
      yield whole.subarray(offset, offset + SOURCE_CHUNK_BYTES);
    }
    return;
  }
  const encoder = new TextEncoder();
  for await (const chunk of whole) {
    yield typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
  }
}

/**
 * Counts and hashes the raw bytes, enforces the size cap, strips a leading BOM, and passes on
 * runs of complete lines once a fatal decoder has accepted them. Cutting at LF (a byte that never
 * occurs inside a multi-byte sequence) means no character is split between runs and an invalid
 * sequence can be pinned to its line.
 */
async function* validatedUtf8(
  chunks: AsyncIterable<Uint8Array>,
  state: StreamState,
  maxBytes: number,
): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let pending: Uint8Array[] = [];
  let linesBefore = 0;
  let first = true;

  const release = (run: Uint8Array): Buffer | undefined => {
    let bytes = run;
    if (first) {
      first = false;
      if (BOM.every((b, i) => bytes[i] === b)) bytes = bytes.subarray(BOM.length);
    }
    try {
      decoder.decode(bytes);
    } catch {
      const line = linesBefore + invalidLineOffset(bytes) + 1;
      throw new ManifestError(ManifestErrorCode.NOT_UTF8, `manifest is not valid UTF-8 (line ${line})`, line);
    }
    linesBefore += countLineFeeds(bytes);
    // Copied: a source may reuse its buffers once we ask for the next chunk.
    return bytes.length > 0 ? Buffer.from(bytes) : undefined;
  };

  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    state.bytes += chunk.length;
    if (state.bytes > maxBytes) {
      throw new ManifestError(ManifestErrorCode.TOO_LARGE, `manifest is larger than the limit of ${maxBytes} bytes`);
    }
    state.hash.update(chunk);
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf === -1) {
      pending.push(chunk.slice());
      continue;
    }
    const run = concat([...pending, chunk.subarray(0, lastLf + 1)]);
    pending = lastLf + 1 < chunk.length ? [chunk.slice(lastLf + 1)] : [];
    const out = release(run);
    if (out) yield out;
  }
  if (pending.length > 0) {
    const out = release(concat(pending));
    if (out) yield out;
  }
}

/** Index (0-based, in lines) of the first line of `bytes` that does not decode. */
function invalidLineOffset(bytes: Uint8Array): number {
  let start = 0;
  for (let offset = 0; start <= bytes.length; offset += 1) {
    const end = bytes.indexOf(LF, start);
    const stop = end === -1 ? bytes.length : end;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, stop));
    } catch {
      return offset;
    }
    if (end === -1) break;
    start = end + 1;
  }
  return 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  return Buffer.concat(parts);
}

function countLineFeeds(value: string | Uint8Array): number {
  let n = 0;
  if (typeof value === 'string') {
    for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) n += 1;
  } else {
    for (let i = value.indexOf(LF); i !== -1; i = value.indexOf(LF, i + 1)) n += 1;
  }
  return n;
}

/** Empty lines, whitespace-only lines and rows of empty cells (`,,`) are layout, not records. */
function isBlank(fields: string[]): boolean {
  return fields.every((field) => field.trim() === '');
}

function headerKey(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase();
}

function readHeader(fields: string[], line: number): HeaderLayout {
  const names = fields.map((field) => field.trim());
  const seen = new Map<string, string>();
  for (const name of names) {
    if (name === '') continue;
    const key = headerKey(name);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new ManifestError(
        ManifestErrorCode.MALFORMED_CSV,
        `header names the column "${earlier}" twice (line ${line})`,
        line,
      );
    }
    seen.set(key, name);
  }

  const column: Partial<Record<RequiredColumn, number>> = {};
  const missing: RequiredColumn[] = [];
  for (const required of REQUIRED_COLUMNS) {
    const index = names.findIndex((name) => headerKey(name) === headerKey(required));
    if (index === -1) missing.push(required);
    else column[required] = index;
  }
  if (missing.length > 0) {
    const found = names.filter((name) => name !== '').join(', ');
    throw new ManifestError(
      ManifestErrorCode.MISSING_COLUMN,
      `header lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
        `(found: ${truncate(found, 200) || 'nothing'})`,
      line,
    );
  }
  const required = new Set(Object.values(column));
  const extras = names
    .map((name, index) => ({ name, index }))
    .filter(({ name, index }) => name !== '' && !required.has(index));
  return { names, column: column as Record<RequiredColumn, number>, extras };
}

function classify(
  fields: string[],
  line: number,
  layout: HeaderLayout,
  firstLineOf: Map<string, number>,
): ManifestEntry {
  const raw: Record<string, string> = {};
  fields.forEach((value, index) => {
    const name = layout.names[index];
    // The raw cells are stored (jsonb) for the report; PostgreSQL refuses NUL there, so a NUL is
    // kept visible as U+FFFD and the row is refused below with the field that held it.
    raw[(name ? name : `column_${index + 1}`).replaceAll('\u0000', '\uFFFD')] = value.replaceAll('\u0000', '\uFFFD');
  });
  const invalid = (field: RequiredColumn | null, reason: string): InvalidRecord => ({
    kind: 'invalid',
    line,
    field,
    reason,
    raw,
  });

  const surplus = fields.slice(layout.names.length).filter((value) => value.trim() !== '');
  if (surplus.length > 0) {
    return invalid(
      null,
      `row has ${fields.length} fields but the header has ${layout.names.length}; ` +
        'is there an unquoted comma in a value?',
    );
  }
  for (const [index, value] of fields.entries()) {
    if (value.includes('\u0000')) {
      const name = layout.names[index] || `column ${index + 1}`;
      return invalid(requiredColumnAt(layout, index), `${name} contains a NUL byte`);
    }
    // Escape sequences and other controls have no place in a catalogue cell (tab and line
    // breaks inside a quoted cell are text).
    if (hasControlCharacters(value, { lines: true })) {
      const name = layout.names[index] || `column ${index + 1}`;
      return invalid(requiredColumnAt(layout, index), `${name} contains control characters`);
    }
  }

  const cell = (column: RequiredColumn) => fields[layout.column[column]];
  const title = collapseWhitespace(cell('Krithi') ?? '');
  if (title.replace(INVISIBLE, '') === '') return invalid('Krithi', 'Krithi (title) is empty');
  const titleProblem = textProblem(title, MAX_TITLE_LENGTH);
  if (titleProblem) return invalid('Krithi', `Krithi (title) ${titleProblem}`);

  // The raga may be left empty: the page itself names it, and the resolver reads it from there.
  const raga = collapseWhitespace(cell('Raga') ?? '');
  const ragaProblem = textProblem(raga, MAX_RAGA_LENGTH);
  if (ragaProblem) return invalid('Raga', `Raga ${ragaProblem}`);

  const hyperlink = cell('Hyperlink');
  if (hyperlink === undefined) return invalid('Hyperlink', `Hyperlink is missing (row has ${fields.length} fields)`);
  const url = hyperlink.trim();
  if (url === '') return invalid('Hyperlink', 'Hyperlink is empty');
  const normalized = normalizeSourceUrl(url);
  if (!normalized.ok) return invalid('Hyperlink', `Hyperlink: ${normalized.reason}`);

  const duplicateOfLine = firstLineOf.get(normalized.url);
  if (duplicateOfLine !== undefined) {
    return { kind: 'duplicate', line, duplicateOfLine, normalizedUrl: normalized.url, raw };
  }
  firstLineOf.set(normalized.url, line);

  const extra: Record<string, string> = {};
  for (const { name, index } of layout.extras) extra[name] = (fields[index] ?? '').trim();
  return {
    kind: 'record',
    line,
    title,
    raga,
    url,
    normalizedUrl: normalized.url,
    site: normalized.host,
    sourceKey: sourceKey(normalized.url),
    extra,
    raw,
  };
}

/** A line break typed into a spreadsheet cell is not part of a name; `raw` keeps it. */
function collapseWhitespace(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function requiredColumnAt(layout: HeaderLayout, index: number): RequiredColumn | null {
  return REQUIRED_COLUMNS.find((column) => layout.column[column] === index) ?? null;
}

function textProblem(value: string, maxLength: number): string | undefined {
  if (value.length > maxLength) return `is ${value.length} characters long (limit ${maxLength})`;
  if (CONTROL_CHARS.test(value)) return 'contains control characters';
  return undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function asManifestError(err: unknown, line: number): unknown {
  if (!(err instanceof CsvError)) return err;
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new ManifestError(
      ManifestErrorCode.MALFORMED_CSV,
      `the record starting on line ${line} opens a quoted field that is never closed`,
      line,
    );
  }
  return new ManifestError(ManifestErrorCode.MALFORMED_CSV, `malformed CSV in the record starting on line ${line}: ${err.message}`, line);
}
