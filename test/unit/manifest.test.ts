import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { ManifestError, ManifestErrorCode } from '../../src/manifest/errors';
import {
  parseManifest,
  parseManifestAll,
  type InvalidRecord,
  type ManifestEntry,
  type ManifestRecord,
  type ManifestSource,
} from '../../src/manifest/parse';

const HEADER = 'Krithi,Raga,Hyperlink';
const URL_A = 'http://guru-guha.blogspot.com/2007/07/dikshitar-kriti-abhayaamba-jagadambaa.html';
const URL_B = 'http://thyagaraja-vaibhavam.blogspot.com/2007/12/thyagaraja-kriti-vaarija-nayana-1-raga.html';
const URL_C = 'http://syamakrishnavaibhavam.blogspot.com/2011/05/syama-sastry-kriti-kamakshi-anudinamu.html';

/** A manifest as the catalogue team writes it: CRLF, trailing newline. */
const crlf = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
const lf = (...lines: string[]) => `${lines.join('\n')}\n`;
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

async function* inChunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function refusal(source: ManifestSource, opts?: { maxBytes?: number }): Promise<ManifestError> {
  try {
    await parseManifestAll(source, opts);
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error('expected the manifest to be refused');
}

const records = (entries: ManifestEntry[]) => entries.filter((e): e is ManifestRecord => e.kind === 'record');
const only = async (row: string): Promise<ManifestEntry> => {
  const { entries } = await parseManifestAll(crlf(HEADER, row));
  expect(entries).toHaveLength(1);
  return entries[0]!;
};

describe('parseManifest — file-level refusals', () => {
  const cases: { name: string; input: ManifestSource; code: ManifestErrorCode; line?: number; message?: RegExp }[] = [
    { name: 'when the file is empty, then NO_HEADER', input: '', code: 'NO_HEADER' },
    { name: 'when the file holds only a BOM, then NO_HEADER', input: bytes([0xef, 0xbb, 0xbf]), code: 'NO_HEADER' },
    { name: 'when the file holds only blank lines, then NO_HEADER', input: '\r\n\r\n  \r\n,,\r\n', code: 'NO_HEADER' },
    {
      name: 'when the Hyperlink column is missing, then MISSING_COLUMN names it, on line 1',
      input: crlf('Krithi,Raga', 'a,b'),
      code: 'MISSING_COLUMN',
      line: 1,
      message: /Hyperlink \(found: Krithi, Raga\)/,
    },
    {
      name: 'when two required columns are missing, then MISSING_COLUMN names both',
      input: crlf('Title,Hyperlink', `a,${URL_A}`),
      code: 'MISSING_COLUMN',
      message: /columns Krithi, Raga/,
    },
    {
      name: 'when the first line is data rather than a header, then MISSING_COLUMN',
      input: crlf(`abhayAmbA,kalyANi,${URL_A}`),
      code: 'MISSING_COLUMN',
      message: /Krithi, Raga, Hyperlink/,
    },
    {
      name: 'when a required column appears twice in the header, then MALFORMED_CSV',
      input: crlf('Krithi,Raga,Hyperlink,hyperlink', `a,b,${URL_A},${URL_B}`),
      code: 'MALFORMED_CSV',
      line: 1,
      message: /"Hyperlink" twice/,
    },
    { name: 'when there is only a header, then NO_ROWS', input: crlf(HEADER), code: 'NO_ROWS' },
    { name: 'when the header is followed by blank lines only, then NO_ROWS', input: crlf(HEADER, '', ' ', ',,'), code: 'NO_ROWS' },
    { name: 'when the header has no line ending and nothing follows, then NO_ROWS', input: HEADER, code: 'NO_ROWS' },
    {
      name: 'when line 3 holds an invalid byte, then NOT_UTF8 on line 3',
      input: bytes(crlf(HEADER, `a,b,${URL_A}`), 'caf', [0xff], `,b,${URL_B}\r\n`),
      code: 'NOT_UTF8',
      line: 3,
    },
    {
      name: 'when the file is Latin-1, then NOT_UTF8 on the line of the first accented letter',
      input: bytes(crlf(HEADER, `a,b,${URL_A}`, `b,c,${URL_B}`), 'Caf', [0xe9], `,d,${URL_C}\r\n`),
      code: 'NOT_UTF8',
      line: 4,
    },
    {
      name: 'when the file ends in a truncated multi-byte character, then NOT_UTF8 on the last line',
      input: bytes(crlf(HEADER), `a,b,${URL_A}`, [0xe0, 0xa4]),
      code: 'NOT_UTF8',
      line: 2,
    },
    {
      name: 'when the file holds an overlong encoding, then NOT_UTF8',
      input: bytes(crlf(HEADER), [0xc0, 0xaf], `,b,${URL_A}\r\n`),
      code: 'NOT_UTF8',
      line: 2,
    },
    {
      name: 'when the file is UTF-16 with a BOM, then NOT_UTF8 on line 1',
      input: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlf(HEADER, `a,b,${URL_A}`), 'utf16le')]),
      code: 'NOT_UTF8',
      line: 1,
    },
    {
      name: 'when a quoted field is never closed, then MALFORMED_CSV on the line where its record starts',
      input: crlf(HEADER, `a,b,${URL_A}`, '', `"c, unclosed,b,${URL_B}`, `d,e,${URL_C}`),
      code: 'MALFORMED_CSV',
      line: 4,
      message: /line 4 .*never closed/,
    },
    {
      name: 'when the file is over the size limit, then TOO_LARGE',
      input: crlf(HEADER, `a,b,${URL_A}`),
      code: 'TOO_LARGE',
    },
  ];

  it.each(cases)('$name', async ({ input, code, line, message }) => {
    const err = await refusal(input, code === 'TOO_LARGE' ? { maxBytes: 32 } : undefined);
    expect(err.code).toBe(code);
    if (line !== undefined) expect(err.line).toBe(line);
    if (message) expect(err.message).toMatch(message);
  });

  it('when the file is exactly at the size limit, then it is accepted', async () => {
    const text = crlf(HEADER, `a,b,${URL_A}`);
    const { summary } = await parseManifestAll(text, { maxBytes: Buffer.byteLength(text) });
    expect(summary.accepted).toBe(1);
  });

  it('when a stream passes the size limit, then TOO_LARGE is thrown without reading further', async () => {
    let chunksRead = 0;
    async function* endless(): AsyncGenerator<string> {
      yield `${HEADER}\r\n`;
      for (;;) {
        chunksRead += 1;
        yield `title ${chunksRead},raga,http://example.org/${chunksRead}\r\n`.padEnd(1024, ' ');
      }
    }
    const err = await refusal(endless(), { maxBytes: 64 * 1024 });
    expect(err.code).toBe(ManifestErrorCode.TOO_LARGE);
    expect(chunksRead).toBe(64);
  });

  it('when an invalid byte arrives split across one-byte chunks, then NOT_UTF8 still names its line', async () => {
    const data = bytes(crlf(HEADER, `a,b,${URL_A}`, `"multi`, `line",b,${URL_B}`), 'x', [0xe2, 0x28, 0xa1], `,b,${URL_C}\r\n`);
    const err = await refusal(inChunks(data, 1));
    expect(err.code).toBe('NOT_UTF8');
    expect(err.line).toBe(5);
  });

  it('when refused, then the error is a ManifestError with the code as its stable type', async () => {
    const err = await refusal('');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ManifestError');
    expect(Object.values(ManifestErrorCode)).toContain(err.code);
  });
});

describe('parseManifest — bytes PostgreSQL cannot store (item 7)', () => {
  it('when a cell of an extra column holds a NUL, then that row alone is invalid, naming the column, and its raw cells can be stored', async () => {
    const { entries, summary } = await parseManifestAll(crlf(`${HEADER},Note`, `abhayAmbA,kalyANi,${URL_A},a\u0000b`, `next,raga,${URL_B},ok`));
    expect(entries[0]).toMatchObject({ kind: 'invalid', line: 2, reason: 'Note contains a NUL byte' });
    // jsonb refuses \u0000: the stored raw shows it as U+FFFD instead.
    expect(JSON.stringify(entries[0]!.raw)).not.toContain('\\u0000');
    expect(entries[0]!.raw).toMatchObject({ Note: 'a\uFFFDb' });
    expect(summary).toMatchObject({ accepted: 1, invalid: 1 });
  });

  it('when a cell holds an escape sequence, then that row is invalid as holding control characters', async () => {
    const { entries } = await parseManifestAll(crlf(`${HEADER},Note`, `abhayAmbA,kalyANi,${URL_A},\u001b[31mred`));
    expect(entries[0]).toMatchObject({ kind: 'invalid', line: 2, reason: 'Note contains control characters' });
  });
});

describe('parseManifest — record-level problems', () => {
  const cases: { name: string; row: string; field: InvalidRecord['field']; reason: RegExp }[] = [
    { name: 'when the title is empty, then Krithi is invalid', row: `,kalyANi,${URL_A}`, field: 'Krithi', reason: /empty/ },
    { name: 'when the title is whitespace, then Krithi is invalid', row: `   ,kalyANi,${URL_A}`, field: 'Krithi', reason: /empty/ },
    { name: 'when the title is only RTL and zero-width marks, then Krithi is invalid', row: `\u200f\u200b,kalyANi,${URL_A}`, field: 'Krithi', reason: /empty/ },
    { name: 'when the title holds a NUL byte, then Krithi is invalid', row: `abha\u0000yAmbA,kalyANi,${URL_A}`, field: 'Krithi', reason: /NUL/ },
    { name: 'when the title holds a control character, then Krithi is invalid', row: `abha\u0007yAmbA,kalyANi,${URL_A}`, field: 'Krithi', reason: /control/ },
    { name: 'when the raga holds a NUL byte, then Raga is invalid', row: `abhayAmbA,kal\u0000yANi,${URL_A}`, field: 'Raga', reason: /NUL/ },
    { name: 'when the Hyperlink holds a NUL byte, then Hyperlink is invalid', row: `abhayAmbA,kalyANi,${URL_A}\u0000`, field: 'Hyperlink', reason: /NUL/ },
    { name: 'when the raga is absurdly long, then Raga is invalid', row: `abhayAmbA,${'r'.repeat(201)},${URL_A}`, field: 'Raga', reason: /limit 200/ },
    { name: 'when the Hyperlink cell is missing, then Hyperlink is invalid', row: 'abhayAmbA,kalyANi', field: 'Hyperlink', reason: /missing/ },
    { name: 'when the Hyperlink is empty, then Hyperlink is invalid', row: 'abhayAmbA,kalyANi,', field: 'Hyperlink', reason: /empty/ },
    { name: 'when the Hyperlink is ftp, then Hyperlink is invalid', row: 'abhayAmbA,kalyANi,ftp://example.org/a', field: 'Hyperlink', reason: /scheme "ftp"/ },
    { name: 'when the Hyperlink is javascript, then Hyperlink is invalid', row: 'abhayAmbA,kalyANi,javascript:alert(1)', field: 'Hyperlink', reason: /scheme "javascript"/ },
    { name: 'when the Hyperlink has no scheme, then Hyperlink is invalid', row: 'abhayAmbA,kalyANi,guru-guha.blogspot.com/x.html', field: 'Hyperlink', reason: /no scheme/ },
    { name: 'when the Hyperlink cannot be parsed, then Hyperlink is invalid', row: 'abhayAmbA,kalyANi,http://[::1/x', field: 'Hyperlink', reason: /cannot be parsed/ },
    { name: 'when the Hyperlink carries credentials, then Hyperlink is invalid', row: 'abhayAmbA,kalyANi,http://u:p@example.org/x', field: 'Hyperlink', reason: /credentials/ },
    {
      name: 'when an unquoted comma splits the title, then the row is invalid with no single field',
      row: `abhayAmbA, jagadambA,kalyANi,${URL_A}`,
      field: null,
      reason: /4 fields but the header has 3/,
    },
  ];

  it.each(cases)('$name', async ({ row, field, reason }) => {
    const { entries, summary } = await parseManifestAll(crlf(HEADER, row, `next,raga,${URL_B}`));
    const [bad, next] = entries;
    expect(bad).toMatchObject({ kind: 'invalid', line: 2, field });
    expect((bad as InvalidRecord).reason).toMatch(reason);
    expect(next).toMatchObject({ kind: 'record', line: 3, title: 'next' });
    expect(summary).toMatchObject({ totalRecords: 2, accepted: 1, invalid: 1, duplicates: 0 });
  });

  it('when a row is invalid, then raw keeps every cell as written under its header', async () => {
    const entry = await only(` ,kalyANi , ${URL_A}`);
    expect(entry.raw).toEqual({ Krithi: ' ', Raga: 'kalyANi ', Hyperlink: ` ${URL_A}` });
  });

  it('when a 1 MB title arrives, then it is an invalid record and parsing goes on', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    const { entries } = await parseManifestAll(crlf(HEADER, `"${huge}",kalyANi,${URL_A}`, `next,raga,${URL_B}`));
    expect(entries[0]).toMatchObject({ kind: 'invalid', field: 'Krithi' });
    expect((entries[0] as InvalidRecord).reason).toMatch(/1048576 characters long \(limit 500\)/);
    expect(entries[1]).toMatchObject({ kind: 'record', line: 3 });
  });

  it('when a 1 MB URL arrives, then it is an invalid record', async () => {
    const entry = await only(`abhayAmbA,kalyANi,http://example.org/${'a'.repeat(1024 * 1024)}`);
    expect(entry).toMatchObject({ kind: 'invalid', field: 'Hyperlink' });
  });
});

describe('parseManifest — accepted records', () => {
  const cases: { name: string; row: string; expected: Partial<ManifestRecord> }[] = [
    {
      name: 'when the row is plain, then title, raga, url, site and sourceKey are filled',
      row: `abhayAmbA jagadambA,kalyANi,${URL_A}`,
      expected: { title: 'abhayAmbA jagadambA', raga: 'kalyANi', url: URL_A, normalizedUrl: URL_A, site: 'guru-guha.blogspot.com' },
    },
    { name: 'when the raga is empty, then the record is accepted with an empty raga', row: `abhayAmbA,,${URL_A}`, expected: { raga: '' } },
    { name: 'when the title holds a lone CR, tabs or doubled spaces, then they fold to single spaces', row: `abha\ryAmbA\t jagad  ambA,kEdAra  gauLa,${URL_A}`, expected: { title: 'abha yAmbA jagad ambA', raga: 'kEdAra gauLa' } },
    {
      name: 'when cells carry surrounding spaces, then values are trimmed',
      row: `  abhayAmbA  , kalyANi ,  ${URL_A}  `,
      expected: { title: 'abhayAmbA', raga: 'kalyANi', url: URL_A },
    },
    { name: 'when the title is quoted with a comma, then the comma is part of the title', row: `"rAma, nI",kalyANi,${URL_A}`, expected: { title: 'rAma, nI' } },
    { name: 'when the title contains escaped quotes, then they are unescaped', row: `"say ""rAma""",kalyANi,${URL_A}`, expected: { title: 'say "rAma"' } },
    { name: 'when an unquoted title contains quotes, then they are kept literally', row: `say "rAma" now,kalyANi,${URL_A}`, expected: { title: 'say "rAma" now' } },
    { name: 'when the title looks like a spreadsheet formula, then it is kept verbatim', row: `"=HYPERLINK(""http://evil"")",kalyANi,${URL_A}`, expected: { title: '=HYPERLINK("http://evil")' } },
    { name: 'when the title starts with + or @, then it is kept verbatim', row: `+cmd|' /C calc'!A0,@SUM(1),${URL_A}`, expected: { title: "+cmd|' /C calc'!A0", raga: '@SUM(1)' } },
    { name: 'when the title holds RTL marks, then they are kept', row: `\u200fabhayAmbA\u202e,kalyANi,${URL_A}`, expected: { title: '\u200fabhayAmbA\u202e' } },
    { name: 'when the title is in Devanagari, then it is kept', row: `अभयाम्बा जगदम्बा,कल्याणि,${URL_A}`, expected: { title: 'अभयाम्बा जगदम्बा', raga: 'कल्याणि' } },
    {
      name: 'when the URL has an upper-case host and a fragment, then it is normalized but url keeps the spelling',
      row: 'abhayAmbA,kalyANi,HTTP://Guru-Guha.Blogspot.com/2007/07/x.html#comment-1',
      expected: {
        url: 'HTTP://Guru-Guha.Blogspot.com/2007/07/x.html#comment-1',
        normalizedUrl: 'http://guru-guha.blogspot.com/2007/07/x.html',
        site: 'guru-guha.blogspot.com',
      },
    },
    { name: 'when the row ends with a stray empty field, then it is accepted', row: `abhayAmbA,kalyANi,${URL_A},`, expected: { title: 'abhayAmbA' } },
  ];

  it.each(cases)('$name', async ({ row, expected }) => {
    const entry = await only(row);
    expect(entry).toMatchObject({ kind: 'record', line: 2, ...expected });
    const record = entry as ManifestRecord;
    expect(record.sourceKey).toBe(`src_${createHash('sha256').update(record.normalizedUrl).digest('hex')}`);
  });

  it('when the title is quoted across lines, then its line break becomes one space and raw keeps it', async () => {
    const entry = await only(`"abhayAmbA\r\n  jagadambA",kalyANi,${URL_A}`);
    expect(entry).toMatchObject({ kind: 'record', line: 2, title: 'abhayAmbA jagadambA' });
    expect(entry.raw.Krithi).toBe('abhayAmbA\r\n  jagadambA');
  });

  const headers: { name: string; header: string }[] = [
    { name: 'when header names carry spaces and odd case, then they still match', header: 'krithi , RAGA,HyperLink' },
    { name: 'when header names are quoted and padded, then they still match', header: '" Krithi "," Raga ","  HYPERLINK"' },
    { name: 'when the header has a stray empty column, then it is ignored', header: 'Krithi,Raga,Hyperlink,' },
  ];

  it.each(headers)('$name', async ({ header }) => {
    const { entries } = await parseManifestAll(crlf(header, `abhayAmbA,kalyANi,${URL_A}`));
    expect(entries[0]).toMatchObject({ kind: 'record', title: 'abhayAmbA', raga: 'kalyANi', url: URL_A });
  });

  it('when the columns are reordered and extra columns exist, then values come from the right columns and extras are kept', async () => {
    const { entries, summary } = await parseManifestAll(
      crlf(' Composer ,Hyperlink,Tala,krithi,Raga', ` Dikshitar ,${URL_A},Adi,abhayAmbA, kalyANi`),
    );
    expect(entries[0]).toMatchObject({
      kind: 'record',
      title: 'abhayAmbA',
      raga: 'kalyANi',
      url: URL_A,
      extra: { Composer: 'Dikshitar', Tala: 'Adi' },
      raw: { Composer: ' Dikshitar ', Hyperlink: URL_A, Tala: 'Adi', krithi: 'abhayAmbA', Raga: ' kalyANi' },
    });
    expect(summary.headers).toEqual(['Composer', 'Hyperlink', 'Tala', 'krithi', 'Raga']);
  });

  it('when a row omits a trailing extra column, then the extra is empty and the record is accepted', async () => {
    const { entries } = await parseManifestAll(crlf('Krithi,Raga,Hyperlink,Tala', `abhayAmbA,kalyANi,${URL_A}`));
    expect(entries[0]).toMatchObject({ kind: 'record', extra: { Tala: '' } });
  });
});

describe('parseManifest — duplicates', () => {
  it('when a URL repeats, then the later row is a duplicate of the first line', async () => {
    const { entries, summary } = await parseManifestAll(
      crlf(HEADER, `a,r,${URL_A}`, `b,r,${URL_B}`, `c,r,${URL_A}`, `d,r,${URL_A}`),
    );
    expect(entries.map((e) => e.kind)).toEqual(['record', 'record', 'duplicate', 'duplicate']);
    expect(entries[2]).toMatchObject({ kind: 'duplicate', line: 4, duplicateOfLine: 2, normalizedUrl: URL_A });
    expect(entries[3]).toMatchObject({ kind: 'duplicate', line: 5, duplicateOfLine: 2 });
    expect(entries[2]!.raw).toEqual({ Krithi: 'c', Raga: 'r', Hyperlink: URL_A });
    expect(summary).toMatchObject({ totalRecords: 4, accepted: 2, invalid: 0, duplicates: 2 });
  });

  it('when two spellings normalize to the same URL, then the second is a duplicate', async () => {
    const { entries } = await parseManifestAll(
      crlf(HEADER, 'a,r,http://example.org/x', 'b,r,HTTP://EXAMPLE.org:80/x#top'),
    );
    expect(entries[1]).toMatchObject({ kind: 'duplicate', duplicateOfLine: 2, normalizedUrl: 'http://example.org/x' });
  });

  it('when http and https point at the same path, then they are distinct sources', async () => {
    const { summary } = await parseManifestAll(crlf(HEADER, 'a,r,http://example.org/x', 'a,r,https://example.org/x'));
    expect(summary).toMatchObject({ accepted: 2, duplicates: 0 });
  });

  it('when a title repeats with different URLs, then both are records', async () => {
    const { summary } = await parseManifestAll(crlf(HEADER, `jaya mangaLaM,r,${URL_A}`, `jaya mangaLaM,r,${URL_B}`));
    expect(summary).toMatchObject({ accepted: 2, duplicates: 0 });
  });

  it('when an invalid row carries a URL, then a later valid row with that URL is the first, not a duplicate', async () => {
    const { entries } = await parseManifestAll(crlf(HEADER, `,r,${URL_A}`, `a,r,${URL_A}`));
    expect(entries.map((e) => e.kind)).toEqual(['invalid', 'record']);
  });
});

describe('parseManifest — physical line numbers', () => {
  const cases: { name: string; text: string; lines: number[] }[] = [
    { name: 'when lines end in CRLF, then rows are lines 2, 3, 4', text: crlf(HEADER, `a,r,${URL_A}`, `b,r,${URL_B}`, `c,r,${URL_C}`), lines: [2, 3, 4] },
    { name: 'when lines end in LF, then rows are lines 2, 3, 4', text: lf(HEADER, `a,r,${URL_A}`, `b,r,${URL_B}`, `c,r,${URL_C}`), lines: [2, 3, 4] },
    { name: 'when the last line has no line ending, then it still counts', text: `${HEADER}\r\na,r,${URL_A}\r\nb,r,${URL_B}`, lines: [2, 3] },
    { name: 'when line endings are mixed, then each still ends one line', text: `${HEADER}\r\na,r,${URL_A}\nb,r,${URL_B}\r\nc,r,${URL_C}`, lines: [2, 3, 4] },
    {
      name: 'when blank lines sit between rows, then they are skipped and later lines jump',
      text: crlf('', HEADER, '', `a,r,${URL_A}`, '   ', ',,', '', `b,r,${URL_B}`),
      lines: [4, 8],
    },
    {
      name: 'when a quoted field spans LF lines, then later rows jump by its extra lines',
      text: lf(HEADER, `"a`, `still a`, `end a",r,${URL_A}`, `b,r,${URL_B}`),
      lines: [2, 5],
    },
    {
      // csv-parse's own `info.lines` counts each CRLF inside quotes twice; ours must not.
      name: 'when a quoted field spans CRLF lines, then later rows jump by exactly its extra lines',
      text: crlf(HEADER, `"a`, `still a`, `end a",r,${URL_A}`, `b,r,${URL_B}`, `"c`, `",r,${URL_C}`, `d,r,http://example.org/d`),
      lines: [2, 5, 6, 8],
    },
    {
      name: 'when a quoted URL field spans lines in a row after blank lines, then all lines are physical',
      text: crlf(HEADER, '', `"a","r`, `aga",${URL_A}`, '', `b,r,${URL_B}`),
      lines: [3, 6],
    },
  ];

  it.each(cases)('$name', async ({ text, lines }) => {
    const { entries } = await parseManifestAll(text);
    expect(entries.map((e) => e.line)).toEqual(lines);
    const physical = text.split('\n');
    for (const entry of entries) expect(physical[entry.line - 1]).not.toMatch(/^\s*\r?$/);
  });

  it('when the file starts with a BOM, then it is stripped and lines are unchanged', async () => {
    const text = crlf(HEADER, `a,r,${URL_A}`);
    const withBom = bytes([0xef, 0xbb, 0xbf], text);
    const { entries, summary } = await parseManifestAll(withBom);
    expect(summary.headers).toEqual(['Krithi', 'Raga', 'Hyperlink']);
    expect(entries[0]).toMatchObject({ kind: 'record', line: 2, title: 'a' });
    expect(summary.bytes).toBe(withBom.length);
    expect(summary.sha256).toBe(createHash('sha256').update(withBom).digest('hex'));
  });
});

describe('parseManifest — sources and streaming', () => {
  const text = crlf(
    HEADER,
    `"abhayAmbA\r\njagadambA",कल्याणि,${URL_A}`,
    '',
    `vArija nayana-1,kEdAra gauLa,${URL_B}`,
    `,r,${URL_C}`,
    `dup,r,${URL_B}`,
  );
  const data = Buffer.from(text, 'utf8');
  const sources: { name: string; make: () => ManifestSource }[] = [
    { name: 'when given a string, then', make: () => text },
    { name: 'when given a Uint8Array, then', make: () => new Uint8Array(data) },
    { name: 'when given one-byte chunks (splitting CRLF and multi-byte letters), then', make: () => inChunks(data, 1) },
    { name: 'when given 7-byte chunks, then', make: () => inChunks(data, 7) },
    {
      name: 'when given string chunks, then',
      make: () =>
        (async function* () {
          for (const part of text.match(/[\s\S]{1,5}/g) ?? []) yield part;
        })(),
    },
  ];

  it.each(sources)('$name the entries and summary are the same as for the whole file', async ({ make }) => {
    const { entries, summary } = await parseManifestAll(make());
    expect(entries.map((e) => [e.kind, e.line])).toEqual([
      ['record', 2],
      ['record', 5],
      ['invalid', 6],
      ['duplicate', 7],
    ]);
    expect(records(entries)[0]).toMatchObject({ title: 'abhayAmbA jagadambA', raga: 'कल्याणि' });
    expect(summary).toEqual({
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: data.length,
      totalRecords: 4,
      accepted: 2,
      invalid: 1,
      duplicates: 1,
      headers: ['Krithi', 'Raga', 'Hyperlink'],
    });
  });

  it('when the consumer stops early, then the source is released and nothing hangs', async () => {
    let released = false;
    async function* source(): AsyncGenerator<string> {
      try {
        yield `${HEADER}\r\n`;
        for (let i = 0; ; i += 1) yield `t${i},r,http://example.org/${i}\r\n`;
      } finally {
        released = true;
      }
    }
    const seen: ManifestEntry[] = [];
    for await (const entry of parseManifest(source())) {
      seen.push(entry);
      if (seen.length === 3) break;
    }
    expect(seen.map((e) => e.line)).toEqual([2, 3, 4]);
    await expect.poll(() => released).toBe(true);
  });

  it('when iterated by hand, then the generator returns the summary as its value', async () => {
    const iterator = parseManifest(crlf(HEADER, `a,r,${URL_A}`));
    const first = await iterator.next();
    expect(first).toMatchObject({ done: false, value: { kind: 'record', line: 2 } });
    const last = await iterator.next();
    expect(last).toMatchObject({ done: true, value: { totalRecords: 1, accepted: 1 } });
  });
});

// The catalogue team's real manifests (copied into data/manifests; see README "Data").
const MANIFEST_DIRS = [join(import.meta.dirname, '../../data/manifests')];
const manifestDir = MANIFEST_DIRS.find((dir) => existsSync(join(dir, 'Dikshitar-Krithi-For-Import.csv')));

describe.skipIf(manifestDir === undefined)('parseManifest — the real manifests', () => {
  const files: { file: string; total: number; duplicates: number; sites: Record<string, number> }[] = [
    { file: 'Dikshitar-Krithi-For-Import.csv', total: 482, duplicates: 0, sites: { 'guru-guha.blogspot.com': 482 } },
    { file: 'Syama-Sastri-Krithi-For-Import.csv', total: 71, duplicates: 1, sites: { 'syamakrishnavaibhavam.blogspot.com': 70 } },
    { file: 'Thyagaraja-Krithi-For-Import.csv', total: 687, duplicates: 0, sites: { 'thyagaraja-vaibhavam.blogspot.com': 687 } },
    {
      file: 'Musical-Trinity-Krithi-Test-60.csv',
      total: 67,
      duplicates: 0,
      sites: { 'guru-guha.blogspot.com': 26, 'syamakrishnavaibhavam.blogspot.com': 21, 'thyagaraja-vaibhavam.blogspot.com': 20 },
    },
  ];

  it.each(files)('when $file is streamed from disk, then it has $total records and $duplicates duplicate(s)', async ({ file, total, duplicates, sites }) => {
    const path = join(manifestDir!, file);
    const { entries, summary } = await parseManifestAll(createReadStream(path, { highWaterMark: 4096 }));
    const content = readFileSync(path);
    expect(summary).toEqual({
      sha256: createHash('sha256').update(content).digest('hex'),
      bytes: content.length,
      totalRecords: total,
      accepted: total - duplicates,
      invalid: 0,
      duplicates,
      headers: ['Krithi', 'Raga', 'Hyperlink'],
    });

    // Every entry's line is the physical line holding exactly that row.
    const physical = content.toString('utf8').split('\r\n');
    for (const entry of entries) {
      expect(physical[entry.line - 1]).toBe(`${entry.raw.Krithi},${entry.raw.Raga},${entry.raw.Hyperlink}`);
    }
    expect(entries.map((e) => e.line)).toEqual(Array.from({ length: total }, (_, i) => i + 2));

    const perSite: Record<string, number> = {};
    for (const record of records(entries)) perSite[record.site] = (perSite[record.site] ?? 0) + 1;
    expect(perSite).toEqual(sites);
  });

  it('when the Syama Sastri manifest is parsed, then its one duplicate is line 23 repeating line 2 under a reordered title', async () => {
    const { entries } = await parseManifestAll(createReadStream(join(manifestDir!, 'Syama-Sastri-Krithi-For-Import.csv')));
    const duplicates = entries.filter((e) => e.kind === 'duplicate');
    expect(duplicates).toEqual([
      {
        kind: 'duplicate',
        line: 23,
        duplicateOfLine: 2,
        normalizedUrl: 'http://syamakrishnavaibhavam.blogspot.com/2011/05/syama-sastry-kriti-kamakshi-anudinamu.html',
        raw: expect.objectContaining({ Krithi: 'kAmAkshi anudinamu (ambA)' }),
      },
    ]);
    expect(entries.find((e) => e.line === 2)).toMatchObject({ kind: 'record', title: '(ambA) kAmAkshi anudinamu' });
  });

  it('when the Thyagaraja manifest repeats titles, then every repetition is its own record', async () => {
    const { entries } = await parseManifestAll(createReadStream(join(manifestDir!, 'Thyagaraja-Krithi-For-Import.csv')));
    const jaya = records(entries).filter((r) => r.title === 'jaya mangaLaM');
    expect(jaya).toHaveLength(3);
    expect(new Set(jaya.map((r) => r.sourceKey)).size).toBe(3);
  });
});
