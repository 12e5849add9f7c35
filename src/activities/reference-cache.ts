/**
 * One matcher per worker process, built from the shipped reference plus what reviewers taught the
 * database. Rebuilt only when the learned part changed (checked at most every `checkEveryMs`).
 */
import type { Sql } from '../db/client';
import { learnedStamp, loadLearned } from '../db/reference';
import { createMatcher, DEFAULT_THRESHOLDS, type Matcher, type Thresholds } from '../resolution/matcher';
import { loadShippedReference, mergeReference } from '../resolution/reference';

export interface ReferenceCache {
  matcher(): Promise<Matcher>;
  invalidate(): void;
}

export function createReferenceCache(
  sql: Sql,
  opts: { thresholds?: Partial<Thresholds>; checkEveryMs?: number; now?: () => number } = {},
): ReferenceCache {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...stripUndefined(opts.thresholds ?? {}) };
  const checkEveryMs = opts.checkEveryMs ?? 5_000;
  const now = opts.now ?? Date.now;
  let current: { matcher: Matcher; stamp: string } | undefined;
  let checkedAt = 0;
  let loading: Promise<Matcher> | undefined;

  const load = async (): Promise<Matcher> => {
    const learned = await loadLearned(sql);
    const ref = mergeReference(loadShippedReference(), learned.entries);
    current = { matcher: createMatcher(ref, thresholds), stamp: learned.stamp };
    checkedAt = now();
    return current.matcher;
  };

  return {
    async matcher() {
      if (current && now() - checkedAt < checkEveryMs) return current.matcher;
      loading ??= (async () => {
        try {
          if (current) {
            const stamp = await learnedStamp(sql);
            checkedAt = now();
            if (stamp === current.stamp) return current.matcher;
          }
          return await load();
        } finally {
          loading = undefined;
        }
      })();
      return loading;
    },
    invalidate() {
      checkedAt = 0;
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
