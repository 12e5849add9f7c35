/** /v1/batches: submit a manifest, list and inspect batches, steer them, download the report. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import type { BatchSettings } from '../../shared';
import { REPORT_COLUMNS, reportCsvLine } from '../../services/batch-views';
import type { Services } from '../../services';
import { requireRole, type ApiEnv } from '../auth';
import { Problem } from '../problems';
import { BatchIdParams, batchCursorParam, limitParam, label, problemResponses, validationHook } from '../schemas';
import { readUpload } from '../upload';

export interface BatchRouteDeps {
  services: Services;
  settings: BatchSettings;
  manifestMaxBytes: number;
}

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const AnyObject = z.record(z.string(), z.unknown());

/** Batch ids are 12 base32 characters; anything else cannot name a batch. */
function batchId(id: string): string {
  if (!/^[a-z2-7]{1,40}$/.test(id)) throw new Problem(404, `batch ${JSON.stringify(id.slice(0, 60))} not found`);
  return id;
}

const SubmitResult = z
  .object({
    batchId: z.string(),
    workflowId: z.string(),
    status: z.string(),
    total: z.number().int(),
    acceptedRows: z.number().int(),
    invalidRows: z.array(z.object({ line: z.number().int(), reason: z.string() })),
    duplicates: z.array(z.object({ line: z.number().int(), duplicateOfLine: z.number().int() })),
  })
  .openapi('SubmitResult');

export function batchRoutes({ services, settings, manifestMaxBytes }: BatchRouteDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook as never });

  // Submission reads its own body (streamed, decoded, size-limited), so it is registered for the
  // document by hand and handled without a body validator.
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/batches', // mounted under /v1, which the parent's registry adds
    summary: 'Submit a manifest (CSV with Krithi, Raga, Hyperlink columns)',
    description:
      `The manifest as a text/csv body (optional ?name=) or a multipart "file" field (optional "name" field). ` +
      `Limit ${manifestMaxBytes} bytes after Content-Encoding (gzip, deflate, br) is undone. A byte-identical ` +
      `manifest answers 200 with the existing batch. Role: operator or admin.`,
    security: [{ bearer: [] }],
    request: {
      query: z.object({ name: z.string().max(200).optional() }),
      body: {
        required: true,
        content: {
          'text/csv': { schema: z.string() },
          'multipart/form-data': {
            schema: z.object({ file: z.string().openapi({ format: 'binary' }), name: z.string().max(200).optional() }),
          },
        },
      },
    },
    responses: {
      202: json(SubmitResult, 'batch created and started'),
      200: json(SubmitResult, 'the same bytes were submitted before: that batch'),
      ...problemResponses(400, 401, 403, 413, 415, 422, 429),
    },
  });
  const SubmitQuery = z.strictObject({ name: label(200).optional() });
  app.post('/batches', requireRole('operate'), async (c) => {
    const q = SubmitQuery.safeParse(c.req.query());
    if (!q.success) validationHook({ success: false, error: q.error, data: c.req.query(), target: 'query' } as never, c as never);
    const upload = await readUpload(c.req.raw, manifestMaxBytes);
    const result = await services.batches.submit({
      source: upload.source,
      name: upload.name ?? (q.success ? q.data.name : undefined),
      createdBy: c.get('caller').name,
      maxBytes: manifestMaxBytes,
      settings,
    });
    const { existing, invalidRows, ...rest } = result;
    c.header('location', `/v1/batches/${result.batchId}`);
    return c.json(
      { ...rest, invalidRows: invalidRows.map((r) => ({ line: r.line, reason: r.reason })) },
      existing ? 200 : 202,
    );
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/batches',
      summary: 'List batches, newest first',
      security: [{ bearer: [] }],
      request: { query: z.strictObject({ cursor: batchCursorParam.optional(), limit: limitParam(20, 100).optional() }) },
      responses: { 200: json(AnyObject, 'a page of batches'), ...problemResponses(400, 401, 429) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await services.batchViews.list({ after: q.cursor as [string, string] | undefined, limit: q.limit ?? 20 }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/batches/{id}',
      summary: 'One batch: status, counts per row status, timings, errors grouped by type',
      security: [{ bearer: [] }],
      request: { params: BatchIdParams },
      responses: { 200: json(AnyObject, 'the batch'), ...problemResponses(401, 404, 429) },
    }),
    async (c) => c.json(await services.batchViews.detail(batchId(c.req.valid('param').id)), 200),
  );

  const controls = {
    cancel: { summary: 'Cancel the batch (rows not yet imported are cancelled)', status: 'CANCELLING' },
    pause: { summary: 'Pause: no new rows start; rows in flight finish', status: 'PAUSED' },
    resume: { summary: 'Resume a paused batch, or start a cancelled one again', status: 'RUNNING' },
    'retry-failed': { summary: 'Re-queue the failed rows as new attempts', status: 'RUNNING' },
  } as const;
  for (const [action, meta] of Object.entries(controls) as [keyof typeof controls, (typeof controls)[keyof typeof controls]][]) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/batches/{id}/${action}`,
        summary: `${meta.summary}. Role: operator or admin.`,
        security: [{ bearer: [] }],
        middleware: [requireRole('operate')] as const,
        request: { params: BatchIdParams },
        responses: { 202: json(AnyObject, 'accepted'), ...problemResponses(401, 403, 404, 409, 429) },
      }),
      async (c) => {
        const id = batchId(c.req.valid('param').id);
        const actor = c.get('caller').name;
        if (action === 'retry-failed') {
          const { requeued } = await services.batches.retryFailed(id, actor);
          return c.json({ batchId: id, requeued }, 202);
        }
        await services.batches[action](id, actor);
        return c.json({ batchId: id, status: meta.status }, 202);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/batches/{id}/report',
      summary: 'Every row with its final status, chosen entities, error type and message',
      description: 'CSV cells starting with = + - @ are prefixed with an apostrophe so a spreadsheet shows them as text.',
      security: [{ bearer: [] }],
      request: { params: BatchIdParams, query: z.strictObject({ format: z.enum(['csv', 'json']).default('json').optional() }) },
      responses: {
        200: { description: 'the report', content: { 'application/json': { schema: AnyObject }, 'text/csv': { schema: z.string() } } },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const id = batchId(c.req.valid('param').id);
      await services.batches.status(id); // 404 before the stream starts
      const format = c.req.valid('query').format ?? 'json';
      if (format === 'csv') {
        c.header('content-type', 'text/csv; charset=utf-8');
        c.header('content-disposition', `attachment; filename="batch-${id}-report.csv"`);
      } else {
        c.header('content-type', 'application/json; charset=utf-8');
      }
      return stream(c, async (s) => {
        if (format === 'csv') {
          await s.write(`${REPORT_COLUMNS.join(',')}\r\n`);
          for await (const page of services.batchViews.report(id)) await s.write(page.map(reportCsvLine).join(''));
        } else {
          await s.write(`{"batchId":${JSON.stringify(id)},"rows":[`);
          let first = true;
          for await (const page of services.batchViews.report(id)) {
            for (const row of page) {
              await s.write(`${first ? '' : ','}${JSON.stringify(row)}`);
              first = false;
            }
          }
          await s.write(']}');
        }
      }) as never;
    },
  );

  return app;
}
