/**
 * Bearer authentication for /v1 and the role each route needs. Presented tokens are hashed and
 * compared with every configured hash in constant time; a token is never logged or stored.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { ApiRole, ApiToken } from '../config';
import { Problem } from './problems';

export interface Caller {
  name: string;
  role: ApiRole;
}

export type ApiEnv = { Variables: { caller: Caller } };

/** The caller a token belongs to, or null. Looks at every entry so timing does not tell which matched. */
export function findCaller(tokens: readonly ApiToken[], presented: string): Caller | null {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let found: Caller | null = null;
  for (const t of tokens) {
    if (timingSafeEqual(digest, Buffer.from(t.sha256, 'hex')) && !found) found = { name: t.name, role: t.role };
  }
  return found;
}

export function bearerAuth(tokens: readonly ApiToken[]): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
    const challenge = { 'www-authenticate': 'Bearer realm="krithi-import"' };
    if (!m) throw new Problem(401, 'send the API token as "Authorization: Bearer <token>"', {}, challenge);
    const caller = findCaller(tokens, m[1] as string);
    if (!caller) throw new Problem(401, 'the token is not valid', {}, { ...challenge, 'www-authenticate': 'Bearer error="invalid_token"' });
    c.set('caller', caller);
    await next();
  };
}

/** Who may do what (the access table of the README). Reading needs any valid token. */
export const ROLE_FOR = {
  read: ['operator', 'reviewer', 'admin'],
  operate: ['operator', 'admin'],
  review: ['reviewer', 'admin'],
} as const satisfies Record<string, readonly ApiRole[]>;

export function requireRole(kind: keyof typeof ROLE_FOR): MiddlewareHandler<ApiEnv> {
  const allowed: readonly ApiRole[] = ROLE_FOR[kind];
  return async (c, next) => {
    const caller = c.get('caller');
    if (!allowed.includes(caller.role))
      throw new Problem(403, `the ${caller.role} role cannot do this; it needs one of: ${allowed.join(', ')}`);
    await next();
  };
}
