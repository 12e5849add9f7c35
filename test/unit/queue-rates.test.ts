import type { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createQueueRateReader } from '../../src/temporal/queue-rates';

function reader(read: (q: string) => Promise<number | null>, fallback: number | null = 1) {
  let t = 0;
  const rateFor = createQueueRateReader({
    connection: {} as Connection,
    namespace: 'default',
    queueFor: (host) => `scrape-${host}`,
    fallback,
    ttlMs: 10_000,
    now: () => t,
    read,
  });
  return { rateFor, advance: (ms: number) => (t += ms) };
}

describe('createQueueRateReader', () => {
  it('when asked twice within the ttl, then the server is read once, for the host’s own queue', async () => {
    const reads: string[] = [];
    const { rateFor, advance } = reader(async (q) => {
      reads.push(q);
      return 3;
    });
    expect(await rateFor('a')).toBe(3);
    advance(9_000);
    expect(await rateFor('a')).toBe(3);
    expect(reads).toEqual(['scrape-a']);
    advance(2_000);
    await rateFor('a');
    expect(reads).toEqual(['scrape-a', 'scrape-a']);
  });

  it('when an operator changes the limit, then the new value is used once the ttl has passed', async () => {
    let limit = 1;
    const { rateFor, advance } = reader(async () => limit);
    expect(await rateFor('a')).toBe(1);
    limit = 0.5;
    advance(10_001);
    expect(await rateFor('a')).toBe(0.5);
  });

  it('when the first read fails, then the configured fallback is used; a later failure keeps the last value read', async () => {
    let fail = true;
    const { rateFor, advance } = reader(async () => {
      if (fail) throw new Error('unavailable');
      return 4;
    }, 2);
    expect(await rateFor('a')).toBe(2);
    fail = false;
    advance(1_001);
    expect(await rateFor('a')).toBe(4);
    fail = true;
    advance(10_001);
    expect(await rateFor('a')).toBe(4);
  });

  it('when the queue has no limit, then no rate is reported (the pacer leaves it alone)', async () => {
    const { rateFor } = reader(async () => null);
    expect(await rateFor('a')).toBeNull();
  });

  it('when many requests ask at once, then one read serves them all', async () => {
    let reads = 0;
    const { rateFor } = reader(async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 10));
      return 1;
    });
    expect(await Promise.all([rateFor('a'), rateFor('a'), rateFor('a')])).toEqual([1, 1, 1]);
    expect(reads).toBe(1);
  });
});
