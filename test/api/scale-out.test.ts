/**
 * The API scales out: two real `krithi-import serve --api-only` processes on one database and one
 * Temporal server, as two replicas behind a load balancer would run. A reviewer who signs in on one
 * is signed in on the other, a form one rendered is accepted by the other (its CSRF token is the
 * session's, kept in PostgreSQL), signing out on one ends the session on both, and a token's
 * per-minute limit counts its requests to both processes together.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/net';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIMIT = 5;
// Names of their own: windows are counted per token name, and other files use the shared database.
const tag = randomBytes(3).toString('hex');
const reviewer = { name: `scale-reviewer-${tag}`, role: 'reviewer', token: `scale-reviewer-${tag}-0123456789abcdef` };
const operator = { name: `scale-operator-${tag}`, role: 'operator', token: `scale-operator-${tag}-0123456789abcdef` };

interface Replica {
  base: string;
  child: ChildProcess;
}
const replicas: Replica[] = [];

async function startReplica(): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [`${ROOT}bin/krithi-import.js`, 'serve', '--api-only'], {
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      API_TOKENS: JSON.stringify([reviewer, operator]),
      API_RATE_LIMIT_PER_MINUTE: String(LIMIT),
      PORT: String(port),
      HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => {}); // drain
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`serve --api-only exited with ${child.exitCode}`);
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 240) throw new Error('serve --api-only did not come up');
    await new Promise((r) => setTimeout(r, 250));
  }
  const replica = { base, child };
  replicas.push(replica);
  return replica;
}

/** The value a Set-Cookie header gives `name`. */
function cookie(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1];

let a: Replica;
let b: Replica;

beforeAll(async () => {
  [a, b] = await Promise.all([startReplica(), startReplica()]);
});

afterAll(async () => {
  await Promise.all(
    replicas.map((r) => {
      if (r.child.exitCode !== null) return null;
      const exited = new Promise((done) => r.child.once('exit', done));
      r.child.kill('SIGTERM');
      return exited;
    }),
  );
});

describe('when two API processes serve the same database', () => {
  it('then a review-page sign-in on one works on the other, its forms are accepted there, and signing out ends it on both', async () => {
    // Sign in on A.
    const form = await fetch(`${a.base}/review/login`);
    const nonce = cookie(form, 'krithi_login')!;
    expect(csrfOf(await form.text())).toBe(nonce);
    const login = await fetch(`${a.base}/review/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `krithi_login=${nonce}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: nonce, token: reviewer.token }),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/review');
    const session = cookie(login, 'krithi_review')!;
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // B knows the session: the queue page, not the login redirect.
    const onB = await fetch(`${b.base}/review`, { redirect: 'manual', headers: { cookie: `krithi_review=${session}` } });
    expect(onB.status).toBe(200);
    const pageB = await onB.text();
    expect(pageB).toContain(`${reviewer.name} (reviewer)`);
    const csrf = csrfOf(pageB)!;
    expect(csrf).toBeTruthy();

    // A form rendered by B, posted to A: a wrong CSRF token is refused, B's is accepted.
    const forged = await fetch(`${a.base}/review/bulk`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `krithi_review=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: `${csrf.slice(0, -2)}xx`, ids: '1' }),
    });
    expect(forged.status).toBe(403);
    const accepted = await fetch(`${a.base}/review/bulk`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `krithi_review=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }),
    });
    expect(accepted.status).toBe(303);
    expect(new URL(accepted.headers.get('location')!, a.base).searchParams.get('msg')).toBe('select at least one row');

    // Signing out on A ends the session on B too.
    const logout = await fetch(`${a.base}/review/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `krithi_review=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }),
    });
    expect(logout.status).toBe(303);
    const after = await fetch(`${b.base}/review`, { redirect: 'manual', headers: { cookie: `krithi_review=${session}` } });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/review/login');
  });

  it('then a token\'s per-minute limit counts its requests to both processes together', async () => {
    const get = (r: Replica) => fetch(`${r.base}/v1/talas`, { headers: { authorization: `Bearer ${operator.token}` } });
    const statuses: number[] = [];
    // Alternate A and B: LIMIT requests are allowed in all, whichever process answers them.
    for (let i = 0; i < LIMIT; i++) statuses.push((await get(i % 2 === 0 ? a : b)).status);
    expect(statuses).toEqual(Array(LIMIT).fill(200));
    for (const r of [a, b]) {
      const over = await get(r);
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another token has a window of its own.
    const other = await fetch(`${b.base}/v1/talas`, { headers: { authorization: `Bearer ${reviewer.token}` } });
    expect(other.status).toBe(200);
  });
});
