/**
 * An offline stand-in for the three Blogger sites, for tests and the offline demo. It listens on
 * 127.0.0.1 only and serves `/<original host>/<original path>`, so a fetcher with
 * `hostOverrides(['guru-guha.blogspot.com'])` reaches it while keeping the logical URL.
 * With `defaultFaults` on, a hash of each URL picks a few pages that fail in known ways; `setFault`
 * chooses any fault mode for one URL. Each host also serves a robots.txt, and every request is
 * logged with its kind (page, robots, redirect hop) so politeness can be measured from outside.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { hashOf, renderKrithiPage, renderNoKrithiPage, renderNotFoundPage, type FixtureRow } from './pages';

export type { FixtureRow } from './pages';

export type FixtureFault =
  | 'none'
  | 'not-found'
  | 'server-error-once'
  | 'server-error-always'
  | 'slow'
  | 'no-tala'
  | 'no-krithi'
  | 'rate-limited-once'
  /** 429 with `Retry-After: 2` on every request. */
  | 'rate-limited-always'
  | 'gone'
  | 'forbidden'
  /** Headers at once, then one byte every 100 ms for `dripMs`. */
  | 'slow-drip'
  /** A 3 MB HTML body, chunked (no Content-Length). */
  | 'huge'
  /** ~60 KB of gzip that inflates to 64 MB. */
  | 'gzip-bomb'
  /** Three redirects (301, 302, 307) through `?hop=n`, then the page. */
  | 'redirect-chain'
  /** Redirects between `?hop=1` and `?hop=2` forever. */
  | 'redirect-loop'
  /** A redirect to this very server by its loopback address (a leak would show in the log). */
  | 'redirect-private'
  /** application/pdf. */
  | 'not-html'
  /** The page in windows-1252, declared only by `<meta charset>`. */
  | 'windows-1252'
  /** The socket is destroyed without an answer. */
  | 'reset'
  /** The path is listed as `Disallow:` in the host's robots.txt. */
  | 'robots-disallowed';

export type FixtureRequestKind = 'page' | 'robots' | 'redirect';

export interface FixtureRequest {
  host: string;
  path: string;
  at: number;
  status: number;
  kind: FixtureRequestKind;
}

/** Where the site answers which URLs it serves (see `fixture-site/marker.ts`). */
export const SERVED_PATH = '/.well-known/krithi-fixture/served';

export interface FixtureSiteOptions {
  /** 0 = a free port (the default). */
  port?: number;
  /** Added before every response. */
  latencyMs?: number;
  /** Delay of `slow` pages; default 1500 ms. */
  slowMs?: number;
  /** Deterministic variety of faults by URL hash; default true. */
  defaultFaults?: boolean;
  /** How long a `slow-drip` body keeps dripping; default 30 s. */
  dripMs?: number;
}

export interface FixtureSite {
  baseUrl: string;
  hostOverrides(hosts: string[]): Record<string, string>;
  addRows(rows: FixtureRow[]): void;
  setFault(url: string, fault: FixtureFault): void;
  /** Page GETs by default (redirect hops and robots.txt are logged under their own kind). */
  requests(kind?: FixtureRequestKind | 'all'): FixtureRequest[];
  close(): Promise<void>;
}

/**
 * The fault a URL gets when defaults are on: ~2% not-found, ~3% slow, ~3% a 500 on the first
 * request, ~5% no tala line, the rest normal. Stable across runs and processes.
 */
export function defaultFaultFor(url: string): FixtureFault {
  const bucket = hashOf(`fault:${url}`) % 100;
  if (bucket < 2) return 'not-found';
  if (bucket < 5) return 'slow';
  if (bucket < 8) return 'server-error-once';
  if (bucket < 13) return 'no-tala';
  return 'none';
}

/** `http(s)://Host/path?q` → `host/path?q`, the key rows and faults are stored under. */
function keyOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname.toLowerCase()}${u.pathname}${u.search}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const CP1252_EXTRA: Record<string, number> = { '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97, '…': 0x85, '€': 0x80 };
/** windows-1252 bytes of `text`; characters it cannot hold become `?`. */
function encodeWindows1252(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 63;
    out.push(CP1252_EXTRA[ch] ?? (code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : 63));
  }
  return Buffer.from(out);
}

let bomb: Buffer | undefined;
const gzipBomb = (): Buffer => (bomb ??= gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 }));

export async function startFixtureSite(opts: FixtureSiteOptions = {}): Promise<FixtureSite> {
  const latencyMs = opts.latencyMs ?? 0;
  const slowMs = opts.slowMs ?? 1500;
  const defaultFaults = opts.defaultFaults ?? true;
  const dripMs = opts.dripMs ?? 30_000;
  const rows = new Map<string, FixtureRow>();
  const faults = new Map<string, FixtureFault>();
  const hits = new Map<string, number>();
  const log: FixtureRequest[] = [];
  let port = 0;

  const faultOf = (key: string, row: FixtureRow): FixtureFault =>
    faults.get(key) ?? (defaultFaults ? defaultFaultFor(row.url) : 'none');

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const [, host = '', ...rest] = raw.split('?')[0]?.split('/') ?? [];
    const rawQuery = raw.includes('?') ? raw.slice(raw.indexOf('?')) : '';
    // `?hop=n` marks a redirect fault's hops; it is not part of the page's key.
    const hop = Number(/^\?hop=(\d+)$/.exec(rawQuery)?.[1] ?? 0);
    const query = /^\?hop=\d+$/.test(rawQuery) ? '' : rawQuery;
    const path = `/${rest.join('/')}`;
    const key = `${host.toLowerCase()}${path}${query}`;
    // A request is logged at its arrival, as a site's own rate limiter would see it, not when the
    // answer is ready (a slow page's answer comes seconds later).
    const arrivedAt = Date.now();
    const logAs = (status: number, kind: FixtureRequestKind = 'page'): void => {
      log.push({ host, path: path + rawQuery, at: arrivedAt, status, kind });
    };
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}, kind?: FixtureRequestKind): void => {
      logAs(status, kind);
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(body);
    };
    const redirect = (status: number, location: string): void => send(status, '', { location }, 'redirect');

    if (raw === SERVED_PATH && req.method === 'POST') return answerServed(req, res);
    if (latencyMs > 0) await sleep(latencyMs);
    if (path === '/robots.txt') return send(200, robotsTxt(host.toLowerCase()), { 'content-type': 'text/plain' }, 'robots');
    const row = rows.get(key);
    if (!row) return send(404, renderNotFoundPage());
    const n = (hits.get(key) ?? 0) + 1;
    hits.set(key, n);
    const fault = faultOf(key, row);
    switch (fault) {
      case 'not-found':
        return send(404, renderNotFoundPage());
      case 'gone':
        return send(410, renderNotFoundPage());
      case 'forbidden':
        return send(403, '<html><body>Forbidden</body></html>');
      case 'server-error-always':
        return send(500, '<html><body>Internal error</body></html>');
      case 'server-error-once':
        if (n === 1) return send(500, '<html><body>Internal error</body></html>');
        break;
      case 'rate-limited-once':
        if (n === 1) return send(429, '<html><body>Too many requests</body></html>', { 'retry-after': '1' });
        break;
      case 'rate-limited-always':
        return send(429, '<html><body>Too many requests</body></html>', { 'retry-after': '2' });
      case 'slow':
        await sleep(slowMs);
        break;
      case 'no-krithi':
        return send(200, renderNoKrithiPage(row.url));
      case 'not-html':
        return send(200, Buffer.from('%PDF-1.4 not a page'), { 'content-type': 'application/pdf' });
      case 'reset':
        logAs(0);
        req.socket.destroy();
        return;
      case 'redirect-chain':
        if (hop < 3) return redirect([301, 302, 307][hop] ?? 302, `${path}?hop=${hop + 1}`);
        break;
      case 'redirect-loop':
        return redirect(302, `${path}?hop=${hop === 1 ? 2 : 1}`);
      case 'redirect-private':
        return redirect(302, `http://127.0.0.1:${port}/${host}${path}?leaked=1`);
      case 'huge': {
        logAs(200);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        const chunk = `<p>${'pallavi '.repeat(8192)}</p>\n`;
        for (let sent = 0; sent < 3 * 1024 * 1024 && !res.destroyed; sent += chunk.length) {
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r).once('close', r));
        }
        res.end();
        return;
      }
      case 'gzip-bomb':
        return send(200, gzipBomb(), { 'content-encoding': 'gzip' });
      case 'slow-drip': {
        logAs(200);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.write('<html><body>');
        const started = Date.now();
        while (!res.destroyed && Date.now() - started < dripMs) {
          res.write(' ');
          await sleep(100);
        }
        res.end('</body></html>');
        return;
      }
      default:
        break;
    }
    const html = renderKrithiPage(row, { withTala: fault !== 'no-tala' });
    if (fault === 'windows-1252') {
      return send(200, encodeWindows1252(html.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')), { 'content-type': 'text/html' });
    }
    // Validators, so the page cache can revalidate with a conditional GET.
    const etag = `"${hashOf(html).toString(16)}"`;
    if (req.headers['if-none-match'] === etag) return send(304, '', { etag });
    send(200, html, { etag, 'last-modified': 'Sun, 22 May 2011 08:00:00 GMT' });
  }

  /** Which of the posted URLs (one a line) have a page here: `{served, missing}` — not a page request, not logged. */
  async function answerServed(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const urls = body.split('\n').map((u) => u.trim()).filter(Boolean);
    const missing = urls.filter((u) => {
      try {
        return !rows.has(keyOf(u));
      } catch {
        return true;
      }
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ served: urls.length - missing.length, missing: missing.slice(0, 5), missingCount: missing.length }));
  }

  function robotsTxt(host: string): string {
    const disallowed = [...faults.entries()].filter(([k, f]) => f === 'robots-disallowed' && k.startsWith(`${host}/`));
    return ['User-agent: *', 'Disallow: /search', ...disallowed.map(([k]) => `Disallow: ${k.slice(host.length)}`), ''].join('\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    hostOverrides: (hosts) => Object.fromEntries(hosts.map((h) => [h.toLowerCase(), `${baseUrl}/${h.toLowerCase()}`])),
    addRows(newRows) {
      for (const r of newRows) rows.set(keyOf(r.url), r);
    },
    setFault(url, fault) {
      faults.set(keyOf(url), fault);
    },
    requests: (kind = 'page') => log.filter((r) => kind === 'all' || r.kind === kind),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
