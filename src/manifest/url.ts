import { createHash } from 'node:crypto';

export type NormalizedUrlResult = { ok: true; url: string; host: string } | { ok: false; reason: string };

export const MAX_URL_LENGTH = 2048;

const SCHEME = /^([a-z][a-z0-9+-]*):/i;
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

/**
 * Canonical form of a source URL, used for duplicate detection and as the idempotency key.
 * The WHATWG parser lower-cases scheme and host, drops a default port and resolves dot segments;
 * we drop the fragment (it never selects a different page) and an empty query (`x.html?`), and keep path and query as written,
 * because blog hosts treat them case-sensitively. `host` is the hostname without port.
 *
 * Stricter than `new URL()`, which silently repairs `http:example.com`, `http:///x` and embedded
 * tabs or newlines: a manifest URL that needs repairing is reported, not guessed at.
 */
export function normalizeSourceUrl(raw: string): NormalizedUrlResult {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'URL is empty' };
  if (text.length > MAX_URL_LENGTH) {
    return { ok: false, reason: `URL is ${text.length} characters long (limit ${MAX_URL_LENGTH})` };
  }
  if (WHITESPACE_OR_CONTROL.test(text)) {
    return { ok: false, reason: 'URL contains whitespace or control characters' };
  }
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { ok: false, reason: 'URL has no scheme (expected http:// or https://)' };
  if (scheme !== 'http' && scheme !== 'https') {
    return { ok: false, reason: `URL scheme "${scheme}" is not allowed (only http and https)` };
  }
  if (!/^https?:\/\/[^/\\]/i.test(text)) {
    return { ok: false, reason: 'URL must start with http:// or https:// followed by a host' };
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'URL cannot be parsed' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'URL contains credentials (user:password@)' };
  }
  if (url.hostname === '') return { ok: false, reason: 'URL has no host' };

  url.hash = '';
  // `x.html?` and `x.html` are one page: an empty query is dropped (a non-empty one is kept as written).
  if (url.search === '') url.search = '';
  return { ok: true, url: url.href, host: url.hostname };
}

/** Stable idempotency key of a source: the same normalized URL always yields the same key. */
export function sourceKey(normalizedUrl: string): string {
  return `src_${createHash('sha256').update(normalizedUrl, 'utf8').digest('hex')}`;
}
