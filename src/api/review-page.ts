/**
 * /review: the reviewer's page, rendered on the server with no scripts. Its own session: a token
 * typed once at the login form becomes an HttpOnly, SameSite=Strict cookie naming an in-memory
 * session; every form carries that session's CSRF token; a strict Content-Security-Policy; every
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
import { findCaller, ROLE_FOR, type Caller } from './auth';

interface Session extends Caller {
  csrf: string;
  expires: number;
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
.bulk{background:#fff;border:1px solid #d9e2ec;padding:.5rem 1rem;margin-bottom:1rem}`;

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

export function reviewPage(opts: { services: Services; tokens: readonly ApiToken[]; secureCookies: boolean; temporalUiUrl: string | null }) {
  const { services } = opts;
  const sessions = new Map<string, Session>();
  const app = new Hono();
  const cookieOpts = { httpOnly: true, sameSite: 'Strict' as const, path: '/review', secure: opts.secureCookies };

  app.use('*', async (c, next) => {
    await next();
    c.header('content-security-policy', CSP);
    c.header('cache-control', 'no-store');
    c.header('x-frame-options', 'DENY');
  });

  const session = (c: Context): Session | null => {
    const id = getCookie(c, SESSION_COOKIE);
    const s = id ? sessions.get(id) : undefined;
    if (!s) return null;
    if (s.expires < Date.now()) {
      sessions.delete(id!);
      return null;
    }
    return s;
  };

  /** The form's CSRF token must be the session's: a cross-site form cannot know it. */
  const checkedForm = async (c: Context) => {
    const s = session(c);
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
    const id = randomBytes(32).toString('base64url');
    sessions.set(id, { ...caller, csrf: randomBytes(24).toString('base64url'), expires: Date.now() + SESSION_MS });
    setCookie(c, SESSION_COOKIE, id, { ...cookieOpts, maxAge: SESSION_MS / 1000 });
    return c.redirect('/review', 303);
  });

  app.post('/logout', async (c) => {
    const checked = await checkedForm(c);
    if (checked) sessions.delete(getCookie(c, SESSION_COOKIE)!);
    deleteCookie(c, SESSION_COOKIE, cookieOpts);
    return c.redirect('/review/login', 303);
  });

  app.get('/', async (c) => {
    const s = session(c);
    if (!s) return c.redirect('/review/login', 303);
    const batch = c.req.query('batch');
    const confidence = c.req.query('confidence');
    const batchId = batch && /^[a-z2-7]{1,40}$/.test(batch) ? batch : undefined;
    const conf = confidence === 'HIGH' || confidence === 'MEDIUM' || confidence === 'LOW' ? confidence : undefined;
    const page = await services.imports.search({ status: 'PENDING_REVIEW', batchId, confidence: conf, limit: PAGE_SIZE });
    const rows = await Promise.all(page.items.map((r) => services.imports.get(r.id)));
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
        <span class="meta">${page.items.length}${page.nextCursor ? '+' : ''} rows awaiting review</span>
      </form>
      ${rows.length === 0 ? html`<p>Nothing awaits review${batchId || conf ? ' with these filters' : ''}.</p>` : ''}
      ${rows.length ? html`<form class="bulk" id="bulk" method="post" action="/review/bulk">${hidden}
        <button type="submit" class="approve">Approve selected</button>
        <span class="meta">tick rows with their "select" box, then approve them together</span></form>` : ''}
      ${rows.map((r, i) => rowView(r, i, hidden))}`));
  });

  app.post('/rows/:id', async (c) => {
    const checked = await checkedForm(c);
    if (!checked) return c.text('the form is stale or not from this page; reload it', 403);
    const { s, form } = checked;
    const id = c.req.param('id');
    const decision = form.decision === 'reject' ? 'reject' : form.decision === 'approve' ? 'approve' : null;
    if (!decision) return c.redirect(back(form, 'choose approve or reject'), 303);
    const pick = (k: string) => (typeof form[k] === 'string' && form[k] ? (form[k] as string).trim() : undefined);
    const ragaId = pick('ragaIdOther') ?? pick('ragaId');
    const composerId = pick('composerIdOther') ?? pick('composerId');
    const talaId = pick('talaIdOther') ?? pick('talaId');
    const chosen = {
      ragaId: pick('suggestedRagaId'),
      composerId: pick('suggestedComposerId'),
      talaId: pick('suggestedTalaId'),
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
    const overrides = {
      ...(newRaga ? { newRaga } : ragaId && ragaId !== chosen.ragaId ? { ragaIds: [ragaId] } : {}),
      ...(composerId && composerId !== chosen.composerId ? { composerId } : {}),
      ...(talaId && talaId !== chosen.talaId ? { talaId } : {}),
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
    const ids = (Array.isArray(raw) ? raw : raw ? [raw] : []).filter((x): x is string => typeof x === 'string' && /^\d{1,18}$/.test(x));
    if (ids.length === 0) return c.redirect(back(form, 'select at least one row'), 303);
    const r = await services.bulkReview({ ids: ids.slice(0, 500) }, { decision: 'approve', reviewer: s.name });
    return c.redirect(back(form, `approved ${r.applied}, skipped ${r.skipped}, failed ${r.failed.length}`), 303);
  });

  return app;
}

type Row = Awaited<ReturnType<Services['imports']['get']>>;

function rowView(r: Row, index: number, hidden: ReturnType<typeof html>) {
  const scraped = (r.scraped ?? {}) as { title?: string | null; composer?: string | null; ragas?: string[]; tala?: string | null; sections?: { type: string; number?: number; text: string }[] };
  const res = (r.resolution ?? {}) as { composer?: EntityRes; ragas?: EntityRes[]; tala?: EntityRes; chosen?: { composerId?: string | null; ragaIds?: string[]; talaId?: string | null } };
  const chosen = res.chosen ?? {};
  const entity = (label: string, field: string, e: EntityRes | undefined, current: string | null | undefined) => {
    const cands = e?.match?.candidates ?? [];
    return html`<fieldset><legend>${label}${e?.match?.input ? html` — page says “${e.match.input}”` : ''}</legend>
      <input type="hidden" name="suggested${field[0]!.toUpperCase()}${field.slice(1)}" value="${current ?? ''}">
      ${cands.length === 0 ? html`<p class="meta">no candidates</p>` : ''}
      ${cands.map((cand) => {
        const d = field === 'ragaId' ? ragaDetail(cand) : {};
        return html`<label><input type="radio" name="${field}" value="${cand.id}" ${cand.id === current ? 'checked' : ''}>
        ${cand.name} <span class="meta">(${cand.id}, ${cand.score.toFixed(2)} ${cand.reason})</span></label>
        ${d.parent || d.scale ? html`<br><span class="meta scale">${d.parent ? `parent ${d.parent}` : ''}${d.parent && d.scale ? ' · ' : ''}${d.scale ?? ''}</span>` : ''}
        ${cand.confusableWith?.length ? html`<br><span class="meta">confusable with ${cand.confusableWith.join(', ')}</span>` : ''}<br>`;
      })}
      <label>other id <input name="${field}Other" size="16" pattern="[a-z0-9][a-z0-9\\-]{0,79}" aria-label="${label}: another id"></label>
      ${field === 'ragaId' ? newRagaForm() : ''}
    </fieldset>`;
  };
  return html`<article class="row" id="row-${r.id}" aria-labelledby="t-${r.id}">
    <h2 id="t-${r.id}"><label><input type="checkbox" name="ids" value="${r.id}" form="bulk" aria-label="select row ${r.id}"> select</label>
      ${scraped.title ?? r.title ?? '(no title)'}</h2>
    <p class="meta">row ${r.id} · batch ${r.batchId} line ${r.line} · manifest: “${r.title ?? ''}”, raga “${r.raga ?? ''}” ·
      confidence <span class="conf-${r.confidence ?? 'LOW'}">${r.confidence ?? '—'}</span> · ${r.url && /^https?:\/\//.test(r.url) ? html`<a href="${r.url}" rel="noreferrer noopener">source</a>` : ''}</p>
    ${r.reasons.length ? html`<p class="meta">why: ${r.reasons.join('; ')}</p>` : ''}
    ${r.errorType ? html`<p class="meta">${r.errorType}: ${r.errorMessage ?? ''}</p>` : ''}
    ${(scraped.sections ?? []).length ? html`<details><summary>${scraped.sections!.length} sections</summary>
      ${scraped.sections!.map((sec) => html`<p><strong>${sec.type}${sec.number ? ` ${sec.number}` : ''}</strong></p><pre>${sec.text}</pre>`)}</details>` : ''}
    <form method="post" action="/review/rows/${r.id}">${hidden}
      <div class="cands">
        ${entity('Raga', 'ragaId', res.ragas?.[0], chosen.ragaIds?.[0])}
        ${entity('Composer', 'composerId', res.composer, chosen.composerId)}
        ${entity('Tala', 'talaId', res.tala, chosen.talaId)}
      </div>
      <label>Note <input name="note" size="60" maxlength="2000"></label>
      <div class="actions">
        <button type="submit" name="decision" value="approve" class="approve" ${index === 0 ? 'autofocus' : ''}>Approve</button>
        <button type="submit" name="decision" value="reject" class="reject">Reject</button>
      </div>
    </form>
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
