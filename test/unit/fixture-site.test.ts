import { afterEach, describe, expect, it } from 'vitest';
import { defaultFaultFor, startFixtureSite, type FixtureSite } from '../../src/fixture-site/server';
import { drawKrithiPage, renderKrithiPage, shapeFor } from '../../src/fixture-site/pages';
import { ScrapeError, ScrapeErrorType } from '../../src/scraping/errors';
import { extractKrithi } from '../../src/scraping/extract';
import { DEFAULT_FETCH_POLICY, createFetcher, type Fetcher } from '../../src/scraping/fetcher';

const HOSTS = ['guru-guha.blogspot.com', 'thyagaraja-vaibhavam.blogspot.com', 'syamakrishnavaibhavam.blogspot.com'];
const ROWS = [
  { url: 'http://guru-guha.blogspot.com/2007/07/dikshitar-kriti-abhayaambaa-jagadambaa.html', title: 'abhayAmbA jagadambA', raga: 'kalyANi', composer: 'Muthuswami Dikshitar' },
  { url: 'http://thyagaraja-vaibhavam.blogspot.com/2007/11/thyagaraja-kriti-abhimaanamennadu-raga.html', title: 'abhimAnamennaDu', raga: 'kunjari', composer: 'Tyagaraja' },
  { url: 'http://syamakrishnavaibhavam.blogspot.com/2011/03/syama-sastry-kriti-rave-hima-giri.html', title: 'rAvE hima giri kumAri', raga: 'tODi', composer: 'Syama Sastri' },
];

let site: FixtureSite | undefined;
afterEach(async () => {
  await site?.close();
  site = undefined;
});

function fetcherFor(s: FixtureSite): Fetcher {
  return createFetcher({ ...DEFAULT_FETCH_POLICY, userAgent: 'test', allowedHosts: HOSTS, hostOverrides: s.hostOverrides(HOSTS) });
}

async function scrapeError(p: Promise<unknown>): Promise<ScrapeError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ScrapeError);
  return err as ScrapeError;
}

describe('fixture site', () => {
  it('when asked for overrides, then each host maps to its path under the base URL on 127.0.0.1', async () => {
    site = await startFixtureSite();
    expect(site.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(site.hostOverrides(['guru-guha.blogspot.com'])).toEqual({ 'guru-guha.blogspot.com': `${site.baseUrl}/guru-guha.blogspot.com` });
  });

  it.each(ROWS)('when $url is served, then extractKrithi reads back exactly what was drawn', async (row) => {
    site = await startFixtureSite({ defaultFaults: false });
    site.addRows([row]);
    const page = await fetcherFor(site)(row.url);
    const e = extractKrithi(page.html, page.finalUrl);
    const { truth } = drawKrithiPage(row, { withTala: true });
    expect(e.titleTransliterated).toBe(row.title);
    expect(e.ragas).toEqual([row.raga]);
    expect(e.composer).toBe(row.composer);
    expect({ title: e.title, tala: e.tala, language: e.language, sections: e.sections }).toEqual({
      title: truth.title,
      tala: truth.tala,
      language: truth.language,
      sections: truth.sections,
    });
    expect(e.variants.map((v) => ({ script: v.script, sections: v.sections }))).toEqual(truth.variants);
    expect(truth.sections[0]?.text.startsWith(row.title)).toBe(true);
  });

  it('when a thyagaraja-vaibhavam page is drawn, then labels are large-font spans on the lyric’s line and other scripts label inline', () => {
    const url = 'http://thyagaraja-vaibhavam.blogspot.com/2008/01/kriti-x.html';
    const { html } = drawKrithiPage({ url, title: 'nidhi cAla sukhamA', raga: 'kalyANi' }, { withTala: true });
    expect(html).toMatch(/<span style="font-size:180%;">P<\/span> (<sup>\d<\/sup>)?nidhi cAla sukhamA/);
    expect(html).toMatch(/<span style="font-size:180%;">A<\/span> \S/);
    expect(html).toContain('Transliteration–Telugu');
    expect(html).toContain('<strong>Gist</strong>');
    expect(html).not.toMatch(/<br \/>\s*(P|A|C\d?)\s*<br \/>\s*nidhi/);
    const shape = shapeFor(url);
    for (const s of shape.scripts) expect(html).toContain({ devanagari: 'प. ', telugu: 'ప. ', tamil: 'ப. ', kannada: 'ಪ. ', malayalam: 'പ. ' }[s]);
  });

  it('when many URLs of each blog are drawn, then the variety the issue asks for occurs and every page reads back exactly', () => {
    const seen = { scripts: new Set<number>(), talaAbsent: 0, footnotes: 0, samashti: 0, madhyamaKala: 0, scriptTrailer: 0, svaraJati: 0, gistPallavi: 0 };
    for (const host of HOSTS) {
      for (let i = 0; i < 40; i++) {
        const url = `http://${host}/2008/01/kriti-${i}.html`;
        const { html, truth } = drawKrithiPage({ url, title: `kriti nAma ${i}`, raga: 'tODi' }, { withTala: true });
        const shape = shapeFor(url);
        seen.scripts.add(1 + truth.variants.length);
        if (truth.tala === null) seen.talaAbsent++;
        if (html.includes('<sup>1</sup>')) seen.footnotes++;
        if (truth.sections.some((s) => s.type === 'samashti_caranam')) seen.samashti++;
        if (truth.sections.some((s) => s.type === 'madhyama_kala')) seen.madhyamaKala++;
        if (shape.trailer === 'script' && shape.scripts.length > 0) seen.scriptTrailer++;
        if (truth.sections.some((s) => s.type === 'svara_sahitya')) seen.svaraJati++;
        if (/Gist<\/strong>.*Pallavi/s.test(html)) seen.gistPallavi++;
        const e = extractKrithi(html, url);
        expect({ sections: e.sections, variants: e.variants.map((v) => ({ script: v.script, sections: v.sections })), tala: e.tala }).toEqual({
          sections: truth.sections,
          variants: truth.variants,
          tala: truth.tala,
        });
      }
    }
    expect([...seen.scripts].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const k of ['talaAbsent', 'footnotes', 'samashti', 'madhyamaKala', 'scriptTrailer', 'svaraJati'] as const) expect(seen[k]).toBeGreaterThan(3);
    expect(seen.gistPallavi).toBe(120);
  }, 60_000);

  it('when the same URL is rendered twice, then the page is identical', () => {
    const row = ROWS[0]!;
    expect(renderKrithiPage(row, { withTala: true })).toBe(renderKrithiPage(row, { withTala: true }));
  });

  it('when default faults are spread over many URLs, then the shares are roughly as specified and stable', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) {
      const f = defaultFaultFor(`http://guru-guha.blogspot.com/2009/${i}/kriti.html`);
      counts[f] = (counts[f] ?? 0) + 1;
    }
    expect(counts['not-found']! / 5000).toBeCloseTo(0.02, 1);
    expect(counts.slow! / 5000).toBeCloseTo(0.03, 1);
    expect(counts['server-error-once']! / 5000).toBeCloseTo(0.03, 1);
    expect(counts['no-tala']! / 5000).toBeCloseTo(0.05, 1);
    expect(defaultFaultFor(ROWS[0]!.url)).toBe(defaultFaultFor(ROWS[0]!.url));
  });

  it('when faults are set, then each behaves as named and every request is recorded', async () => {
    site = await startFixtureSite({ slowMs: 300 });
    site.addRows(ROWS);
    const [a, b, c] = ROWS.map((r) => r.url) as [string, string, string];
    const fetch = fetcherFor(site);

    site.setFault(a, 'not-found');
    expect((await scrapeError(fetch(a))).type).toBe(ScrapeErrorType.HTTP_NOT_FOUND);

    site.setFault(b, 'server-error-once');
    expect((await scrapeError(fetch(b))).type).toBe(ScrapeErrorType.HTTP_SERVER_ERROR);
    expect((await fetch(b)).status).toBe(200);

    site.setFault(c, 'rate-limited-once');
    const limited = await scrapeError(fetch(c));
    expect(limited.type).toBe(ScrapeErrorType.RATE_LIMITED);
    expect(limited.opts?.retryAfterMs).toBe(1000);
    expect((await fetch(c)).status).toBe(200);

    site.setFault(a, 'server-error-always');
    expect((await scrapeError(fetch(a))).type).toBe(ScrapeErrorType.HTTP_SERVER_ERROR);
    expect((await scrapeError(fetch(a))).type).toBe(ScrapeErrorType.HTTP_SERVER_ERROR);

    site.setFault(a, 'no-tala');
    const noTala = extractKrithi((await fetch(a)).html, a);
    expect(noTala.tala).toBeNull();
    expect(noTala.ragas).toEqual(['kalyANi']);
    expect(noTala.warnings).toContain('no tala found');

    site.setFault(a, 'no-krithi');
    const html = (await fetch(a)).html;
    expect(() => extractKrithi(html, a)).toThrow(expect.objectContaining({ type: ScrapeErrorType.NO_KRITHI_FOUND }));

    site.setFault(a, 'slow');
    const t0 = Date.now();
    await fetch(a);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    await expect(
      createFetcher({ ...DEFAULT_FETCH_POLICY, connectTimeoutMs: 100, headersTimeoutMs: 100, userAgent: 't', allowedHosts: HOSTS, hostOverrides: site.hostOverrides(HOSTS) })(a),
    ).rejects.toMatchObject({ type: ScrapeErrorType.TIMEOUT });

    // The timed-out request is logged only when the slow response is finally written.
    const log = site.requests();
    expect(log.length).toBeGreaterThanOrEqual(10);
    expect(log[0]).toMatchObject({ host: 'guru-guha.blogspot.com', path: '/2007/07/dikshitar-kriti-abhayaambaa-jagadambaa.html', status: 404 });
    expect(log.map((r) => r.status).slice(1, 5)).toEqual([500, 200, 429, 200]);
  });

  it('when a URL is not registered, then 404', async () => {
    site = await startFixtureSite();
    site.addRows(ROWS);
    const err = await scrapeError(fetcherFor(site)('http://guru-guha.blogspot.com/2007/07/unknown.html'));
    expect(err.type).toBe(ScrapeErrorType.HTTP_NOT_FOUND);
  });

  it('when latency is set, then every response is delayed', async () => {
    site = await startFixtureSite({ latencyMs: 150, defaultFaults: false });
    site.addRows(ROWS);
    const t0 = Date.now();
    await fetcherFor(site)(ROWS[2]!.url);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
});
