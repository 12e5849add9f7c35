/**
 * Stub activities for the workflow tier: the same names and signatures as the real factories
 * (typed against their return types, so a changed signature fails to compile here), acting on a
 * RowStore instead of PostgreSQL and the source sites. They keep the contracts the workflows rely
 * on — conditional status writes, SKIPPED when a row left PERSISTING, the cancel activity reaching
 * every unfinished row's workflow — and nothing more, so the tests check workflow logic only.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { createMainActivities, createScrapeActivities } from '../../../src/activities/index';
import { STARTABLE } from '../../../src/db/rows';
import { rowWorkflowId, isTerminal, type ReviewDecision } from '../../../src/shared';
import type { PersistOutcome } from '../../../src/activities/rows';
import type { RowStore } from './row-store';

export type MainActivities = ReturnType<typeof createMainActivities>;
export type ScrapeActivities = ReturnType<typeof createScrapeActivities>;

export function stubMainActivities(store: RowStore, client: () => Client): MainActivities {
  const persistRow = (rowId: string): PersistOutcome => {
    const row = store.get(rowId);
    if (row.status === 'IMPORTED') return { outcome: 'IMPORTED', krithiId: `k-${rowId}` };
    if (row.status !== 'PERSISTING') return { outcome: 'SKIPPED', status: row.status };
    row.persists += 1;
    if (row.script.persistNeedsReview && row.persists === 1)
      return { outcome: 'NEEDS_REVIEW', errorType: 'INVALID_OVERRIDE', reason: row.script.persistNeedsReview };
    store.setStatus(rowId, 'IMPORTED', { errorType: null });
    return { outcome: 'IMPORTED', krithiId: `k-${rowId}` };
  };
  return {
    async loadRow({ rowId }) {
      const row = store.get(rowId);
      row.loads += 1;
      store.notify();
      return { status: row.status, attempt: row.attempt };
    },

    async setRowStatus({ rowId, to, errorType, decision }) {
      return store.setStatus(rowId, to, { errorType: errorType ?? null, decision: decision ?? null });
    },

    async recordDecision({ rowId, decision }) {
      if (store.get(rowId).script.holdDecision) await store.decisionGate(rowId);
      const row = store.get(rowId);
      // Only from PENDING_REVIEW: a retried call, or a row that has moved on, changes nothing.
      if (row.status !== 'PENDING_REVIEW') return { changed: false, status: row.status };
      return store.setStatus(rowId, decision.decision === 'approve' ? 'PERSISTING' : 'REJECTED', { decision });
    },

    async resolveRow({ rowId, enter, decide }) {
      if (enter) {
        const entered = store.setStatus(rowId, 'RESOLVING');
        if (entered.status !== 'RESOLVING')
          return { autoApprove: false, decidable: false, confidence: 'LOW', composer: null, reasons: [], status: entered.status };
      }
      const { script } = store.get(rowId);
      const decidable = script.decidable ?? true;
      const outcome = {
        autoApprove: !script.review,
        decidable,
        confidence: script.review ? ('LOW' as const) : ('HIGH' as const),
        composer: 'Muttusvāmi Dīkṣitar',
        reasons: script.review ? ['raga not recognised'] : [],
        missing: decidable ? [] : (['raga'] as ['raga']),
      };
      if (!decide) return outcome;
      // The step after resolving, as the real activity takes it: persist at once, policy, or review.
      let to: 'PERSISTING' | 'REJECTED' | 'PENDING_REVIEW' = 'PENDING_REVIEW';
      let decision: ReviewDecision | null = null;
      if (outcome.autoApprove) to = 'PERSISTING';
      else if (decide.reviewPolicy === 'auto') {
        decision = { decision: decidable ? 'approve' : 'reject', reviewer: 'auto-policy' };
        to = decidable ? 'PERSISTING' : 'REJECTED';
      }
      const moved = store.setStatus(rowId, to, { decision });
      if (moved.status !== 'PERSISTING') return { ...outcome, settled: { status: moved.status, reasons: outcome.reasons } };
      const persisted = persistRow(rowId);
      if (persisted.outcome === 'IMPORTED') return { ...outcome, settled: { status: 'IMPORTED' } };
      if (persisted.outcome === 'SKIPPED') return { ...outcome, settled: { status: persisted.status } };
      const back = store.setStatus(rowId, 'PENDING_REVIEW', { errorType: persisted.errorType });
      return { ...outcome, settled: { status: back.status, errorType: persisted.errorType, errorMessage: persisted.reason, reasons: [persisted.reason] } };
    },

    async persistKrithi({ rowId }) {
      return persistRow(rowId);
    },

    async cancelRow({ rowId, attempt }) {
      const row = store.get(rowId);
      if (isTerminal(row.status) || (attempt !== undefined && attempt !== row.attempt)) return { changed: false, status: row.status };
      return store.setStatus(rowId, 'CANCELLED');
    },

    async recordAudit({ type, rowId, data }) {
      store.audits.push({ type, rowId, data });
      store.notify();
    },

    async nextRows({ batchId, afterLine, limit, includeWaiting = true }) {
      return store
        .batchRows(batchId)
        .filter((r) => r.line > afterLine && !isTerminal(r.status) && (includeWaiting || r.status !== 'PENDING_REVIEW'))
        .slice(0, limit)
        .map((r) => ({ rowId: r.rowId, line: r.line, site: r.site, status: r.status, title: `song ${r.line}`, raga: 'tODi' }));
    },

    async batchCounts({ batchId }) {
      await store.countsGate(batchId);
      return store.counts(batchId);
    },

    async activeLines({ batchId, lines }) {
      return store
        .batchRows(batchId)
        .filter((r) => lines.includes(r.line) && !isTerminal(r.status) && r.status !== 'PENDING_REVIEW')
        .map((r) => r.line);
    },

    /** Of the rows the batch counts in flight, those still active whose workflow still runs. */
    async reconcileInFlight({ batchId, lines }) {
      const active: number[] = [];
      let closed = 0;
      for (const r of store.batchRows(batchId).filter((x) => lines.includes(x.line) && STARTABLE.includes(x.status))) {
        let ended: string | null;
        try {
          const d = await client().workflow.getHandle(rowWorkflowId(batchId, r.line)).describe();
          ended = d.status.name === 'RUNNING' ? null : d.status.name;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          ended = 'NOT_FOUND';
        }
        if (ended === null) {
          active.push(r.line);
          continue;
        }
        closed += 1;
        if (r.status !== 'QUEUED') store.setStatus(r.rowId, 'FAILED', { errorType: `WORKFLOW_${ended}` });
      }
      return { active, closed };
    },

    async cancelBatchRows({ batchId }) {
      store.batches.set(batchId, 'CANCELLING');
      let cancelled = 0;
      for (const r of store.batchRows(batchId).filter((x) => !isTerminal(x.status))) {
        try {
          await client().workflow.getHandle(rowWorkflowId(batchId, r.line)).cancel();
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
        if (store.setStatus(r.rowId, 'CANCELLED').changed) cancelled += 1;
        Context.current().heartbeat({ afterId: r.line });
      }
      store.batches.set(batchId, 'CANCELLED');
      await store.cancelEndGate(batchId);
      return { cancelled };
    },

    async requeueFailed({ batchId }) {
      const status = store.batches.get(batchId);
      if (status === 'CANCELLED' || status === 'CANCELLING') return { requeued: 0 };
      const requeued = store.requeueFailed(batchId);
      if (requeued > 0 && status === 'COMPLETED') store.batches.set(batchId, 'RUNNING');
      return { requeued };
    },

    async completeBatch({ batchId, onlyIfFinished = false }) {
      const status = store.batches.get(batchId);
      const finished = store.counts(batchId).unfinished === 0;
      if ((status === 'RUNNING' || status === 'PAUSED') && (finished || !onlyIfFinished)) store.batches.set(batchId, 'COMPLETED');
      const rows = store.batchRows(batchId);
      return {
        batchId,
        status: store.batches.get(batchId)!,
        totalRecords: rows.length,
        invalidRows: 0,
        duplicates: 0,
        counts: store.counts(batchId).byStatus,
      };
    },
  };
}

/** The scrape: heartbeats while it works, so a cancellation reaches it as it does the real one. */
export function stubScrapeActivities(store: RowStore, opts: { delayMs?: number } = {}): ScrapeActivities {
  return {
    async scrapePage({ rowId }) {
      const ctx = Context.current();
      const row = store.get(rowId);
      const beat = setInterval(() => ctx.heartbeat(), 50);
      const cancelled = new Promise<never>((_, reject) => {
        const abort = () => reject(ctx.cancellationSignal.reason ?? new Error('cancelled'));
        if (ctx.cancellationSignal.aborted) abort();
        else ctx.cancellationSignal.addEventListener('abort', abort, { once: true });
      });
      cancelled.catch(() => undefined);
      try {
        if (row.script.scrape === 'hold') await Promise.race([store.scrapeGate(rowId), cancelled]);
        else if (opts.delayMs) await Promise.race([new Promise((r) => setTimeout(r, opts.delayMs)), cancelled]);
      } finally {
        clearInterval(beat);
      }
      const s = row.script.scrape;
      if (s && typeof s === 'object')
        throw ApplicationFailure.create({ type: s.fail, message: `${s.fail} for row ${row.line}`, nonRetryable: s.nonRetryable ?? true });
      return { title: `song ${row.line}`, ragas: 1, sections: 3, tala: true };
    },
  };
}
