import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScrapeError, ScrapeErrorType } from '../../src/scraping/errors';
import { DEFAULT_FETCH_POLICY, createFetcher, parseRetryAfter, type FetchPolicy } from '../../src/scraping/fetcher';

const HTML = 'text/html; charset=utf-8';
let server: Server;
let base: string;
const seen: Array<{ path: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, headers: req.headers });
    const redirect = /^\/hop\/(\d+)$/.exec(path);
    if (redirect) {
      const n = Number(redirect[1]);
      res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : 'http://site.test/ok' });
      return res.end();
    }
    switch (path) {
      case '/ok':
        res.writeHead(200, { 'content-type': HTML });
        return res.end('<html><body>rAga tODi — ok</body></html>');
      case '/query?a=1&b=2':
        res.writeHead(200, { 'content-type': HTML });
        return res.end('<p>query kept</p>');
      case '/404':
      case '/410':
      case '/403':
      case '/500':
      case '/503':
        res.writeHead(Number(path.slice(1)), { 'content-type': HTML });
        return res.end('no');
      case '/429':
        res.writeHead(429, { 'retry-after': '7' });
        return res.end();
      case '/to-elsewhere':
        res.writeHead(301, { location: 'http://evil.test/x' });
        return res.end();
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{}');
      case '/big':
        res.writeHead(200, { 'content-type': HTML });
        return res.end('x'.repeat(5000));
      case '/gzip-big':
        res.writeHead(200, { 'content-type': HTML, 'content-encoding': 'gzip' });
        return res.end(gzipSync(Buffer.from('y'.repeat(50_000))));
      case '/gzip-small':
        res.writeHead(200, { 'content-type': HTML, 'content-encoding': 'gzip' });
        return res.end(gzipSync(Buffer.from('<p>pallavi</p>')));
      case '/cp1252':
        res.writeHead(200, { 'content-type': 'text/html; charset=windows-1252' });
        return res.end(Buffer.from([0x3c, 0x70, 0x3e, 0x93, 0x63, 0x61, 0x66, 0xe9, 0x94]));
      case '/meta-latin1':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(Buffer.concat([Buffer.from('<meta charset="iso-8859-1"><p>'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]));
      case '/http-equiv':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(
          Buffer.concat([Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>'), Buffer.from([0x96])]),
        );
      case '/slow-headers':
        setTimeout(() => {
          res.writeHead(200, { 'content-type': HTML });
          res.end('late');
        }, 1000);
        return;
      case '/slow-body': {
        res.writeHead(200, { 'content-type': HTML });
        const t = setInterval(() => res.write('.'), 50);
        setTimeout(() => {
          clearInterval(t);
          res.end();
        }, 2000);
        return;
      }
      case '/reset':
        req.socket.destroy();
        return;
      default:
        res.writeHead(404);
        return res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const policy = (over: Partial<FetchPolicy> = {}): FetchPolicy => ({
  ...DEFAULT_FETCH_POLICY,
  userAgent: 'krithi-import-test/1.0',
  allowedHosts: ['site.test'],
  hostOverrides: { 'site.test': base },
  ...over,
});

async function failure(p: Promise<unknown>): Promise<ScrapeError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ScrapeError);
    return err as ScrapeError;
  }
  throw new Error('expected a ScrapeError');
}

describe('createFetcher', () => {
  it('when the page is HTML, then it is returned under its logical URL with the User-Agent sent', async () => {
    const page = await createFetcher(policy())('http://site.test/ok');
    expect(page).toMatchObject({ url: 'http://site.test/ok', finalUrl: 'http://site.test/ok', status: 200, contentType: HTML });
    expect(page.html).toContain('rAga tODi — ok');
    expect(seen.at(-1)?.headers['user-agent']).toBe('krithi-import-test/1.0');
    expect(Date.parse(page.fetchedAt)).not.toBeNaN();
  });

  it('when an override base has a path, then the logical path and query are appended to it', async () => {
    const page = await createFetcher(policy())('http://site.test/query?a=1&b=2');
    expect(page.html).toContain('query kept');
  });

  it.each([
    ['/404', ScrapeErrorType.HTTP_NOT_FOUND, false],
    ['/410', ScrapeErrorType.HTTP_GONE, false],
    ['/403', ScrapeErrorType.HTTP_CLIENT_ERROR, false],
    ['/500', ScrapeErrorType.HTTP_SERVER_ERROR, true],
    ['/503', ScrapeErrorType.HTTP_SERVER_ERROR, true],
  ])('when the status is %s, then %s (retryable %s)', async (path, type, retryable) => {
    const err = await failure(createFetcher(policy())(`http://site.test${path}`));
    expect(err.type).toBe(type);
    expect(err.retryable).toBe(retryable);
    expect(err.opts?.status).toBe(Number(path.slice(1)));
  });

  it('when the server says 429 with Retry-After, then RATE_LIMITED carries retryAfterMs', async () => {
    const err = await failure(createFetcher(policy())('http://site.test/429'));
    expect(err.type).toBe(ScrapeErrorType.RATE_LIMITED);
    expect(err.retryable).toBe(true);
    expect(err.opts?.retryAfterMs).toBe(7000);
  });

  it('when Retry-After is an HTTP date, then it becomes milliseconds from now', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('garbage', now)).toBeUndefined();
  });

  it('when the host is not allowed, then BLOCKED_URL and no request is made', async () => {
    const before = seen.length;
    const fetcher = createFetcher(policy({ hostOverrides: { 'site.test': base, 'evil.test': base } }));
    for (const url of ['http://evil.test/ok', 'file:///etc/passwd', 'http://user:pw@site.test/ok', 'ftp://site.test/ok', 'not a url']) {
      expect((await failure(fetcher(url))).type).toBe(ScrapeErrorType.BLOCKED_URL);
    }
    expect(seen.length).toBe(before);
  });

  it('when redirects stay within the cap, then they are followed and finalUrl is logical', async () => {
    const page = await createFetcher(policy({ maxRedirects: 3 }))('http://site.test/hop/2');
    expect(page.finalUrl).toBe('http://site.test/ok');
    expect(page.url).toBe('http://site.test/hop/2');
  });

  it('when there are more redirects than the cap, then it fails without following the rest', async () => {
    const before = seen.length;
    const err = await failure(createFetcher(policy({ maxRedirects: 2 }))('http://site.test/hop/5'));
    expect(err.type).toBe(ScrapeErrorType.HTTP_CLIENT_ERROR);
    expect(seen.length - before).toBe(3);
  });

  it('when a redirect leaves the allow-list, then BLOCKED_URL', async () => {
    const err = await failure(createFetcher(policy({ hostOverrides: { 'site.test': base, 'evil.test': base } }))('http://site.test/to-elsewhere'));
    expect(err.type).toBe(ScrapeErrorType.BLOCKED_URL);
  });

  it('when the content type is not HTML, then NOT_HTML', async () => {
    expect((await failure(createFetcher(policy())('http://site.test/json'))).type).toBe(ScrapeErrorType.NOT_HTML);
  });

  it('when the body passes maxBytes, then TOO_LARGE', async () => {
    expect((await failure(createFetcher(policy({ maxBytes: 1000 }))('http://site.test/big'))).type).toBe(ScrapeErrorType.TOO_LARGE);
  });

  it('when a small gzip body inflates past maxBytes, then TOO_LARGE (the cap is after decompression)', async () => {
    expect((await failure(createFetcher(policy({ maxBytes: 10_000 }))('http://site.test/gzip-big'))).type).toBe(ScrapeErrorType.TOO_LARGE);
    const ok = await createFetcher(policy({ maxBytes: 10_000 }))('http://site.test/gzip-small');
    expect(ok.html).toBe('<p>pallavi</p>');
  });

  it.each([
    ['/cp1252', '<p>“café”'],
    ['/meta-latin1', 'café'],
    ['/http-equiv', '–'],
  ])('when the charset comes from %s, then the text decodes', async (path, text) => {
    expect((await createFetcher(policy())(`http://site.test${path}`)).html).toContain(text);
  });

  it('when headers do not arrive in time, then TIMEOUT', async () => {
    const err = await failure(createFetcher(policy({ headersTimeoutMs: 200 }))('http://site.test/slow-headers'));
    expect(err.type).toBe(ScrapeErrorType.TIMEOUT);
    expect(err.retryable).toBe(true);
  });

  it('when the body keeps dripping past bodyTimeoutMs, then TIMEOUT', async () => {
    const err = await failure(createFetcher(policy({ bodyTimeoutMs: 300 }))('http://site.test/slow-body'));
    expect(err.type).toBe(ScrapeErrorType.TIMEOUT);
  });

  it('when the connection is refused or reset, then CONNECTION_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await failure(createFetcher(policy({ hostOverrides: { 'site.test': `http://127.0.0.1:${port}` } }))('http://site.test/ok'));
    expect(refused.type).toBe(ScrapeErrorType.CONNECTION_FAILED);
    const reset = await failure(createFetcher(policy())('http://site.test/reset'));
    expect(reset.type).toBe(ScrapeErrorType.CONNECTION_FAILED);
  });

  it('when the name does not resolve, then DNS_FAILURE', async () => {
    const err = await failure(createFetcher(policy({ allowedHosts: ['no-such-host.invalid'], hostOverrides: {} }))('http://no-such-host.invalid/'));
    expect(err.type).toBe(ScrapeErrorType.DNS_FAILURE);
  }, 15_000);

  it('when the caller aborts, then the abort propagates rather than a ScrapeError', async () => {
    const ac = new AbortController();
    const p = createFetcher(policy())('http://site.test/slow-headers', { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('cancelled')), 50);
    await expect(p).rejects.toThrow('cancelled');
  });
});
