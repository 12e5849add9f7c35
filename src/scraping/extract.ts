/**
 * `extractKrithi(html, url)`: pick an extractor by host and page shape, read the page's text, and
 * assemble an `Extraction`. Throws `ScrapeError(NO_KRITHI_FOUND)` when nothing on the page looks
 * like a composition.
 */
import { load, type CheerioAPI } from 'cheerio';
import { isBloggerShaped, parseKritiTitle, readBloggerPage, type KritiTitle } from './blogger';
import { ScrapeError, ScrapeErrorType } from './errors';
import { stripNonText, textLines } from './html-text';
import {
  composerByMudra,
  composerForHost,
  composerNamedIn,
  findRagaTala,
  isRagamalika,
  languageFromLines,
  plainLower,
  ragamalikaListFrom,
} from './metadata';
import { parseLyricLines } from './sections';
import type { Extraction, ProvenanceSource } from './types';

/** Blogs whose layout the Blogger extractor was written against. */
export const BLOGGER_HOSTS = [
  'guru-guha.blogspot.com',
  'thyagaraja-vaibhavam.blogspot.com',
  'syamakrishnavaibhavam.blogspot.com',
] as const;

interface PageText {
  host: string;
  postTitle: string | null;
  postTitleSource: ProvenanceSource | null;
  lines: string[];
  extractor: string;
  warnings: string[];
}

interface Extractor {
  name: string;
  matches(host: string, $: CheerioAPI): boolean;
  read(host: string, $: CheerioAPI): PageText;
}

const bloggerExtractor: Extractor = {
  name: 'blogger/v1',
  matches: (host, $) =>
    (BLOGGER_HOSTS as readonly string[]).includes(host) || host.endsWith('.blogspot.com') || isBloggerShaped($),
  read(host, $) {
    const parts = readBloggerPage($);
    return {
      host,
      postTitle: parts.postTitle,
      postTitleSource: parts.postTitleSource,
      lines: parts.bodyLines,
      extractor: this.name,
      warnings: [],
    };
  },
};

const genericExtractor: Extractor = {
  name: 'generic/v1',
  matches: () => true,
  read(host, $) {
    $('nav, header, footer, aside, .comments, #comments, .sidebar, #sidebar, .footer, .menu').remove();
    const root = [$('article').first(), $('main').first(), $('#content').first(), $('body').first()].find((r) => r.length > 0);
    if (root) stripNonText($, root);
    const h1 = $('h1').first().text().replace(/\s+/g, ' ').trim();
    const titleTag = $('title').first().text().replace(/\s+/g, ' ').trim();
    return {
      host,
      postTitle: h1 || titleTag || null,
      postTitleSource: h1 ? 'post-title' : titleTag ? 'title-tag' : null,
      lines: root ? textLines(root.toArray()) : [],
      extractor: this.name,
      warnings: [`no extractor for ${host || 'this site'}; generic extraction, fields are best effort`],
    };
  },
};

const EXTRACTORS: readonly Extractor[] = [bloggerExtractor, genericExtractor];

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return '';
  }
}

export function extractKrithi(html: string, url: string): Extraction {
  const $ = load(html);
  const host = hostOf(url);
  const extractor = EXTRACTORS.find((e) => e.matches(host, $)) ?? genericExtractor;
  return assemble(extractor.read(host, $), url);
}

/** `In this kRti ‘rAvE hima giri kumAri’ – rAga tODi` or a `title-raga` line → the HK title. */
function transliteratedTitle(preamble: readonly string[], raga: string | null): string | null {
  for (const line of preamble) {
    if (!/r[aā]+g[aā]/i.test(line)) continue;
    const q = /[‘'"“]([^’'"”]{2,80})[’'"”]/.exec(line);
    if (q?.[1]) return q[1].trim();
  }
  if (raga) {
    const key = plainLower(raga).replace(/\s+/g, '');
    for (const line of preamble) {
      const m = /^(.+?)\s*[-–]\s*([^-–]+)$/.exec(line);
      if (m?.[1] && m[2] && plainLower(m[2]).replace(/\s+/g, '') === key) return m[1].trim();
    }
  }
  return null;
}

function assemble(page: PageText, url: string): Extraction {
  const { host, lines, warnings } = page;
  const provenance: Record<string, string> = {};
  const parsed = parseLyricLines(lines);
  const head = parsed.preamble.slice(0, 60);
  const kt: KritiTitle | null = page.postTitle ? parseKritiTitle(page.postTitle) : null;
  const titleSource = page.postTitleSource ?? 'title-tag';

  const title = kt?.title ?? null;
  if (title) provenance.title = titleSource;

  const body = findRagaTala(head);
  let raga: string | null = null;
  if (body.raga) {
    raga = body.raga;
    provenance.ragas = 'body-line';
  } else if (kt?.raga) {
    raga = kt.raga;
    provenance.ragas = titleSource;
  }
  let ragas: string[] = raga ? [raga] : [];
  if (raga && isRagamalika(raga)) {
    const list = parsed.ragamalikaRagas.length > 0 ? parsed.ragamalikaRagas : ragamalikaListFrom(head);
    if (list.length > 0) ragas = list;
    else warnings.push('ragamalika without a list of its ragas');
  } else if (parsed.ragamalikaRagas.length > 1) {
    ragas = parsed.ragamalikaRagas;
    provenance.ragas = 'body-line';
  }

  let tala: string | null = null;
  if (body.tala) {
    tala = body.tala;
    provenance.tala = 'body-line';
  } else if (kt?.tala) {
    tala = kt.tala;
    provenance.tala = titleSource;
  }

  const titleTransliterated = transliteratedTitle(head, raga);
  if (titleTransliterated) provenance.titleTransliterated = 'body-line';

  const lyricText = [...parsed.primary, ...parsed.variants.flatMap((v) => v.sections)].map((s) => s.text).join('\n');
  const siteRule = composerForHost(host);
  const named = (kt?.composerText ? composerNamedIn(kt.composerText) : null) ?? composerNamedIn(page.postTitle ?? '');
  const inBody = composerNamedIn(head.join('\n'));
  const mudra = composerByMudra(lyricText);
  let composer: string | null = null;
  if (siteRule) {
    composer = siteRule.name;
    provenance.composer = 'site-rule';
  } else if (named) {
    composer = named.name;
    provenance.composer = titleSource;
  } else if (inBody) {
    composer = inBody.name;
    provenance.composer = 'body-line';
  } else if (mudra) {
    composer = mudra.name;
    provenance.composer = 'mudra';
  } else if (kt?.composerText) {
    composer = kt.composerText;
    provenance.composer = titleSource;
  }
  const pageSays = named ?? inBody;
  if (composer && pageSays && pageSays.name !== composer) {
    warnings.push(`composer conflict: ${provenance.composer} gives ${composer}, the page names ${pageSays.name}`);
  }
  if (composer && mudra && mudra.name !== composer && !pageSays) {
    warnings.push(`composer conflict: ${provenance.composer} gives ${composer}, the mudra suggests ${mudra.name}`);
  }

  let language = languageFromLines(head);
  if (language) provenance.language = 'body-line';
  else {
    const rule = siteRule ?? named ?? inBody ?? mudra;
    if (rule) {
      language = rule.defaultLanguage;
      provenance.language = 'site-rule';
    }
  }

  const hasLyrics = parsed.primary.length > 0 || parsed.variants.length > 0;
  if (!hasLyrics && ragas.length === 0 && !kt?.looksLikeComposition) {
    throw new ScrapeError(ScrapeErrorType.NO_KRITHI_FOUND, 'page has no lyric sections and no raga or composition title', {
      url,
    });
  }
  if (!hasLyrics) warnings.push('no lyric sections found');
  else if (parsed.primary.length === 0) warnings.push('no romanised lyric; only other scripts');
  if (ragas.length === 0) warnings.push('no raga found');
  if (!tala) warnings.push('no tala found');
  if (!title) warnings.push('no title found');

  return {
    title,
    titleTransliterated,
    composer,
    ragas,
    tala,
    language,
    sections: parsed.primary,
    variants: parsed.variants.map((v) => ({ script: v.script, language, sections: v.sections })),
    provenance,
    warnings,
    extractor: page.extractor,
  };
}
