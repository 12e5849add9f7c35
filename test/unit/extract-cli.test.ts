/**
 * `krithi-import extract` as a user runs it: a real process, no Temporal and no database (both are
 * pointed at closed ports), stdout validated against the published JSON Schema.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../../src/fixture-site/server';
import { extractKrithi } from '../../src/scraping/extract';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/extraction.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema);
const validateExtraction = ajv.getSchema(`${schema.$id}#/$defs/extraction`)!;
const SITES = ['guru-guha.blogspot.com', 'syamakrishnavaibhavam.blogspot.com', 'thyagaraja-vaibhavam.blogspot.com'];
const PAGE = 'https://thyagaraja-vaibhavam.blogspot.com/2008/02/thyagaraja-kriti-nagumomu.html';
const OTHER = 'https://krithi-notes.test/2010/05/nagumomu.html';

let site: FixtureSite;

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/krithi-import.js'), 'extract', ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
          TEMPORAL_ADDRESS: '127.0.0.1:1',
          FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides([...SITES, 'krithi-notes.test'])),
          ...env,
        },
        timeout: 60_000,
      },
      (err, stdout) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        try {
          resolve({ code, json: JSON.parse(stdout) });
        } catch {
          reject(new Error(`stdout is not JSON (exit ${code}): ${stdout}`));
        }
      },
    );
  });
}

function expectValid(json: unknown): void {
  const ok = validate(json);
  expect(ok ? [] : validate.errors).toEqual([]);
}

beforeAll(async () => {
  site = await startFixtureSite({ defaultFaults: false });
  site.addRows([
    { url: PAGE, title: 'nagumOmu', raga: 'AbhEri' },
    { url: OTHER, title: 'nagumOmu', raga: 'AbhEri' },
  ]);
});
afterAll(() => site.close());

describe('krithi-import extract', () => {
  it('when given a file and --url, then the host picks the extractor and the JSON is a valid Extraction (exit 0)', async () => {
    const { code, json } = await run([join(ROOT, 'test/fixtures/html/guru_guha_vatapi.html'), '--url', 'https://guru-guha.blogspot.com/2007/07/x.html']);
    expect(code).toBe(0);
    expectValid(json);
    expect(json).toMatchObject({ title: 'Vatapi Ganapatim', composer: 'Muthuswami Dikshitar', ragas: ['haMsadhvani'], tala: 'Adi' });
    expect(json.extractor).not.toBe('generic');
  }, 60_000);

  it('when given a fixture URL, then it fetches through the configured override and prints the Extraction (exit 0)', async () => {
    const { code, json } = await run([PAGE]);
    expect(code).toBe(0);
    expectValid(json);
    expect(json).toMatchObject({ ragas: ['AbhEri'], composer: 'Tyagaraja' });
    expect(site.requests('robots').some((r) => r.host === 'thyagaraja-vaibhavam.blogspot.com')).toBe(true);
  }, 60_000);

  it('when the page has no composition, then the JSON error is NO_KRITHI_FOUND and the exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extract-'));
    const file = join(dir, 'index.html');
    writeFileSync(file, '<html><head><title>Blog index</title></head><body><p>Dear readers, thank you.</p></body></html>');
    const { code, json } = await run([file]);
    expect(code).toBe(2);
    expectValid(json);
    expect(json.error).toBe('NO_KRITHI_FOUND');
  }, 60_000);

  it('when the host is not allowed, then BLOCKED_URL (exit 1) with no request; --allow-host admits it', async () => {
    const before = site.requests('all').length;
    const blocked = await run([OTHER]);
    expect(blocked.code).toBe(1);
    expectValid(blocked.json);
    expect(blocked.json).toMatchObject({ error: 'BLOCKED_URL', retryable: false });
    expect(site.requests('all').length).toBe(before);

    const allowed = await run([OTHER, '--allow-host', 'krithi-notes.test']);
    expect(allowed.code).toBe(0);
    expectValid(allowed.json);
    expect(allowed.json.ragas).toEqual(['AbhEri']);
  }, 60_000);
});

describe('the published schema', () => {
  const dir = join(import.meta.dirname, '../fixtures/saved-pages');
  const files = [
    ...readdirSync(dir).map((f) => join(dir, f)),
    ...readdirSync(join(ROOT, 'test/fixtures/html')).map((f) => join(ROOT, 'test/fixtures/html', f)),
  ];
  it.each(files)('when %s is extracted, then the Extraction validates', (file) => {
    const e = extractKrithi(readFileSync(file, 'utf8'), 'https://syamakrishnavaibhavam.blogspot.com/2011/05/x.html');
    const ok = validateExtraction(e);
    expect(ok ? [] : validateExtraction.errors).toEqual([]);
  });
});
