import { describe, expect, it } from 'vitest';
import { ScrapeError, ScrapeErrorType } from '../../src/scraping/errors';
import type { FetchedPage, Fetcher } from '../../src/scraping/fetcher';
import { createRobotsGuard, withRobots } from '../../src/scraping/robots';

const ROBOTS = `User-agent: *
Disallow: /search
Disallow: /*.pdf$

User-agent: krithi-import
Disallow: /private/
Allow: /private/open.html
`;

function fakeFetcher(answers: Array<{ status: number; body?: string } | Error>) {
  const calls: string[] = [];
  const fetcher: Fetcher = async (url, opts) => {
    calls.push(`${opts?.purpose ?? 'page'} ${url}`);
    const a = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (a instanceof Error) throw a;
    return { url, finalUrl: url, status: a.status, contentType: 'text/plain', html: a.body ?? '', fetchedAt: '' } satisfies FetchedPage;
  };
  return { fetcher, calls };
}

const guardOf = (answers: Parameters<typeof fakeFetcher>[0], now = () => 0) => {
  const f = fakeFetcher(answers);
  return { ...f, guard: createRobotsGuard({ fetcher: f.fetcher, agent: 'krithi-import', ttlMs: 1000, now }) };
};

describe('createRobotsGuard', () => {
  it.each([
    ['https://a.test/2010/01/kriti.html', true],
    ['https://a.test/private/x.html', false],
    ['https://a.test/private/open.html', true],
    // Our own group replaces the * group, so its rules do not apply to us.
    ['https://a.test/search?q=x', true],
  ])('when the page is %s, then allowed is %s (our group, longest match)', async (url, allowed) => {
    const { guard } = guardOf([{ status: 200, body: ROBOTS }]);
    const result = await guard.check(url).then(
      () => true,
      (e: unknown) => {
        expect(e).toMatchObject({ type: ScrapeErrorType.ROBOTS_DISALLOWED });
        expect((e as ScrapeError).retryable).toBe(false);
        return false;
      },
    );
    expect(result).toBe(allowed);
  });

  it('when several pages of one site are checked, even at once, then robots.txt is fetched once', async () => {
    const { guard, calls } = guardOf([{ status: 200, body: 'User-agent: *\nDisallow: /no\n' }]);
    await Promise.all([guard.check('https://a.test/1'), guard.check('https://a.test/2'), guard.check('https://a.test/3')]);
    await guard.check('https://a.test/4');
    await guard.check('https://b.test/1');
    expect(calls).toEqual(['robots https://a.test/robots.txt', 'robots https://b.test/robots.txt']);
  });

  it('when the cached copy is older than the TTL, then robots.txt is fetched again', async () => {
    let t = 0;
    const { guard, calls } = guardOf([{ status: 200, body: '' }, { status: 200, body: 'User-agent: *\nDisallow: /\n' }], () => t);
    await guard.check('https://a.test/x');
    t = 999;
    await guard.check('https://a.test/x');
    t = 1001;
    await expect(guard.check('https://a.test/x')).rejects.toMatchObject({ type: ScrapeErrorType.ROBOTS_DISALLOWED });
    expect(calls).toHaveLength(2);
  });

  it('when robots.txt is missing (4xx), then everything is allowed', async () => {
    const { guard } = guardOf([{ status: 404 }]);
    await expect(guard.check('https://a.test/anything')).resolves.toBeUndefined();
  });

  it('when robots.txt cannot be read (5xx), then the check fails retryably and the next check asks again', async () => {
    const down = new ScrapeError(ScrapeErrorType.HTTP_SERVER_ERROR, '503');
    const { guard, calls } = guardOf([down, { status: 200, body: '' }]);
    await expect(guard.check('https://a.test/x')).rejects.toMatchObject({ type: ScrapeErrorType.HTTP_SERVER_ERROR, retryable: true });
    await expect(guard.check('https://a.test/x')).resolves.toBeUndefined();
    expect(calls).toHaveLength(2);
  });

  it('when wrapped around a fetcher, then a disallowed page is never requested', async () => {
    const { guard, calls } = guardOf([{ status: 200, body: 'User-agent: *\nDisallow: /no\n' }]);
    const f = fakeFetcher([{ status: 200, body: '<p>x</p>' }]);
    const wrapped = withRobots(f.fetcher, guard);
    await expect(wrapped('https://a.test/no/x')).rejects.toMatchObject({ type: ScrapeErrorType.ROBOTS_DISALLOWED });
    await wrapped('https://a.test/yes');
    expect(calls).toHaveLength(1);
    expect(f.calls).toEqual(['page https://a.test/yes']);
  });
});
