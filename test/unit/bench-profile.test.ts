/**
 * Reading the workers' CPU profiles: samples are charged to the code that owns them, native frames
 * to the library that called them, idle time to nobody; profiles are named by thread.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownerOf, summariseProfile, summariseProfileDir, type CpuProfile } from '../../bench/profile';

const frame = (functionName: string, url = '') => ({ functionName, url });

// (root) ─ (idle) | (garbage collector) | postgres.js nextWrite ─ writeBuffer (native)
//        | our scrape ─ node:internal helper | Temporal worker handleActivation
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 6, 8] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('(garbage collector)') },
    { id: 4, callFrame: frame('nextWrite', 'file:///app/node_modules/postgres/cjs/src/connection.js'), children: [5] },
    { id: 5, callFrame: frame('writeBuffer') },
    { id: 6, callFrame: frame('scrapePage', 'file:///app/src/activities/scrape.ts'), children: [7] },
    { id: 7, callFrame: frame('decode', 'node:internal/encoding') },
    { id: 8, callFrame: frame('handleActivation', 'file:///app/node_modules/@temporalio/worker/lib/worker.js') },
  ],
  // One sample each, in this order; the time spent in sample i is timeDeltas[i + 1] (µs).
  samples: [2, 3, 5, 7, 8, 2],
  timeDeltas: [0, 4_000_000, 1_000_000, 2_000_000, 3_000_000, 4_000_000],
};

describe("when a worker's CPU profile is summarised", () => {
  it('then idle time is left out and each busy sample is charged to the nearest frame that names its owner', () => {
    const s = summariseProfile(profile);
    expect(s.busySeconds).toBe(10); // 1 + 2 + 3 + 4; the idle 4 s are not busy
    expect(Object.fromEntries(s.shares)).toEqual({
      'V8 garbage collector': 0.1,
      'postgres.js': 0.2, // its native socket write counts as its own
      'our code (src/)': 0.3, // a Node internal called from our code counts as ours
      'Temporal SDK': 0.4,
    });
    expect(s.shares[0]![0]).toBe('Temporal SDK'); // largest first
  });

  it('then frames are owned by where their code lives', () => {
    expect(ownerOf(frame('f', 'file:///w/node_modules/.cache/krithi-import/workflow-bundle-1.js'))).toMatch(/^workflow bundle/);
    expect(ownerOf(frame('f', 'evalmachine.<anonymous>'))).toMatch(/^workflow bundle/);
    expect(ownerOf(frame('f', 'file:///w/node_modules/parse5/dist/index.js'))).toBe('cheerio (HTML parsing)');
    expect(ownerOf(frame('f', 'file:///w/node_modules/undici/lib/fetch.js'))).toBe('undici (HTTP)');
    expect(ownerOf(frame('f', 'file:///w/node_modules/rxjs/dist/cjs/index.js'))).toBe('Temporal SDK');
    expect(ownerOf(frame('f', 'file:///w/node_modules/zod/index.js'))).toBe('other libraries');
    expect(ownerOf(frame('f', 'node:internal/streams/writable'))).toBeUndefined();
    expect(ownerOf(frame('writeBuffer'))).toBeUndefined();
  });

  it('then the profiles of a directory are named main, workflow (the busiest other thread) and the rest by thread id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krithi-cpuprof-'));
    try {
      const busy = (seconds: number): CpuProfile => ({
        nodes: [{ id: 1, callFrame: frame('(root)'), children: [2] }, { id: 2, callFrame: frame('(program)') }],
        samples: [2, 2],
        timeDeltas: [0, seconds * 1e6],
      });
      writeFileSync(join(dir, 'CPU.20261206.040020.12759.0.001.cpuprofile'), JSON.stringify(busy(30)));
      writeFileSync(join(dir, 'CPU.20261206.040020.12759.1.002.cpuprofile'), JSON.stringify(busy(1)));
      writeFileSync(join(dir, 'CPU.20261206.040022.12759.2.003.cpuprofile'), JSON.stringify(busy(20)));
      writeFileSync(join(dir, 'notes.txt'), 'not a profile');
      const threads = summariseProfileDir(dir).map((x) => [x.thread, x.busySeconds, x.shares]);
      expect(threads).toEqual([
        ['main', 30, { 'V8 (program)': 100 }],
        ['thread 1', 1, { 'V8 (program)': 100 }],
        ['workflow', 20, { 'V8 (program)': 100 }],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
