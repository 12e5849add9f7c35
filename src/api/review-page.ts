/**
 * /review: the reviewer's page, rendered on the server with no scripts. Its own session: a token
 * typed once at the login form becomes an HttpOnly, SameSite=Strict cookie naming a session kept in
 * PostgreSQL (src/db/api-state.ts), so every API process knows it; every form carries that
 * session's CSRF token, stored with it; a strict Content-Security-Policy; every
 * piece of scraped text goes through hono/html, which escapes it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { ApiToken } from '../config';
import type { Services } from '../services';
import { ServiceError } from '../services/errors';
import { loadShippedReference } from '../resolution/reference';
import { isRowRefOrId, rowRef } from '../services/row-ref';
import { rowWorkflowId } from '../shared';
import { findCaller, ROLE_FOR, type Caller } from './auth';

interface Session extends Caller {
  csrf: string;
}

const SESSION_COOKIE = 'krithi_review';
const LOGIN_COOKIE = 'krithi_login';
const SESSION_MS = 8 * 60 * 60 * 1000;
const PAGE_SIZE = 50;
const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1d;background:#fafafa}
header{background:#243b53;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1rem;align-items:center}
header h1{font-size:1.1rem;margin:0;flex:1}header form{margin:0}main{padding:1rem 1.2rem;max-width:80rem}
.flash{background:#fff3c4;border:1px solid #e9b949;padding:.5rem 1rem;margin-bottom:1rem}
.filters{display:flex;gap:.8rem;align-items:end;margin-bottom:1rem}.row{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:.7rem 1rem;margin-bottom:1rem}
.row h2{font-size:1.05rem;margin:.1rem 0 .4rem}.meta{color:#52606d;font-size:.85rem}.cands{display:grid;grid-template-columns:repeat(3,1fr);gap:.8rem}
.cands fieldset{border:1px solid #e4e7eb;border-radius:4px}table{border-collapse:collapse}td{padding:0 .4rem}
pre{white-space:pre-wrap;background:#f5f7fa;padding:.4rem;max-height:12rem;overflow:auto;font:13px ui-monospace,monospace}
.actions{display:flex;gap:.6rem;margin-top:.6rem}button{padding:.35rem .9rem;font:inherit;cursor:pointer}
button.approve{background:#2f8132;color:#fff;border:0;border-radius:4px}button.reject{background:#ba2525;color:#fff;border:0;border-radius:4px}
:focus-visible{outline:3px solid #f0b429;outline-offset:2px}.conf-LOW{color:#ba2525}.conf-MEDIUM{color:#b44d12}.conf-HIGH{color:#2f8132}
.bulk{background:#fff;border:1px solid #d9e2ec;padding:.5rem 1rem;margin-bottom:1rem}
.paging{display:flex;gap:1.2rem;margin:1rem 0}.bulkpick{margin-left:auto}th{text-align:left}`;

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

interface Candidate {
  id: string;
  name: string;
  score: number;
  reason: string;
  parent?: string;
  melakarta?: number;
  scale?: string;
  confusableWith?: string[];
}

/**
 * Parent and scale of a raga candidate, so a reviewer can tell confusable names apart (Kalāvati of
 * Chakravakam, Kalāvathi of Yagapriya). Rows resolved before candidates carried them are looked up in
 * the shipped reference.
 */
function ragaDetail(cand: Candidate): { parent?: string; scale?: string } {
  if (cand.scale !== undefined || cand.parent !== undefined || cand.melakarta !== undefined) {
    return { parent: cand.parent ?? (cand.melakarta !== undefined ? `melakarta ${cand.melakarta}` : undefined), scale: cand.scale };
  }
  const meta = loadShippedReference().ragas.find((r) => r.id === cand.id)?.meta;
  if (!meta) return {};
  const parent = typeof meta.parent === 'string' ? meta.parent : typeof meta.melakarta === 'number' ? `melakarta ${meta.melakarta}` : undefined;
  const scale = typeof meta.arohanam === 'string' ? `${meta.arohanam} / ${String(meta.avarohanam)}` : undefined;
  return { parent, scale };
}
interface EntityRes {
  match?: { input?: string; candidates?: Candidate[] } | null;
  chosen?: Candidate | null;
}

export interface ReviewPageOptions {
  services: Services;
  tokens: readonly ApiToken[];
  secureCookies: boolean;
  /** The Temporal Web UI, for a link to each row's workflow (none when unknown). */
  temporalUiUrl: string | null;
  temporalNamespace?: string;
}

export function reviewPage(opts: ReviewPageOptions) {
  const { services } = opts;
  const store = services.apiState;
  const links: RowLinks = {
    workflow: (r) =>
      opts.temporalUiUrl
        ? `${opts.temporalUiUrl}/namespaces/${encodeURIComponent(opts.temporalNamespace ?? 'default')}/workflows/${encodeURIComponent(rowWorkflowId(r.batchId, r.line))}`
        : null,
  };
  const app = new Hono();
  const cookieOpts = { httpOnly: true, sameSite: 'Strict' as const, path: '/review', secure: opts.secureCookies };

  app.use('*', async (c, next) => {
    await next();
    c.header('content-security-policy', CSP);
    c.header('cache-control', 'no-store');
    c.header('x-frame-options', 'DENY');
  });

  const session = async (c: Context): Promise<Session | null> => {
    const id = getCookie(c, SESSION_COOKIE);
    // Session ids are 32 random bytes in base64url; anything else is not worth a query.
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    return store.getSession(id);
  };

  /** The form's CSRF token must be the session's: a cross-site form cannot know it. */
  const checkedForm = async (c: Context) => {
    const s = await session(c);
    const form = await c.req.parseBody({ all: true });
    const csrf = typeof form.csrf === 'string' ? form.csrf : '';
    if (!s || !csrf || !same(csrf, s.csrf)) return null;
    return { s, form };
  };

  const back = (form: Record<string, unknown>, msg: string) => {
    const q = new URLSearchParams();
    if (typeof form.batch === 'string' && /^[a-z2-7]{1,40}$/.test(form.batch)) q.set('batch', form.batch);
    if (typeof form.confidence === 'string' && /^(HIGH|MEDIUM|LOW)$/.test(form.confidence)) q.set('confidence', form.confidence);
    q.set('msg', msg.slice(0, 300));
    return `/review?${q}`;
  };

  app.get('/style.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }));

  app.get('/login', (c) => {
    const nonce = randomBytes(18).toString('base64url');
    setCookie(c, LOGIN_COOKIE, nonce, { ...cookieOpts, maxAge: 600 });
    const error = c.req.query('error');
    return c.html(layout('Sign in', null, html`
      <h2>Sign in to review</h2>
      ${error ? html`<p class="flash" role="alert">${error === 'role' ? 'This token cannot review (operator tokens only steer batches).' : 'That token was not accepted.'}</p>` : ''}
      <form method="post" action="/review/login">
        <input type="hidden" name="csrf" value="${nonce}">
        <label>API token <input type="password" name="token" autocomplete="current-password" required autofocus size="50"></label>
        <button type="submit">Sign in</button>
      </form>`));
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const nonce = getCookie(c, LOGIN_COOKIE) ?? '';
    const csrf = typeof form.csrf === 'string' ? form.csrf : '';
    if (!nonce || !csrf || !same(nonce, csrf)) return c.text('the sign-in form expired; reload it', 403);
    deleteCookie(c, LOGIN_COOKIE, cookieOpts);
    const token = typeof form.token === 'string' ? form.token : '';
    const caller = token ? findCaller(opts.tokens, token) : null;
    if (!caller) return c.redirect('/review/login?error=token', 303);
    if (!(ROLE_FOR.review as readonly string[]).includes(caller.role)) return c.redirect('/review/login?error=role', 303);
    const { id } = await store.createSession(caller, SESSION_MS);
    setCookie(c, SESSION_COOKIE, id, { ...cookieOpts, maxAge: SESSION_MS / 1000 });
    return c.redirect('/review', 303);
  });

  app.post('/logout', async (c) => {
    const checked = await checkedForm(c);
    if (checked) await store.deleteSession(getCookie(c, SESSION_COOKIE)!);
    deleteCookie(c, SESSION_COOKIE, cookieOpts);
    return c.redirect('/review/login', 303);
  });

  app.get('/', async (c) => {
    const s = await session(c);
    if (!s) return c.redirect('/review/login', 303);
    const batch = c.req.query('batch');
    const confidence = c.req.query('confidence');
    const batchId = batch && /^[a-z2-7]{1,40}$/.test(batch) ? batch : undefined;
    const conf = confidence === 'HIGH' || confidence === 'MEDIUM' || confidence === 'LOW' ? confidence : undefined;
    const afterQ = c.req.query('after');
    const after = afterQ && /^\d{1,18}$/.test(afterQ) ? afterQ : undefined;
    const page = await services.imports.search({ status: 'PENDING_REVIEW', batchId, confidence: conf, limit: PAGE_SIZE, afterId: after });
    const rows = await Promise.all(page.items.map((r) => services.imports.get(r.id)));
    const pageLink = (afterId: string | undefined) => {
      const q = new URLSearchParams();
      if (batchId) q.set('batch', batchId);
      if (conf) q.set('confidence', conf);
      if (afterId) q.set('after', afterId);
      return `/review${q.size ? `?${q}` : ''}`;
    };
    const lastId = page.items.at(-1)?.id;
    const hidden = html`<input type="hidden" name="csrf" value="${s.csrf}">
      ${batchId ? html`<input type="hidden" name="batch" value="${batchId}">` : ''}
      ${conf ? html`<input type="hidden" name="confidence" value="${conf}">` : ''}`;
    const msg = c.req.query('msg');
    return c.html(layout('Review queue', s, html`
      ${msg ? html`<p class="flash" role="status">${msg}</p>` : ''}
      <form class="filters" method="get" action="/review">
        <label>Batch <input name="batch" value="${batchId ?? ''}" size="14" pattern="[a-z2-7]{1,40}"></label>
        <label>Confidence <select name="confidence">
          <option value="">any</option>
          ${(['HIGH', 'MEDIUM', 'LOW'] as const).map((v) => html`<option value="${v}" ${conf === v ? 'selected' : ''}>${v}</option>`)}
        </select></label>
        <button type="submit">Filter</button>
        <span class="meta">${after ? 'more rows' : `${page.items.length}${page.nextCursor ? '+' : ''} rows`} awaiting review</span>
      </form>
      ${rows.length === 0 ? html`<p>Nothing awaits review${batchId || conf ? ' with these filters' : ''}.</p>` : ''}
      ${rows.length ? html`<form class="bulk" id="bulk" method="post" action="/review/bulk">${hidden}
        <button type="submit" class="approve">Approve selected</button>
        <span class="meta">tick “include in Approve selected” on the rows to approve with the resolver's choices, then press this</span></form>` : ''}
      ${rows.map((r, i) => rowView(r, { index: i, hidden, links }))}
      <nav class="paging" aria-label="pages">
        ${after ? html`<a href="${pageLink(undefined)}">first page</a>` : ''}
        ${page.nextCursor && lastId ? html`<a href="${pageLink(lastId)}" rel="next">next ${PAGE_SIZE} rows</a>` : ''}
      </nav>`));
  });

  /**
   * One row on its own page: its audit history, and — when the reviewer searched the reference from
   * one of its entity boxes (a plain GET form, no scripts) — the hits as further choices.
   */
  app.get('/rows/:ref', async (c) => {
    const s = await session(c);
    if (!s) return c.redirect('/review/login', 303);
    let r: Row;
    try {
      r = await services.imports.get(c.req.param('ref'));
    } catch (err) {
      if (err instanceof ServiceError) return c.html(layout('Row not found', s, html`<p>${err.message}. <a href="/review">Back to the queue</a></p>`), 404);
      throw err;
    }
    const kind = c.req.query('kind');
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    const index = Number(c.req.query('index') ?? 0);
    let search: SearchResult | undefined;
    if ((kind === 'raga' || kind === 'composer' || kind === 'tala') && Number.isInteger(index) && index >= 0 && index < 20) {
      search = { kind, index, q, hits: q ? await services.reference.search(kind, q, 15) : [] };
    }
    const hidden = html`<input type="hidden" name="csrf" value="${s.csrf}">`;
    const ref = rowRef(r.batchId, r.line);
    return c.html(layout(`Row ${ref}`, s, html`
      <p><a href="/review?batch=${r.batchId}">← the batch's queue</a></p>
      ${r.status === 'PENDING_REVIEW' ? rowView(r, { index: 0, hidden, links, search }) : html`<p>Row ${ref} is ${r.status}${r.reviewer ? ` (by ${r.reviewer})` : ''}.</p>`}
      <section id="history" aria-labelledby="history-h">
        <h2 id="history-h">Audit history of row ${ref}</h2>
        ${r.history.length === 0 ? html`<p class="meta">nothing recorded yet</p>` : ''}
        <table><thead><tr><th scope="col">when</th><th scope="col">what</th><th scope="col">who</th><th scope="col">details</th></tr></thead><tbody>
        ${r.history.map((h) => html`<tr><td>${h.at.replace('T', ' ').slice(0, 19)}</td><td>${h.type}</td><td>${h.actor}</td><td><code>${JSON.stringify(h.data ?? {}).slice(0, 300)}</code></td></tr>`)}
        </tbody></table>
      </section>`));
  });

  app.post('/rows/:id', async (c) => {
    const checked = await checkedForm(c);
    if (!checked) return c.text('the form is stale or not from this page; reload it', 403);
    const { s, form } = checked;
    const id = c.req.param('id');
    const decision = form.decision === 'reject' ? 'reject' : form.decision === 'approve' ? 'approve' : null;
    if (!decision) return c.redirect(back(form, 'choose approve or reject'), 303);
    const pick = (k: string) => (typeof form[k] === 'string' && form[k] ? (form[k] as string).trim() : undefined);
    const composerId = pick('composer');
    const talaId = pick('tala');
    // One choice per raga the page names (a ragamalika has several), in order.
    const ragaCount = Math.min(20, Number(pick('ragaCount') ?? 0) || 0);
    const ragaIds = Array.from({ length: ragaCount }, (_, i) => pick(`raga${i}`) ?? '');
    const suggested = {
      ragaIds: (pick('suggestedRagas') ?? '').split(',').filter(Boolean),
      composerId: pick('suggestedComposer'),
      talaId: pick('suggestedTala'),
    };
    // A raga the reference lacks, defined here: it becomes the row's raga (the note is its source).
    const newRagaName = pick('newRagaName');
    const newRaga = newRagaName
      ? {
          name: newRagaName.slice(0, 100),
          parent: pick('newRagaParent') ?? '',
          arohanam: pick('newRagaArohanam') ?? '',
          avarohanam: pick('newRagaAvarohanam') ?? '',
          ...(pick('newRagaAnya') ? { anyaSvaras: pick('newRagaAnya')!.split(/[\s,]+/).filter(Boolean) } : {}),
        }
      : undefined;
    // Only a choice that differs from the suggestion is an override.
    const ragasChanged = ragaIds.every(Boolean) && ragaIds.join(',') !== suggested.ragaIds.join(',');
    const overrides = {
      // A raga the reviewer adds replaces the raga choice (the service makes ragaIds name it).
      ...(newRaga ? { newRaga } : ragaCount > 0 && ragasChanged ? { ragaIds } : {}),
      ...(composerId && composerId !== suggested.composerId ? { composerId } : {}),
      ...(talaId && talaId !== suggested.talaId ? { talaId } : {}),
    };
    try {
      const result = await services.reviews.review(id, {
        decision,
        reviewer: s.name,
        ...(decision === 'approve' && Object.keys(overrides).length ? { overrides } : {}),
        ...(pick('note') ? { note: pick('note')!.slice(0, 2000) } : {}),
      });
      return c.redirect(back(form, `row ${id}: ${result.status}${Object.keys(overrides).length && decision === 'approve' ? ' (with overrides)' : ''}`), 303);
    } catch (err) {
      if (err instanceof ServiceError) return c.redirect(back(form, `row ${id} not changed: ${err.message}`), 303);
      throw err;
    }
  });

  app.post('/bulk', async (c) => {
    const checked = await checkedForm(c);
    if (!checked) return c.text('the form is stale or not from this page; reload it', 403);
    const { s, form } = checked;
    const raw = form.ids;
    const ids = (Array.isArray(raw) ? raw : raw ? [raw] : []).filter((x): x is string => typeof x === 'string' && isRowRefOrId(x));
    if (ids.length === 0) return c.redirect(back(form, 'select at least one row'), 303);
    const r = await services.bulkReview({ ids: ids.slice(0, 500) }, { decision: 'approve', reviewer: s.name });
    return c.redirect(back(form, `approved ${r.applied}, skipped ${r.skipped}, failed ${r.failed.length}`), 303);
  });

  return app;
}

type Row = Awaited<ReturnType<Services['imports']['get']>>;

interface RowLinks {
  workflow(r: Row): string | null;
}

/** The reviewer searched the reference from one entity box: what for, and what came back. */
interface SearchResult {
  kind: 'raga' | 'composer' | 'tala';
  /** Which raga of a ragamalika (0 for composer and tala). */
  index: number;
  q: string;
  hits: { id: string; name: string }[];
}

/** Section types as the extractor names them → how a person writes them. */
const SECTION_NAMES: Record<string, string> = {
  pallavi: 'pallavi',
  anupallavi: 'anupallavi',
  caranam: 'caraṇam',
  samashti_caranam: 'samaṣṭi caraṇam',
  svara_sahitya: 'svara sāhitya',
  chittasvaram: 'ciṭṭa svaram',
  madhyama_kala: 'madhyama kāla',
  other: 'other section',
};

export const sectionName = (type: string): string => SECTION_NAMES[type] ?? type.replace(/_/g, ' ');

function rowView(r: Row, o: { index: number; hidden: ReturnType<typeof html>; links: RowLinks; search?: SearchResult }) {
  const scraped = (r.scraped ?? {}) as { title?: string | null; composer?: string | null; ragas?: string[]; tala?: string | null; sections?: { type: string; number?: number; text: string }[] };
  const res = (r.resolution ?? {}) as { composer?: EntityRes; ragas?: EntityRes[]; tala?: EntityRes; chosen?: { composerId?: string | null; ragaIds?: string[]; talaId?: string | null } };
  const chosen = res.chosen ?? {};
  const ref = rowRef(r.batchId, r.line);
  const key = ref.replace(':', '-');
  const title = scraped.title ?? r.title ?? '(no title)';
  // One box per raga the page names; at least one, so a page without a raga line can still be given one.
  const ragaBoxes: (EntityRes | undefined)[] = res.ragas?.length ? res.ragas : [undefined];
  const searchFormId = (kind: string, index: number) => `s-${key}-${kind}-${index}`;

  const entity = (kind: SearchResult['kind'], index: number, label: string, field: string, e: EntityRes | undefined, current: string | null | undefined) => {
    const cands = e?.match?.candidates ?? [];
    const found = o.search && o.search.kind === kind && o.search.index === index ? o.search : undefined;
    const extra = (found?.hits ?? []).filter((h) => !cands.some((c) => c.id === h.id));
    return html`<fieldset><legend>${label}${e?.match?.input ? html` — the page says “${e.match.input}”` : ''}</legend>
      ${cands.length === 0 && !found ? html`<p class="meta">no candidates</p>` : ''}
      ${cands.map((cand) => {
        // Parent and scale (ragas) and confusable entries, so near-namesakes can be told apart.
        const d = kind === 'raga' ? ragaDetail(cand) : {};
        return html`<label><input type="radio" name="${field}" value="${cand.id}" ${cand.id === current ? 'checked' : ''}>
        ${cand.name} <span class="meta">(${cand.id}, score ${cand.score.toFixed(2)}, ${cand.reason})</span></label>
        ${d.parent || d.scale ? html`<br><span class="meta scale">${d.parent ? `parent ${d.parent}` : ''}${d.parent && d.scale ? ' · ' : ''}${d.scale ?? ''}</span>` : ''}
        ${cand.confusableWith?.length ? html`<br><span class="meta">confusable with ${cand.confusableWith.join(', ')}</span>` : ''}<br>`;
      })}
      ${found ? html`<p class="meta">${found.hits.length} found for “${found.q}”${found.hits.length && !extra.length ? ' (already listed)' : ''}</p>` : ''}
      ${extra.map((h, n) => html`<label><input type="radio" name="${field}" value="${h.id}" ${n === 0 && found ? 'autofocus' : ''}> ${h.name} <span class="meta">(${h.id}, found)</span></label><br>`)}
      <label>Find another ${kind} <input name="q" form="${searchFormId(kind, index)}" size="14" maxlength="100" value="${found?.q ?? ''}"></label>
      <button type="submit" form="${searchFormId(kind, index)}">Search</button>
      ${kind === 'raga' && index === 0 ? newRagaForm() : ''}
    </fieldset>`;
  };
  const searchForms = [
    ...ragaBoxes.map((_, i) => ['raga', i] as const),
    ['composer', 0] as const,
    ['tala', 0] as const,
  ].map(([kind, index]) => html`<form id="${searchFormId(kind, index)}" method="get" action="/review/rows/${ref}" role="search" aria-label="search ${kind}s for row ${ref}">
      <input type="hidden" name="kind" value="${kind}"><input type="hidden" name="index" value="${index}"></form>`);
  const workflowUrl = o.links.workflow(r);

  return html`<article class="row" id="row-${key}" aria-labelledby="t-${key}">
    <h2 id="t-${key}">${title}</h2>
    <p class="meta">row <strong>${ref}</strong> (batch ${r.batchId}, line ${r.line}) · the manifest says “${r.title ?? ''}”, raga “${r.raga ?? ''}” ·
      confidence <span class="conf-${r.confidence ?? 'LOW'}">${r.confidence ?? '—'}</span></p>
    <p class="meta links">${r.url && /^https?:\/\//.test(r.url) ? html`<a href="${r.url}" rel="noreferrer noopener">source page</a> · ` : ''}${workflowUrl ? html`<a href="${workflowUrl}" rel="noreferrer noopener">workflow in the Temporal Web UI</a> · ` : ''}<a href="/review/rows/${ref}#history">audit history</a></p>
    ${r.reasons.length ? html`<p class="meta">why it waits: ${r.reasons.join('; ')}</p>` : ''}
    ${r.errorType ? html`<p class="meta">${r.errorType}: ${r.errorMessage ?? ''}</p>` : ''}
    ${(scraped.sections ?? []).length ? html`<details><summary>lyrics: ${scraped.sections!.length} sections</summary>
      ${scraped.sections!.map((sec) => html`<p><strong>${sectionName(sec.type)}${sec.number ? ` ${sec.number}` : ''}</strong></p><pre>${sec.text}</pre>`)}</details>` : ''}
    <form method="post" action="/review/rows/${ref}" aria-label="decision on row ${ref}">${o.hidden}
      <input type="hidden" name="ragaCount" value="${ragaBoxes.length}">
      <input type="hidden" name="suggestedRagas" value="${(chosen.ragaIds ?? []).join(',')}">
      <input type="hidden" name="suggestedComposer" value="${chosen.composerId ?? ''}">
      <input type="hidden" name="suggestedTala" value="${chosen.talaId ?? ''}">
      <div class="cands">
        ${ragaBoxes.map((e, i) => entity('raga', i, ragaBoxes.length > 1 ? `Raga ${i + 1} of ${ragaBoxes.length} (ragamalika)` : 'Raga', `raga${i}`, e, chosen.ragaIds?.[i]))}
        ${entity('composer', 0, 'Composer', 'composer', res.composer, chosen.composerId)}
        ${entity('tala', 0, 'Tala', 'tala', res.tala, chosen.talaId)}
      </div>
      <label>Note <input name="note" size="60" maxlength="2000"></label>
      <div class="actions">
        <button type="submit" name="decision" value="approve" class="approve" ${o.index === 0 && !o.search ? 'autofocus' : ''}>Approve</button>
        <button type="submit" name="decision" value="reject" class="reject">Reject</button>
        <label class="bulkpick"><input type="checkbox" name="ids" value="${ref}" form="bulk"> include in “Approve selected”</label>
      </div>
    </form>
    ${searchForms}
  </article>`;
}

/** Adding a raga the reference lacks: name, parent melakarta, scale; the row's Note is its source. */
function newRagaForm() {
  return html`<details class="new-raga"><summary>New raga (not in the reference)</summary>
    <label>name <input name="newRagaName" size="18" maxlength="100"></label><br>
    <label>parent melakarta id <input name="newRagaParent" size="18" maxlength="120" placeholder="harikambhoji"></label><br>
    <label>arohanam <input name="newRagaArohanam" size="28" maxlength="300" placeholder="S R2 M1 P D2 S"></label><br>
    <label>avarohanam <input name="newRagaAvarohanam" size="28" maxlength="300" placeholder="S D2 P M1 G3 R2 S"></label><br>
    <label>anya svaras <input name="newRagaAnya" size="10" maxlength="60" aria-label="anya svaras, if bhashanga"></label>
    <p class="meta">Approving adds it with this row, its Note as the source.</p></details>`;
}

function layout(title: string, s: Session | null, body: ReturnType<typeof html>) {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title} · krithi-import</title><link rel="stylesheet" href="/review/style.css"></head>
<body><header><h1>krithi-import · ${title}</h1>
${s ? html`<span>${s.name} (${s.role})</span><form method="post" action="/review/logout"><input type="hidden" name="csrf" value="${s.csrf}"><button type="submit">Sign out</button></form>` : ''}
</header><main>${body}</main></body></html>`;
}
