/**
 * `krithi-import extract <url|file> [--url URL] [--allow-host HOST]…`: one page through the same
 * fetcher (SSRF checks, robots.txt; no page cache) and extractor as the import, without Temporal or
 * a database. stdout is always JSON (schemas/extraction.schema.json): the Extraction with exit 0,
 * or `{error, message}` with exit 2 for NO_KRITHI_FOUND and 1 for anything else.
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../../config';
import { ScrapeError, ScrapeErrorType } from '../../scraping/errors';
import { defineCommand } from '../command';
import { out } from '../output';

export const extractCommand = defineCommand({
  name: 'extract',
  args: '<url|file>',
  positionals: { min: 1, max: 1 },
  summary: "one page's extraction as JSON (no server, no database)",
  details:
    'A URL is fetched with the same SSRF checks and robots.txt as an import; a file is read from disk.\n' +
    'Exit 0 on an extraction, 2 on NO_KRITHI_FOUND, 1 on any other error (still JSON).',
  options: {
    url: { type: 'string', value: 'URL', help: "for a file: the page's address (its host picks the extractor)" },
    'allow-host': { type: 'string', value: 'HOST', multiple: true, help: 'fetch from this host too (default: the source sites)' },
  },
  run: ({ config, values, positionals }) => runExtract(config, positionals[0]!, values),
});

async function runExtract(config: Config, target: string, values: { url?: string; 'allow-host'?: string[] }): Promise<number> {
  const { extractKrithi } = await import('../../scraping/extract');
  const { decodeHtml } = await import('../../scraping/fetcher');
  const { createSiteFetcher } = await import('../../scraping/site-fetcher');
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
