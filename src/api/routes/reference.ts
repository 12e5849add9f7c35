/** /v1/ragas, /v1/composers, /v1/talas: search for overrides; reviewers add what is missing. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { EntityKind } from '../../resolution/reference';
import type { Services } from '../../services';
import { ENTITY_ID_PATTERN } from '../../services/reference';
import { requireRole, type ApiEnv } from '../auth';
import { Problem } from '../problems';
import { NewAliasSchema, NewEntitySchema, limitParam, problemResponses, text, validationHook } from '../schemas';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const Entity = z.object({ id: z.string(), name: z.string(), aliases: z.array(z.string()), source: z.string() }).openapi('Entity');
const PLURAL: Record<EntityKind, string> = { raga: 'ragas', composer: 'composers', tala: 'talas' };

export function referenceRoutes({ services }: { services: Services }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook as never });
  for (const kind of ['raga', 'composer', 'tala'] as const) {
    const path = `/${PLURAL[kind]}`;
    app.openapi(
      createRoute({
        method: 'get',
        path,
        summary: `Search ${PLURAL[kind]} by name, id or alias`,
        security: [{ bearer: [] }],
        request: { query: z.strictObject({ q: text(200).optional(), limit: limitParam(20, 100).optional() }) },
        responses: { 200: json(z.object({ items: z.array(Entity) }), 'matches'), ...problemResponses(400, 401, 429) },
      }),
      async (c) => {
        const q = c.req.valid('query');
        return c.json({ items: await services.reference.search(kind, q.q?.trim() || undefined, q.limit ?? 20) }, 200);
      },
    );
    app.openapi(
      createRoute({
        method: 'post',
        path,
        summary: `Add a ${kind} the reference lacks (id derived from the name unless given). Role: reviewer or admin.`,
        security: [{ bearer: [] }],
        middleware: [requireRole('review')] as const,
        request: { body: { required: true, content: { 'application/json': { schema: NewEntitySchema } } } },
        responses: { 201: json(Entity, 'added'), ...problemResponses(400, 401, 403, 409, 415, 422, 429) },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const added = await services.reference.add(kind, { ...body, name: body.name.trim() }, c.get('caller').name);
        c.header('location', `/v1${path}?q=${encodeURIComponent(added.id)}`);
        return c.json(added, 201);
      },
    );
    app.openapi(
      createRoute({
        method: 'post',
        path: `${path}/{id}/aliases`,
        summary: `Add an alias to a ${kind}. Role: reviewer or admin.`,
        security: [{ bearer: [] }],
        middleware: [requireRole('review')] as const,
        request: {
          params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }),
          body: { required: true, content: { 'application/json': { schema: NewAliasSchema } } },
        },
        responses: { 201: json(Entity, 'added'), ...problemResponses(400, 401, 403, 404, 409, 415, 429) },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        if (!ENTITY_ID_PATTERN.test(id)) throw new Problem(404, `${kind} ${JSON.stringify(id.slice(0, 60))} not found`);
        return c.json(await services.reference.addAlias(kind, id, c.req.valid('json').alias, c.get('caller').name), 201);
      },
    );
  }
  return app;
}
