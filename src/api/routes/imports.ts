/** /v1/imports: search rows, inspect one, review one or many. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { BULK_MAX_ROWS } from '../../services/bulk-review';
import type { Services } from '../../services';
import { isRowRefOrId } from '../../services/row-ref';
import { requireRole, type ApiEnv } from '../auth';
import { Problem } from '../problems';
import {
  BulkReviewBodySchema,
  ConfidenceSchema,
  ReviewBodySchema,
  RowIdParams,
  RowStatusSchema,
  limitParam,
  problemResponses,
  rowCursorParam,
  text,
  validationHook,
} from '../schemas';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const AnyObject = z.record(z.string(), z.unknown());

/** A row is named by `<batchId>:<line>` (what every view shows) or by its numeric id. */
function rowId(id: string): string {
  if (!isRowRefOrId(id)) throw new Problem(404, `import ${JSON.stringify(id.slice(0, 60))} not found`);
  return id;
}

export function importRoutes({ services }: { services: Services }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook as never });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/imports',
      summary: 'Search import rows',
      security: [{ bearer: [] }],
      request: {
        query: z.strictObject({
          status: RowStatusSchema.optional(),
          batchId: z.string().regex(/^[a-z2-7]{1,40}$/, 'a batch id').optional(),
          confidence: ConfidenceSchema.optional(),
          q: text(200).optional(),
          overdue: z.enum(['true', 'false']).optional(),
          cursor: rowCursorParam.optional(),
          limit: limitParam(50, 200).optional(),
        }),
      },
      responses: { 200: json(AnyObject, 'a page of rows'), ...problemResponses(400, 401, 429) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(
        await services.imports.search({
          status: q.status,
          batchId: q.batchId,
          confidence: q.confidence,
          q: q.q || undefined,
          overdue: q.overdue === 'true',
          afterId: q.cursor as string | undefined,
          limit: q.limit ?? 50,
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/imports/review',
      summary: `Review many rows at once (explicit ids, at most ${BULK_MAX_ROWS}, or a filter). Role: reviewer or admin.`,
      security: [{ bearer: [] }],
      middleware: [requireRole('review')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: BulkReviewBodySchema } } } },
      responses: {
        200: json(AnyObject, '{decision, applied, skipped, failed: [{id, reason}]}'),
        ...problemResponses(400, 401, 403, 413, 415, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (body.ids && body.ids.length > BULK_MAX_ROWS)
        throw new Problem(413, `at most ${BULK_MAX_ROWS} ids per request (got ${body.ids.length}); split the list or use a filter`);
      const selection = body.ids
        ? { ids: body.ids }
        : { filter: { batchId: body.filter!.batchId, minConfidence: body.filter!.minConfidence } };
      return c.json(
        await services.bulkReview(selection, { decision: body.decision, reviewer: c.get('caller').name, note: body.note }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/imports/{id}',
      summary: 'One row: raw fields, scraped fields and sections, candidates with scores and reasons, review history',
      security: [{ bearer: [] }],
      request: { params: RowIdParams },
      responses: { 200: json(AnyObject, 'the row'), ...problemResponses(401, 404, 429) },
    }),
    async (c) => c.json(await services.imports.get(rowId(c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/imports/{id}/review',
      summary: 'Approve (optionally with overrides) or reject a row awaiting review. Role: reviewer or admin.',
      description:
        'Override ids are checked in PostgreSQL, then the decision is sent to the row workflow as an update; ' +
        'the answer comes once the workflow recorded it. Errors: 404 unknown row, 409 already decided or batch ' +
        'cancelled, 422 unknown override id, 503 (Retry-After) when no worker takes it within 10 s.',
      security: [{ bearer: [] }],
      middleware: [requireRole('review')] as const,
      request: { params: RowIdParams, body: { required: true, content: { 'application/json': { schema: ReviewBodySchema } } } },
      responses: {
        200: json(z.object({ id: z.string(), status: z.enum(['PERSISTING', 'REJECTED']) }), 'decision recorded'),
        ...problemResponses(400, 401, 403, 404, 409, 415, 422, 429, 503),
      },
    }),
    async (c) => {
      const id = rowId(c.req.valid('param').id);
      const body = c.req.valid('json');
      const result = await services.reviews.review(id, {
        decision: body.decision,
        reviewer: c.get('caller').name,
        ...(body.note !== undefined ? { note: body.note } : {}),
        ...(body.overrides && Object.keys(body.overrides).length ? { overrides: body.overrides } : {}),
      });
      return c.json({ id, status: result.status }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/imports/{id}/retry',
      summary: 'Queue one FAILED row again as a new attempt (its batch runs again if it had closed). Role: operator or admin.',
      description: 'Errors: 404 unknown row, 409 the row is not FAILED or its batch is cancelled.',
      security: [{ bearer: [] }],
      middleware: [requireRole('operate')] as const,
      request: { params: RowIdParams },
      responses: {
        202: json(z.object({ row: z.string(), requeued: z.number() }), 'queued again'),
        ...problemResponses(401, 403, 404, 409, 429),
      },
    }),
    async (c) => c.json(await services.batches.retryRow(rowId(c.req.valid('param').id), c.get('caller').name), 202),
  );

  return app;
}
