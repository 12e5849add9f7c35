/**
 * Reading a Blogger post page: the blog's `<title>` ("Blog Name: Post Title"), the post title
 * (`h3.post-title`) and the text lines of `div.post-body`. Comments, sidebar and footer live
 * outside the post body and are never read.
 */
import type { CheerioAPI } from 'cheerio';
import { stripNonText, textLines } from './html-text';

export interface BloggerParts {
  titleTag: string | null;
  postTitle: string | null;
  /** Where `postTitle` came from. */
  postTitleSource: 'post-title' | 'title-tag' | null;
  bodyLines: string[];
}

const POST_BODY = 'div.post-body, div.entry-content, .post-body';

export function isBloggerShaped($: CheerioAPI): boolean {
  return $(POST_BODY).length > 0;
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

export function readBloggerPage($: CheerioAPI): BloggerParts {
  const titleTag = squash($('title').first().text()) || null;
  const h3 = squash($('h3.post-title, h1.post-title, h2.post-title, .post-title.entry-title').first().text()) || null;
  let postTitle: string | null = h3;
  let postTitleSource: BloggerParts['postTitleSource'] = h3 ? 'post-title' : null;
  if (!postTitle && titleTag) {
    // "Blog Name: Post Title" — the part after the first colon, when there is one.
    const i = titleTag.indexOf(': ');
    postTitle = i > 0 ? titleTag.slice(i + 2).trim() : titleTag;
    postTitleSource = 'title-tag';
  }
  const body = $(POST_BODY).first();
  body.find('.comments, #comments, .post-footer, .blog-pager, .share-box, .post-share-buttons').remove();
  stripNonText($, body);
  return { titleTag, postTitle, postTitleSource, bodyLines: textLines(body.toArray()) };
}

export interface KritiTitle {
  /** The composition's title as the post gives it (`Kamakshi Anudinamu`). */
  title: string | null;
  raga: string | null;
  tala: string | null;
  /** The composer as named before `Kriti` (`Syama Sastry`). */
  composerText: string | null;
  /** Whether the title is shaped like a composition post (a `... Kriti` or a `Raga X` part). */
  looksLikeComposition: boolean;
}

/**
 * `Syama Sastry Kriti - Kamakshi Ni Pada - Raga Yadukula Kambhoji - Svara Jati`,
 * `Dikshitar Kriti - Vatapi Ganapatim - Raga Hamsadhvani`, `... - Todi Raga`.
 */
export function parseKritiTitle(postTitle: string): KritiTitle {
  const out: KritiTitle = { title: null, raga: null, tala: null, composerText: null, looksLikeComposition: false };
  const parts = postTitle.split(/\s+[-–—|]\s+/).map(squash).filter(Boolean);
  const rest: string[] = [];
  let composerAt = -1;
  for (const [i, part] of parts.entries()) {
    // Right after `X Kriti` comes the title, even when it starts like a raga (`Raga Ratna`).
    if (composerAt === 0 && i === 1 && parts.length > 2) {
      rest.push(part);
      continue;
    }
    const composer = /^(.*?)\s*\b(?:kriti|krithi|kruti|kirtana|kirtanam|keerthanam|krti|composition)s?$/i.exec(part);
    const raga = /^r[aā]+g[aā]+[mṃ]?\s*[:\-]?\s+(.+)$/i.exec(part) ?? /^(.+?)\s+r[aā]+g[aā]+[mṃ]?$/i.exec(part);
    const tala = /^t[aā]+[lḷ][aā]+[mṃ]?\s*[:\-]?\s+(.+)$/i.exec(part);
    if (composer && out.composerText === null && !out.title) {
      out.composerText = composer[1]?.trim() || null;
      composerAt = i;
      out.looksLikeComposition = true;
    } else if (raga?.[1] && !out.raga) {
      out.raga = raga[1].trim();
      out.looksLikeComposition = true;
    } else if (tala?.[1] && !out.tala) {
      out.tala = tala[1].trim();
    } else {
      rest.push(part);
    }
  }
  out.title = rest[0] ?? null;
  if (!out.looksLikeComposition) out.title = parts.length > 0 ? postTitle.trim() : null;
  return out;
}
