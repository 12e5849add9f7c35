/**
 * `krithi-import extract <url|file> [--url URL] [--allow-host HOST]…`: one page through the same
 * fetcher (SSRF checks, robots.txt; no page cache) and extractor as the import, without Temporal or
 * a database. stdout is always JSON (schemas/extraction.schema.json): the Extraction with exit 0,
 * or `{error, message}` with exit 2 for NO_KRITHI_FOUND and 1 for anything else.
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Config } from '../config';
import { ScrapeError, ScrapeErrorType } from '../scraping/errors';
import { extractKrithi } from '../scraping/extract';
import { decodeHtml } from '../scraping/fetcher';
import { createSiteFetcher } from '../scraping/site-fetcher';
import { out } from './output';

export const EXTRACT_USAGE = 'extract <url|file> [--url URL] [--allow-host HOST]…';

export async function runExtractCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { url: { type: 'string' }, 'allow-host': { type: 'string', multiple: true } },
  });
  const target = positionals[0];
  if (!target) {
    out({ error: 'USAGE', message: `usage: krithi-import ${EXTRACT_USAGE}` });
    return 2;
  }
  try {
    let html: string;
    let pageUrl: string;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !target.toLowerCase().startsWith('file:')) {
      const fetcher = createSiteFetcher(config, { allowHosts: values['allow-host'] ?? [] });
      const page = await fetcher(target);
      html = page.html;
      pageUrl = page.finalUrl;
    } else {
      let bytes: Buffer;
      try {
        bytes = readFileSync(target.startsWith('file:') ? new URL(target) : target);
      } catch (err) {
        out({ error: 'FILE_NOT_READABLE', message: (err as Error).message, url: null });
        return 1;
      }
      html = decodeHtml(bytes, '');
      // The host of --url picks the extractor; a bare file gets the generic one.
      pageUrl = values.url ?? pathToFileURL(resolvePath(target)).href;
    }
    out(extractKrithi(html, pageUrl));
    return 0;
  } catch (err) {
    if (!(err instanceof ScrapeError)) throw err;
    out({ error: err.type, message: err.message, url: err.opts?.url ?? null, retryable: err.retryable });
    return err.type === ScrapeErrorType.NO_KRITHI_FOUND ? 2 : 1;
  }
}
