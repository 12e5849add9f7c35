/**
 * An offline stand-in for the three Blogger sites, for tests and the offline demo. It listens on
 * 127.0.0.1 only and serves `/<original host>/<original path>`, so a fetcher with
 * `hostOverrides(['guru-guha.blogspot.com'])` reaches it while keeping the logical URL.
 * With `defaultFaults` on, a hash of each URL picks a few pages that fail in known ways.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  | 'rate-limited-once';

export interface FixtureRequest {
  host: string;
  path: string;
  at: number;
  status: number;
}

export interface FixtureSiteOptions {
  /** 0 = a free port (the default). */
  port?: number;
  /** Added before every response. */
  latencyMs?: number;
  /** Delay of `slow` pages; default 1500 ms. */
  slowMs?: number;
  /** Deterministic variety of faults by URL hash; default true. */
  defaultFaults?: boolean;
}

export interface FixtureSite {
  baseUrl: string;
  hostOverrides(hosts: string[]): Record<string, string>;
  addRows(rows: FixtureRow[]): void;
  setFault(url: string, fault: FixtureFault): void;
  requests(): FixtureRequest[];
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

export async function startFixtureSite(opts: FixtureSiteOptions = {}): Promise<FixtureSite> {
  const latencyMs = opts.latencyMs ?? 0;
  const slowMs = opts.slowMs ?? 1500;
  const defaultFaults = opts.defaultFaults ?? true;
  const rows = new Map<string, FixtureRow>();
  const faults = new Map<string, FixtureFault>();
  const hits = new Map<string, number>();
  const log: FixtureRequest[] = [];

  const faultOf = (key: string, row: FixtureRow): FixtureFault =>
    faults.get(key) ?? (defaultFaults ? defaultFaultFor(row.url) : 'none');

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const [, host = '', ...rest] = raw.split('?')[0]?.split('/') ?? [];
    const query = raw.includes('?') ? raw.slice(raw.indexOf('?')) : '';
    const path = `/${rest.join('/')}`;
    const key = `${host.toLowerCase()}${path}${query}`;
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      log.push({ host, path: path + query, at: Date.now(), status });
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(body);
    };

    if (latencyMs > 0) await sleep(latencyMs);
    const row = rows.get(key);
    if (!row) return send(404, renderNotFoundPage());
    const n = (hits.get(key) ?? 0) + 1;
    hits.set(key, n);
    const fault = faultOf(key, row);
    switch (fault) {
      case 'not-found':
        return send(404, renderNotFoundPage());
      case 'server-error-always':
        return send(500, '<html><body>Internal error</body></html>');
      case 'server-error-once':
        if (n === 1) return send(500, '<html><body>Internal error</body></html>');
        break;
      case 'rate-limited-once':
        if (n === 1) return send(429, '<html><body>Too many requests</body></html>', { 'retry-after': '1' });
        break;
      case 'slow':
        await sleep(slowMs);
        break;
      case 'no-krithi':
        return send(200, renderNoKrithiPage(row.url));
      default:
        break;
    }
    send(200, renderKrithiPage(row, { withTala: fault !== 'no-tala' }));
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
  const { port } = server.address() as AddressInfo;
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
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
