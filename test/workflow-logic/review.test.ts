/**
 * A row waiting for a human: the decision by update (answered once the decision is stored) and by signal (what
 * `temporal workflow signal --query` sends), and the refusal rules — not in review, already
 * decided, an invalid decision — for both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowErrorType, type ReviewDecision } from '../../src/shared';
import { reviewSignal, reviewUpdate, rowStatusQuery } from '../../src/workflows/messages';
import { eventually, openTier, withStack, within, type Stack, type Tier } from './support/tier';

let tier: Tier;
beforeAll(async () => {
  tier = await openTier();
});
afterAll(async () => {
  await tier?.close();
});

const inReview = (s: Stack, line: number) =>
  eventually(() => s.row(line).query(rowStatusQuery), (st) => st === 'PENDING_REVIEW', `row ${line} in review`);

/** The update's refusal: its type and message, or null when it was accepted. */
async function refusalOf(s: Stack, line: number, d: unknown): Promise<{ type: string | undefined; message: string } | null> {
  try {
    await s.row(line).executeUpdate(reviewUpdate, { args: [d as ReviewDecision] });
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return { type: (cause as ApplicationFailure).type ?? undefined, message: (cause as ApplicationFailure).message };
  }
}

/** Update ids the row's history accepted (a refused update leaves none). */
async function acceptedUpdates(s: Stack, line: number): Promise<number> {
  const history = await s.row(line).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('when a reviewer decides by update', () => {
  it('then an approval answers PERSISTING at once and the row is imported with the decision', async () => {
    await withStack(tier, { rows: 1, script: () => ({ review: true }) }, async (s) => {
      const handle = await s.startRow(2);
      await inReview(s, 2);
      const decision: ReviewDecision = { decision: 'approve', reviewer: 'meera', overrides: { ragaIds: ['hanumatodi'] } };
      expect(await handle.executeUpdate(reviewUpdate, { args: [decision] })).toEqual({ status: 'PERSISTING' });
      expect(await within(handle.result(), 10_000, 'the row to finish')).toMatchObject({ status: 'IMPORTED' });
      expect(s.rowOf(2).decision).toEqual(decision);
      expect(s.rowOf(2).persists).toBe(1);
    });
  });

  it('then a rejection answers REJECTED and nothing is persisted', async () => {
    await withStack(tier, { rows: 1, script: () => ({ review: true }) }, async (s) => {
      const handle = await s.startRow(2);
      await inReview(s, 2);
      expect(await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reject', reviewer: 'meera' }] })).toEqual({
        status: 'REJECTED',
      });
      expect(await within(handle.result(), 10_000, 'the row to finish')).toMatchObject({ status: 'REJECTED' });
      expect(s.rowOf(2).persists).toBe(0);
    });
  });

  it('then, when persist sends the approved row back to review, the row waits again and takes a new decision', async () => {
    const script = () => ({ review: true, persistNeedsReview: "raga 'xyz' does not exist" });
    await withStack(tier, { rows: 1, script }, async (s) => {
      const handle = await s.startRow(2);
      await inReview(s, 2);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'approve', reviewer: 'meera', overrides: { ragaIds: ['xyz'] } }] });
      await s.store.until(() => s.rowOf(2).persists === 1 && s.rowOf(2).status === 'PENDING_REVIEW', 'back in review');
      await inReview(s, 2);
      // Not ALREADY_DECIDED: the bounced decision was let go.
      expect(await refusalOf(s, 2, { decision: 'approve', reviewer: 'meera', overrides: { ragaIds: ['hanumatodi'] } })).toBeNull();
      expect(await within(handle.result(), 10_000, 'the row to finish')).toMatchObject({ status: 'IMPORTED' });
    });
  });
});

describe('when a review update breaks a rule', () => {
  it('then one sent before the row is in review is refused NOT_AWAITING_REVIEW', async () => {
    await withStack(tier, { rows: 1, script: () => ({ scrape: 'hold', review: true }) }, async (s) => {
      await s.startRow(2);
      await s.store.until(() => s.rowOf(2).status === 'SCRAPING', 'row scraping');
      const refusal = await refusalOf(s, 2, { decision: 'approve', reviewer: 'meera' });
      expect(refusal).toEqual({ type: WorkflowErrorType.NOT_AWAITING_REVIEW, message: 'row is SCRAPING, not awaiting review' });
      expect(await acceptedUpdates(s, 2)).toBe(0);
    });
  });

  it('then invalid decisions are refused INVALID_DECISION, leave no trace in history, and the row keeps waiting', async () => {
    await withStack(tier, { rows: 1, script: () => ({ review: true }) }, async (s) => {
      const handle = await s.startRow(2);
      await inReview(s, 2);
      const cases: [unknown, string][] = [
        [{ decision: 'approve', reviewer: '' }, 'reviewer name missing'],
        [{ decision: 'maybe', reviewer: 'meera' }, 'decision must be approve or reject'],
        [{ decision: 'reject', reviewer: 'meera', overrides: { title: 'x' } }, 'a rejection takes no overrides'],
        [{ decision: 'approve', reviewer: 'meera', overrides: { ragaIds: [] } }, 'ragaIds must be a non-empty list'],
      ];
      for (const [d, message] of cases) expect(await refusalOf(s, 2, d)).toEqual({ type: WorkflowErrorType.INVALID_DECISION, message });
      expect(await acceptedUpdates(s, 2)).toBe(0);
      expect(await handle.query(rowStatusQuery)).toBe('PENDING_REVIEW');
      expect(s.rowOf(2).decision).toBeNull();
    });
  });

  it('then a second decision while the first is being written is refused ALREADY_DECIDED, naming the first', async () => {
    await withStack(tier, { rows: 1, script: () => ({ review: true, holdDecision: true }) }, async (s) => {
      // The decision's write (recordDecision) is held: the row is still PENDING_REVIEW meanwhile,
      // and the first update, accepted, is answered only once its decision is stored.
      const handle = await s.startRow(2);
      await inReview(s, 2);
      const first = await handle.startUpdate(reviewUpdate, {
        args: [{ decision: 'reject', reviewer: 'meera' }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      let answered = false;
      const answer = first.result().finally(() => (answered = true));
      const refusal = await refusalOf(s, 2, { decision: 'approve', reviewer: 'ravi' });
      expect(refusal).toEqual({ type: WorkflowErrorType.ALREADY_DECIDED, message: 'row was already decided (reject by meera)' });
      expect(answered).toBe(false);
      s.store.releaseDecision(s.batchId, 2);
      expect(await within(answer, 10_000, 'the first decision answered')).toEqual({ status: 'REJECTED' });
      expect(await within(handle.result(), 10_000, 'the row to finish')).toMatchObject({ status: 'REJECTED' });
      expect(s.rowOf(2).decision).toMatchObject({ reviewer: 'meera' });
    });
  });
});

describe('when a reviewer decides by signal', () => {
  it('then a valid decision is applied', async () => {
    await withStack(tier, { rows: 1, script: () => ({ review: true }) }, async (s) => {
      const handle = await s.startRow(2);
      await inReview(s, 2);
      await handle.signal(reviewSignal, { decision: 'approve', reviewer: 'ops', overrides: { ragaIds: ['mechakalyani'] } });
      expect(await within(handle.result(), 10_000, 'the row to finish')).toMatchObject({ status: 'IMPORTED' });
      expect(s.rowOf(2).decision).toMatchObject({ reviewer: 'ops' });
    });
  });

  it('then a refused one goes to the audit trail with its reason, the row keeps waiting, and a later valid one applies', async () => {
    await withStack(tier, { rows: 1, script: () => ({ review: true }) }, async (s) => {
      const handle = await s.startRow(2);
      await inReview(s, 2);
      await handle.signal(reviewSignal, { decision: 'approve', reviewer: '' });
      const refused = await s.store.until(
        () => s.store.audits.find((a) => a.rowId === s.rowOf(2).rowId && a.type === 'REVIEW_SIGNAL_REFUSED'),
        'the refusal audited',
      );
      expect(refused.data).toMatchObject({ reason: 'reviewer name missing' });
      expect(await handle.query(rowStatusQuery)).toBe('PENDING_REVIEW');
      await handle.signal(reviewSignal, { decision: 'reject', reviewer: 'ops' });
      expect(await within(handle.result(), 10_000, 'the row to finish')).toMatchObject({ status: 'REJECTED' });
    });
  });

  it('then a signal sent before the row is in review is refused and audited, not kept for later', async () => {
    await withStack(tier, { rows: 1, script: () => ({ scrape: 'hold', review: true }) }, async (s) => {
      const handle = await s.startRow(2);
      await s.store.until(() => s.rowOf(2).status === 'SCRAPING', 'row scraping');
      await handle.signal(reviewSignal, { decision: 'approve', reviewer: 'ops' });
      const refused = await s.store.until(
        () => s.store.audits.find((a) => a.rowId === s.rowOf(2).rowId && a.type === 'REVIEW_SIGNAL_REFUSED'),
        'the refusal audited',
      );
      expect(refused.data).toMatchObject({ reason: 'row is SCRAPING, not awaiting review' });
      s.store.release(s.batchId, 2);
      await inReview(s, 2);
      expect(s.rowOf(2).decision).toBeNull();
    });
  });
});
