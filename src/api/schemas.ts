/**
 * The zod schemas that validate requests (and document them in /openapi.json), and the hook that
 * turns a validation failure into a 400 problem naming each bad field.
 */
import { z } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import { ROW_STATUSES } from '../shared';
import { BatchCursor, RowCursor, decodeCursor } from '../services/cursor';
import { Problem } from './problems';
import { hasControlCharacters } from '../shared';

/**
 * Text PostgreSQL can store and a reader can trust: no NUL (PostgreSQL refuses it in text and
 * jsonb) and no other control character but tab and line breaks; well-formed Unicode.
 */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters')
    .refine((s) => !hasControlCharacters(s, { lines: true }), 'must not contain control characters')
    .refine((s) => !LONE_SURROGATE.test(s), 'must be well-formed Unicode (a lone surrogate was sent)');

/** A one-line label (a batch name): no control characters at all, line breaks included. */
export const label = (max: number) => text(max).refine((s) => !hasControlCharacters(s), 'must be one line without control characters');

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
  })
  .openapi('Problem');

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: `problem (RFC 9457)`, content: { 'application/problem+json': { schema: ProblemSchema } } },
    ]),
  );

export const BatchIdParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'abcdefgh2345' }) });
export const RowIdParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'x7k2m4q9abcd:23', description: 'the row: <batchId>:<line> (or its numeric id)' }) });

export const limitParam = (def: number, max: number) => z.coerce.number().int().min(1).max(max).default(def);

export const batchCursorParam = z
  .string()
  .transform((s, ctx) => {
    const v = decodeCursor(s, BatchCursor);
    if (!v) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this API issued' });
      return z.NEVER;
    }
    return v;
  })
  .openapi({ type: 'string', description: 'nextCursor from the previous page' });

export const rowCursorParam = z
  .string()
  .transform((s, ctx) => {
    const v = decodeCursor(s, RowCursor);
    if (!v) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this API issued' });
      return z.NEVER;
    }
    return v[0];
  })
  .openapi({ type: 'string', description: 'nextCursor from the previous page' });

export const RowStatusSchema = z.enum(ROW_STATUSES);
export const ConfidenceSchema = z.enum(['HIGH', 'MEDIUM', 'LOW']);
export const EntityIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'an entity id: lowercase letters, digits, -');

export const OverridesSchema = z
  .strictObject({
    composerId: EntityIdSchema.optional(),
    ragaIds: z.array(EntityIdSchema).min(1).max(20).optional(),
    talaId: EntityIdSchema.nullable().optional(),
    title: text(500).min(1).optional(),
    newRaga: z
      .strictObject({
        id: EntityIdSchema.optional(),
        name: text(100).min(1),
        parent: z.string().min(1).max(120),
        arohanam: text(300).min(1),
        avarohanam: text(300).min(1),
        anyaSvaras: z.array(z.string().max(3)).max(16).optional(),
      })
      .optional()
      .openapi({ description: 'a raga the reference lacks, added with this approval; the note is its source (ragaIds defaults to it)' }),
  })
  .openapi('ReviewOverrides');

export const ReviewBodySchema = z
  .strictObject({
    decision: z.enum(['approve', 'reject']),
    overrides: OverridesSchema.optional(),
    note: text(2000).optional(),
  })
  .openapi('ReviewRequest');

export const BulkReviewBodySchema = z
  .strictObject({
    decision: z.enum(['approve', 'reject']),
    ids: z.array(z.string().regex(/^\d{1,18}$/, 'a row id')).min(1).optional(),
    filter: z
      .strictObject({
        batchId: z.string().regex(/^[a-z2-7]{1,40}$/, 'a batch id'),
        status: z.literal('PENDING_REVIEW').default('PENDING_REVIEW'),
        minConfidence: ConfidenceSchema.optional(),
      })
      .optional(),
    note: text(2000).optional(),
  })
  .refine((b) => (b.ids ? 1 : 0) + (b.filter ? 1 : 0) === 1, 'give either ids or filter, not both')
  .openapi('BulkReviewRequest');

export const NewEntitySchema = z
  .strictObject({
    id: EntityIdSchema.optional(),
    name: text(200).min(1).refine((s) => s.trim().length > 0, 'must not be blank'),
    aliases: z.array(text(200).min(1)).max(50).optional(),
  })
  .openapi('NewEntity');

export const NewAliasSchema = z.strictObject({ alias: text(200).min(1).refine((s) => s.trim().length > 0, 'must not be blank') });

/** Validation failures become a 400 problem listing every issue. */
export const validationHook: Hook<unknown, never, string, unknown> = (result) => {
  if (result.success) return;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new Problem(
    400,
    `invalid ${result.target}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`.slice(0, 1000),
    { errors: issues },
  );
};
