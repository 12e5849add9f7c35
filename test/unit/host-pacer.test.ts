import { describe, expect, it } from 'vitest';
import { createHostPacer, PACING_MARGIN, withHostPacing } from '../../src/scraping/host-pacer';
import type { FetchedPage } from '../../src/scraping/fetcher';

/** A clock that only moves when the pacer sleeps, so send times are exact. */
function fakeClock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('createHostPacer', () => {
  it('when requests to one host come together, then they leave 1/rate apart (with the margin)', async () => {
    const clock = fakeClock();
    const pacer = createHostPacer({ rateFor: () => 2, now: clock.now, sleep: clock.sleep });
    const sent: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pacer.acquire('guru-guha.blogspot.com');
      sent.push(clock.now());
    }
    const gap = 500 * PACING_MARGIN;
    expect(sent.map((t) => t - sent[0]!)).toEqual([0, gap, 2 * gap, 3 * gap]);
  });

  it('when concurrent callers wait, then they are released one at a time, each a full interval after the last', async () => {
    const clock = fakeClock();
    const pacer = createHostPacer({ rateFor: () => 1, now: clock.now, sleep: clock.sleep });
    const start = clock.now();
    await Promise.all([0, 1, 2].map(() => pacer.acquire('a')));
    const gap = 1000 * PACING_MARGIN;
    // The clock moves only in the pacer's sleeps: two full gaps, one after the other.
    expect(clock.sleeps).toEqual([gap, gap]);
    expect(clock.now() - start).toBe(2 * gap);
  });

  it('when a wake-up comes late, then the next gap is measured from the actual release, not shortened', async () => {
    const clock = fakeClock();
    let late = 300;
    const pacer = createHostPacer({
      rateFor: () => 1,
      now: clock.now,
      sleep: async (ms) => {
        clock.advance(ms + late); // the event loop was busy
        late = 0;
      },
    });
    const released: number[] = [];
    for (let i = 0; i < 3; i++) {
      await pacer.acquire('a');
      released.push(clock.now());
    }
    const gap = 1000 * PACING_MARGIN;
    expect(released[1]! - released[0]!).toBe(gap + 300);
    expect(released[2]! - released[1]!).toBe(gap);
  });

  it('when hosts differ, then they are paced independently', async () => {
    const clock = fakeClock();
    const pacer = createHostPacer({ rateFor: () => 1, now: clock.now, sleep: clock.sleep });
    await pacer.acquire('a');
    await pacer.acquire('b');
    expect(clock.sleeps).toEqual([]);
    await pacer.acquire('a');
    expect(clock.sleeps).toEqual([1000 * PACING_MARGIN]);
  });

  it('when requests are already slower than the rate, then none waits', async () => {
    const clock = fakeClock();
    const pacer = createHostPacer({ rateFor: () => 1, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 3; i++) {
      await pacer.acquire('a');
      clock.advance(1500);
    }
    expect(clock.sleeps).toEqual([]);
  });

  it('when the host has no rate, then nothing is paced', async () => {
    const clock = fakeClock();
    const pacer = createHostPacer({ rateFor: () => null, now: clock.now, sleep: clock.sleep });
    await pacer.acquire('a');
    await pacer.acquire('a');
    expect(clock.sleeps).toEqual([]);
  });

  it('when a waiting request is cancelled, then it rejects and takes no slot from the next', async () => {
    const clock = fakeClock();
    const pacer = createHostPacer({ rateFor: () => 1, now: clock.now, sleep: clock.sleep });
    await pacer.acquire('a');
    const ctl = new AbortController();
    ctl.abort(new Error('cancelled'));
    await expect(pacer.acquire('a', ctl.signal)).rejects.toThrow('cancelled');
    await pacer.acquire('a');
    expect(clock.sleeps).toEqual([1000 * PACING_MARGIN]);
  });

  it('when the real sleep is used, then a cancelled wait rejects at once', async () => {
    const pacer = createHostPacer({ rateFor: () => 0.01 });
    await pacer.acquire('a');
    const ctl = new AbortController();
    const waiting = pacer.acquire('a', ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('withHostPacing', () => {
  it('when a fetcher is wrapped, then each page request acquires a slot for its URL’s host first, and robots.txt none', async () => {
    const hosts: string[] = [];
    const fetcher = withHostPacing(async (url) => ({ url }) as unknown as FetchedPage, {
      acquire: async (host) => {
        hosts.push(host);
      },
    });
    await fetcher('https://Guru-Guha.blogspot.com/2024/x.html');
    await fetcher('https://guru-guha.blogspot.com/robots.txt', { purpose: 'robots' });
    await fetcher('https://guru-guha.blogspot.com/2024/y.html', { purpose: 'page' });
    expect(hosts).toEqual(['guru-guha.blogspot.com', 'guru-guha.blogspot.com']);
  });
});
