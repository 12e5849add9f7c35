/**
 * The HTTP fetcher, and the SSRF boundary. Every hop (the first request and each redirect) passes
 * `checkUrl` (scheme, credentials, IP-literal hosts, allow-list), then its name is resolved once and
 * every address checked (`address-policy`), and the socket is opened to exactly that checked
 * address through an undici Agent whose `lookup` is pinned to it, so a second DNS answer (DNS
 * rebinding) can never redirect the connection. A refused URL throws BLOCKED_URL before any socket
 * exists. Every failure becomes a `ScrapeError` with a stable type. robots.txt and the page cache
 * wrap this fetcher (robots.ts, page-cache.ts).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { Agent, request, type Dispatcher } from 'undici';
import { addressRefusal, isIpLiteral } from './address-policy';
import { ScrapeError, ScrapeErrorType } from './errors';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
/** Every address a name resolves to. Injected by tests; default: the system resolver. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface FetchPolicy {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  allowedHosts: string[];
  /**
   * host → base URL, e.g. {'guru-guha.blogspot.com': 'http://127.0.0.1:4567/guru-guha.blogspot.com'}.
   * Configuration, hence trusted: an override target may be a loopback address (the fixture site).
   */
  hostOverrides: Record<string, string>;
  /** Allow-listed hosts whose names may resolve to non-public addresses (an intranet mirror). */
  allowPrivateHosts?: string[];
  resolve?: Resolver;
}

export interface FetchOptions {
  signal?: AbortSignal;
  /** `robots`: any content type, a 4xx is returned (not thrown), at most ROBOTS_MAX_BYTES. */
  purpose?: 'page' | 'robots';
  /** Revalidate a cached copy; a 304 comes back with `notModified: true` and no body. */
  validators?: { etag?: string | null; lastModified?: string | null };
}

export interface FetchedPage {
  /** The URL asked for. */
  url: string;
  /** The logical URL after redirects (never the override target). */
  finalUrl: string;
  status: number;
  contentType: string;
  html: string;
  fetchedAt: string;
  etag?: string | null;
  lastModified?: string | null;
  /** A 304 answer to `validators`. */
  notModified?: boolean;
  /** Served from the page cache without a request. */
  fromCache?: boolean;
}

export type Fetcher = (url: string, opts?: FetchOptions) => Promise<FetchedPage>;

/** Google's limit for robots.txt; the rest of a longer file is ignored. */
export const ROBOTS_MAX_BYTES = 512 * 1024;

export const DEFAULT_FETCH_POLICY: Omit<FetchPolicy, 'allowedHosts' | 'hostOverrides' | 'userAgent'> = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 20_000,
  maxBytes: 2 * 1024 * 1024,
  maxRedirects: 5,
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const HTML_TYPES = /^(?:text\/html|application\/xhtml\+xml)\b/i;

/** Scheme, credentials, IP-literal hosts and allow-list. Throws BLOCKED_URL; makes no request. */
export function checkUrl(raw: string, policy: Pick<FetchPolicy, 'allowedHosts'>): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ScrapeError(ScrapeErrorType.BLOCKED_URL, `not a valid URL: ${raw}`, { url: raw });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ScrapeError(ScrapeErrorType.BLOCKED_URL, `scheme ${u.protocol} not allowed`, { url: raw });
  }
  if (u.username || u.password) {
    throw new ScrapeError(ScrapeErrorType.BLOCKED_URL, 'credentials in URL not allowed', { url: raw });
  }
  // The URL parser has already turned 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1.
  if (isIpLiteral(u.hostname)) {
    const why = addressRefusal(u.hostname);
    throw new ScrapeError(ScrapeErrorType.BLOCKED_URL, why ? `host ${u.hostname}: ${why}` : `IP address host ${u.hostname} is not in the allow-list`, { url: raw });
  }
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  if (!policy.allowedHosts.some((h) => h.toLowerCase() === host)) {
    throw new ScrapeError(ScrapeErrorType.BLOCKED_URL, `host ${host} is not in the allow-list`, { url: raw });
  }
  return u;
}

/** The physical request target: the override base with the logical path and query appended. */
export function requestTarget(u: URL, overrides: Record<string, string>): string {
  const base = overrides[u.hostname.toLowerCase().replace(/\.$/, '')];
  if (!base) return u.href;
  return base.replace(/\/+$/, '') + u.pathname + u.search;
}

/** `Retry-After: 120` or an HTTP date → milliseconds from now (never negative). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function statusError(status: number, url: string, headers: Dispatcher.ResponseData['headers']): ScrapeError {
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'));
  const opts = { status, url, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (status === 404) return new ScrapeError(ScrapeErrorType.HTTP_NOT_FOUND, `404 for ${url}`, opts);
  if (status === 410) return new ScrapeError(ScrapeErrorType.HTTP_GONE, `410 for ${url}`, opts);
  if (status === 429) return new ScrapeError(ScrapeErrorType.RATE_LIMITED, `429 for ${url}`, opts);
  if (status >= 500) return new ScrapeError(ScrapeErrorType.HTTP_SERVER_ERROR, `${status} for ${url}`, opts);
  return new ScrapeError(ScrapeErrorType.HTTP_CLIENT_ERROR, `${status} for ${url}`, opts);
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Network and undici errors → the taxonomy. */
function classify(err: unknown, url: string): ScrapeError {
  if (err instanceof ScrapeError) return err;
  const code = errorCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return new ScrapeError(ScrapeErrorType.TIMEOUT, `${code} for ${url}`, { url });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new ScrapeError(ScrapeErrorType.DNS_FAILURE, `${code} for ${url}`, { url });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new ScrapeError(ScrapeErrorType.CONNECTION_FAILED, `${code} for ${url}: ${msg}`, { url });
    default:
      return new ScrapeError(ScrapeErrorType.CONNECTION_FAILED, `request to ${url} failed: ${msg}`, { url });
  }
}

function decoded(body: Readable, encoding: string | undefined): Readable {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') return body.pipe(createGunzip());
  if (enc === 'deflate') return body.pipe(createInflate());
  if (enc === 'br') return body.pipe(createBrotliDecompress());
  return body;
}

/** Read the (decompressed) body, failing with TOO_LARGE as soon as it passes `maxBytes`. */
async function readCapped(stream: Readable, maxBytes: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new ScrapeError(ScrapeErrorType.TOO_LARGE, `body of ${url} exceeds ${maxBytes} bytes`, { url });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function charsetFrom(contentType: string): string | undefined {
  return /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1];
}

// WHATWG maps all of these to windows-1252; Node's decoder treats them as plain ISO-8859-1,
// which turns 0x80–0x9F (curly quotes, dashes) into control characters.
const WINDOWS_1252_LABELS = new Set(['windows-1252', 'cp1252', 'x-cp1252', 'iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii']);
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}

/** Charset from the header, else `<meta charset>` / http-equiv in the first bytes, else UTF-8. */
export function decodeHtml(bytes: Buffer, contentType: string): string {
  let label = charsetFrom(contentType);
  if (!label) {
    const head = bytes.subarray(0, 4096).toString('latin1');
    label =
      /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1] ??
      /<meta[^>]+content\s*=\s*["'][^"']*charset=([\w.:-]+)/i.exec(head)?.[1];
  }
  if (label && WINDOWS_1252_LABELS.has(label.toLowerCase())) return decodeWindows1252(bytes);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(bytes);
}

/** How many pinned Agents (one per checked address) are kept for connection reuse. */
const MAX_PINNED_AGENTS = 32;

export function createFetcher(policy: FetchPolicy): Fetcher {
  const resolve = policy.resolve ?? systemResolver;
  const allowPrivate = new Set((policy.allowPrivateHosts ?? []).map((h) => h.toLowerCase()));
  const agents = new Map<string, Agent>();

  /** An Agent that can only ever connect to `pinned`, whatever name the URL carries. */
  function agentFor(pinned: ResolvedAddress): Agent {
    const key = `${pinned.family}/${pinned.address}`;
    let agent = agents.get(key);
    if (agent) return agent;
    const lookup: LookupFunction = (_host, options, callback) => {
      if (options.all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    agent = new Agent({
      connect: { timeout: policy.connectTimeoutMs, lookup },
      headersTimeout: policy.headersTimeoutMs,
      bodyTimeout: policy.bodyTimeoutMs,
    });
    agents.set(key, agent);
    if (agents.size > MAX_PINNED_AGENTS) {
      const [oldest, old] = agents.entries().next().value as [string, Agent];
      agents.delete(oldest);
      void old.close().catch(() => {});
    }
    return agent;
  }

  /**
   * The physical URL for a checked logical URL and the one address it may connect to. Override
   * targets come from configuration and are not address-checked (that is how tests and the demo
   * reach the fixture site on 127.0.0.1); everything else must resolve to public addresses only.
   */
  async function target(logical: URL, signal: AbortSignal): Promise<{ url: string; pinned: ResolvedAddress }> {
    const href = logical.href;
    const physical = new URL(requestTarget(logical, policy.hostOverrides));
    const overridden = physical.href !== href;
    const name = physical.hostname.replace(/^\[|\]$/g, '');
    if (isIpLiteral(name)) return { url: physical.href, pinned: { address: name, family: name.includes(':') ? 6 : 4 } };
    let addresses: ResolvedAddress[];
    try {
      addresses = await abortable(resolve(name), signal);
    } catch (err) {
      throw err instanceof ScrapeError || signal.aborted ? err : new ScrapeError(ScrapeErrorType.DNS_FAILURE, `cannot resolve ${name}: ${errorCode(err) ?? String(err)}`, { url: href });
    }
    if (addresses.length === 0) throw new ScrapeError(ScrapeErrorType.DNS_FAILURE, `${name} has no addresses`, { url: href });
    if (!overridden && !allowPrivate.has(name.toLowerCase())) {
      for (const a of addresses) {
        const why = addressRefusal(a.address);
        if (why) throw new ScrapeError(ScrapeErrorType.BLOCKED_URL, `${name} resolves to ${why}`, { url: href });
      }
    }
    return { url: physical.href, pinned: addresses[0]! };
  }

  return async (url, opts = {}) => {
    let current = checkUrl(url, policy);
    for (let hop = 0; ; hop++) {
      const page = await send(current, url, opts);
      if ('redirect' in page) {
        if (hop >= policy.maxRedirects) {
          throw new ScrapeError(ScrapeErrorType.HTTP_CLIENT_ERROR, `more than ${policy.maxRedirects} redirects from ${url}`, {
            url,
            status: page.status,
          });
        }
        current = checkUrl(new URL(page.redirect, current).href, policy);
        continue;
      }
      return page;
    }
  };

  async function send(logical: URL, originalUrl: string, opts: FetchOptions): Promise<FetchedPage | { redirect: string; status: number }> {
    const href = logical.href;
    const robots = opts.purpose === 'robots';
    const maxBytes = robots ? Math.min(policy.maxBytes, ROBOTS_MAX_BYTES) : policy.maxBytes;
    // undici's own timers are coarse (hundreds of ms), so the phases also get exact deadlines.
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined = setTimeout(
      () => deadline.abort(new ScrapeError(ScrapeErrorType.TIMEOUT, `no response headers from ${href} in time`, { url: href })),
      policy.connectTimeoutMs + policy.headersTimeoutMs,
    );
    const combined = opts.signal ? AbortSignal.any([opts.signal, deadline.signal]) : deadline.signal;
    try {
      let res: Dispatcher.ResponseData;
      try {
        const { url: physical, pinned } = await target(logical, combined);
        const headers: Record<string, string> = {
          'user-agent': policy.userAgent,
          accept: robots ? 'text/plain,*/*;q=0.1' : 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
          'accept-encoding': 'gzip, deflate, br',
        };
        if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
        if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
        res = await request(physical, { dispatcher: agentFor(pinned), method: 'GET', signal: combined, headers });
      } catch (err) {
        throw failure(err, href, opts.signal, deadline.signal);
      }
      const { statusCode: status, headers, body } = res;
      const meta = { etag: header(headers, 'etag') ?? null, lastModified: header(headers, 'last-modified') ?? null };
      if (REDIRECTS.has(status)) {
        body.resume();
        const location = header(headers, 'location');
        if (!location) throw new ScrapeError(ScrapeErrorType.HTTP_CLIENT_ERROR, `${status} without Location from ${href}`, { url: href, status });
        return { redirect: location, status };
      }
      const contentType = header(headers, 'content-type') ?? '';
      if (status === 304 && opts.validators) {
        body.resume();
        return { url: originalUrl, finalUrl: href, status, contentType, html: '', fetchedAt: new Date().toISOString(), ...meta, notModified: true };
      }
      if (robots && status >= 400 && status < 500) {
        body.resume();
        return { url: originalUrl, finalUrl: href, status, contentType, html: '', fetchedAt: new Date().toISOString(), ...meta };
      }
      if (status >= 400) {
        body.resume();
        throw statusError(status, href, headers);
      }
      if (!robots && !HTML_TYPES.test(contentType)) {
        body.resume();
        throw new ScrapeError(ScrapeErrorType.NOT_HTML, `content type "${contentType}" from ${href}`, { url: href, status });
      }
      clearTimeout(timer);
      timer = setTimeout(
        () => deadline.abort(new ScrapeError(ScrapeErrorType.TIMEOUT, `body of ${href} not complete within ${policy.bodyTimeoutMs} ms`, { url: href })),
        policy.bodyTimeoutMs,
      );
      const encoding = header(headers, 'content-encoding');
      const length = Number(header(headers, 'content-length') ?? NaN);
      if (!encoding && length > maxBytes && !robots) {
        body.destroy();
        throw new ScrapeError(ScrapeErrorType.TOO_LARGE, `content-length ${length} from ${href} exceeds ${maxBytes}`, { url: href, status });
      }
      let bytes: Buffer;
      try {
        bytes = robots ? await readTruncated(decoded(body, encoding), maxBytes) : await readCapped(decoded(body, encoding), maxBytes, href);
      } catch (err) {
        body.destroy();
        throw failure(err, href, opts.signal, deadline.signal);
      }
      return { url: originalUrl, finalUrl: href, status, contentType, html: decodeHtml(bytes, contentType), fetchedAt: new Date().toISOString(), ...meta };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Rejects as soon as `signal` aborts (dns.lookup itself cannot be cancelled). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Up to `maxBytes` of the body; the rest is dropped (robots.txt: the head of an oversized file applies). */
async function readTruncated(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buf.subarray(0, maxBytes - total));
    total += buf.length;
    if (total >= maxBytes) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks);
}

/** The caller's cancellation propagates as is; our own deadline is a TIMEOUT; the rest is classified. */
function failure(err: unknown, url: string, caller: AbortSignal | undefined, deadline: AbortSignal): unknown {
  if (caller?.aborted) return caller.reason ?? err;
  if (deadline.aborted) return deadline.reason as ScrapeError;
  return classify(err, url);
}
