/**
 * The SSRF boundary of the fetcher, against the real fixture site on 127.0.0.1: every refused URL
 * is a non-retryable BLOCKED_URL with its reason, and the fixture site sees no request for it.
 * Names are resolved by an injected resolver so no real DNS is involved.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScrapeError, ScrapeErrorType } from '../../src/scraping/errors';
import { DEFAULT_FETCH_POLICY, createFetcher, type FetchPolicy, type ResolvedAddress } from '../../src/scraping/fetcher';
import { startFixtureSite, type FixtureSite } from '../../src/fixture-site/server';
import { parseConfig } from '../../src/config';
import { createSiteFetcher } from '../../src/scraping/site-fetcher';

const SITE = 'guru-guha.blogspot.com';
const PAGE = `https://${SITE}/2007/07/dikshitar-kriti-vatapi-ganapatim.html`;
const NAMES: Record<string, string[]> = {
  'rebind.test': ['127.0.0.1'],
  'mixed.test': ['8.8.8.8', '10.0.0.7'],
  'meta.test': ['169.254.169.254'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'ula.test': ['fd00::5'],
};

let site: FixtureSite;
let port: number;
let lookups: string[] = [];

function resolver(answers: Record<string, string[][]> = {}) {
  const calls = new Map<string, number>();
  return async (host: string): Promise<ResolvedAddress[]> => {
    lookups.push(host);
    const n = calls.get(host) ?? 0;
    calls.set(host, n + 1);
    const list = answers[host]?.[Math.min(n, (answers[host]?.length ?? 1) - 1)] ?? NAMES[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

function policy(over: Partial<FetchPolicy> = {}): FetchPolicy {
  return {
    ...DEFAULT_FETCH_POLICY,
    userAgent: 'krithi-import-test',
    allowedHosts: [SITE, ...Object.keys(NAMES), 'pinned.test'],
    hostOverrides: site.hostOverrides([SITE]),
    resolve: resolver(),
    ...over,
  };
}

async function refusal(url: string, p: FetchPolicy = policy()): Promise<ScrapeError> {
  const before = site.requests('all').length;
  const err = await createFetcher(p)(url).then(
    () => {
      throw new Error(`expected ${url} to be refused`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScrapeError);
  expect((err as ScrapeError).type).toBe(ScrapeErrorType.BLOCKED_URL);
  expect((err as ScrapeError).retryable).toBe(false);
  expect(site.requests('all').length).toBe(before);
  return err as ScrapeError;
}

beforeAll(async () => {
  site = await startFixtureSite({ defaultFaults: false });
  port = Number(new URL(site.baseUrl).port);
  site.addRows([{ url: PAGE, title: 'vAtApi gaNapatiM', raga: 'haMsadhvani' }]);
});
afterAll(() => site.close());
beforeEach(() => {
  lookups = [];
});

describe('when a URL is refused before any request', () => {
  it.each([
    ['file:///etc/passwd', 'scheme file:'],
    ['ftp://guru-guha.blogspot.com/x', 'scheme ftp:'],
    ['gopher://guru-guha.blogspot.com/x', 'scheme gopher:'],
    ['javascript:alert(1)', 'scheme javascript:'],
    ['http://user:pw@guru-guha.blogspot.com/2007/07/dikshitar-kriti-vatapi-ganapatim.html', 'credentials'],
    ['http://evil.example/', 'not in the allow-list'],
    ['http://guru-guha.blogspot.com.evil.example/', 'not in the allow-list'],
    ['not a url', 'not a valid URL'],
  ])('%s, then BLOCKED_URL (%s)', async (url, reason) => {
    expect((await refusal(url)).message).toContain(reason);
  });

  it.each([
    ['http://127.0.0.1:PORT/guru-guha.blogspot.com/x', 'loopback'],
    ['http://2130706433:PORT/guru-guha.blogspot.com/x', 'loopback'],
    ['http://0x7f.0.0.1:PORT/guru-guha.blogspot.com/x', 'loopback'],
    ['http://0x7f000001:PORT/guru-guha.blogspot.com/x', 'loopback'],
    ['http://0177.0.0.1:PORT/guru-guha.blogspot.com/x', 'loopback'],
    ['http://127.1:PORT/guru-guha.blogspot.com/x', 'loopback'],
    ['http://[::1]:PORT/guru-guha.blogspot.com/x', 'loopback'],
    ['http://[::ffff:127.0.0.1]:PORT/guru-guha.blogspot.com/x', 'loopback'],
    ['http://[::ffff:7f00:1]:PORT/guru-guha.blogspot.com/x', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['http://[fd00:ec2::254]/latest/meta-data/', 'cloud metadata'],
    ['http://0.0.0.0:PORT/', 'unspecified'],
    ['http://10.0.0.1/', 'private'],
    ['http://100.64.1.1/', 'carrierGradeNat'],
    ['http://[fe80::1]/', 'linkLocal'],
    ['http://224.0.0.251/', 'multicast'],
    ['http://8.8.8.8/', 'not in the allow-list'],
  ])('the host is the IP literal in %s, then BLOCKED_URL (%s) without a lookup', async (url, reason) => {
    expect((await refusal(url.replace('PORT', String(port)))).message).toContain(reason);
    expect(lookups).toEqual([]);
  });

  it.each([
    ['rebind.test', 'loopback'],
    ['mixed.test', '10.0.0.7 is a private'],
    ['meta.test', 'cloud metadata'],
    ['mapped.test', 'loopback'],
    ['ula.test', 'uniqueLocal'],
  ])('an allow-listed name %s resolves to a refused address, then BLOCKED_URL (%s)', async (host, reason) => {
    const err = await refusal(`http://${host}:${port}/guru-guha.blogspot.com/2007/07/dikshitar-kriti-vatapi-ganapatim.html`);
    expect(err.message).toContain(reason);
    expect(lookups).toEqual([host]);
  });
});

describe('when a redirect leads somewhere refused', () => {
  it('then the hop is refused as BLOCKED_URL and the fixture never sees the redirect target', async () => {
    site.setFault(PAGE, 'redirect-private');
    try {
      const before = site.requests('all').length;
      const err = (await createFetcher(policy())(PAGE).catch((e: unknown) => e)) as ScrapeError;
      expect(err).toMatchObject({ type: ScrapeErrorType.BLOCKED_URL });
      expect(err.message).toContain('127.0.0.1');
      const seen = site.requests('all').slice(before);
      expect(seen.map((r) => r.kind)).toEqual(['redirect']);
      expect(seen.some((r) => r.path.includes('leaked'))).toBe(false);
    } finally {
      site.setFault(PAGE, 'none');
    }
  });
});

describe('when a name is allowed to resolve privately', () => {
  it('then it is resolved once and the connection goes to the checked address, not a later answer', async () => {
    // A second lookup would answer 10.255.255.1, where nothing listens; success proves the pin.
    const p = policy({
      allowPrivateHosts: ['pinned.test'],
      resolve: resolver({ 'pinned.test': [['127.0.0.1'], ['10.255.255.1']] }),
      hostOverrides: {},
      connectTimeoutMs: 500,
    });
    const page = await createFetcher(p)(`http://pinned.test:${port}/guru-guha.blogspot.com/2007/07/dikshitar-kriti-vatapi-ganapatim.html`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Guru Guha Vaibhavam');
    expect(lookups).toEqual(['pinned.test']);
  });

  it('then without that allowance the same name is refused', async () => {
    const err = await refusal(`http://rebind.test:${port}/x`, policy({ allowPrivateHosts: ['pinned.test'] }));
    expect(err.message).toContain('rebind.test resolves to 127.0.0.1');
  });
});

describe('when the fixture site is reached through a configured host override', () => {
  it('then its loopback address is allowed, because the override is configuration', async () => {
    const page = await createFetcher(policy())(PAGE);
    expect(page.status).toBe(200);
    expect(page.finalUrl).toBe(PAGE);
    expect(lookups).toEqual([]);
  });
});

describe('when a refused URL goes through the site fetcher (robots.txt and page cache in front)', () => {
  it.each(['http://user:pw@guru-guha.blogspot.com/2007/07/dikshitar-kriti-vatapi-ganapatim.html', 'http://evil.example/x', `http://127.0.0.1/x`])(
    'then %s is refused before robots.txt is asked for',
    async (url) => {
      const config = parseConfig({ FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides([SITE])), PAGE_CACHE: 'off' });
      const before = site.requests('all').length;
      await expect(createSiteFetcher(config)(url)).rejects.toMatchObject({ type: ScrapeErrorType.BLOCKED_URL });
      expect(site.requests('all').length).toBe(before);
    },
  );
});
