/**
 * The benchmark's CPU readings by thread: /proc's per-thread figures for a live process, and how a
 * worker's threads are told apart (main, workflow sandbox, Rust Core, the rest).
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { classifyWorkerThreads, procThreadsCpu } from '../../bench/cpu';

describe("when the benchmark reads a process's threads from /proc", () => {
  it('then it lists the main thread under the process id, and a busy worker thread shows its own CPU', async () => {
    // A worker thread that spins for ~300 ms of CPU, then waits to be read.
    const spin = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const end = Date.now() + 300; while (Date.now() < end) {}
       parentPort.postMessage('spun'); setInterval(() => {}, 1000);`,
      { eval: true },
    );
    try {
      await new Promise((r) => spin.once('message', r));
      const threads = procThreadsCpu(process.pid);
      expect(threads.find((t) => t.tid === process.pid)).toBeDefined();
      const others = threads.filter((t) => t.tid !== process.pid).sort((a, b) => b.seconds - a.seconds);
      // USER_HZ is 100: 300 ms of spinning reads as at least 0.2 s on the busiest other thread.
      expect(others[0]!.seconds).toBeGreaterThanOrEqual(0.2);
    } finally {
      await spin.terminate();
    }
  });

  it('then a process that is gone has no threads', () => {
    expect(procThreadsCpu(2 ** 22 + 1)).toEqual([]); // above Linux's largest pid
  });
});

describe("when a worker's threads are classified", () => {
  it("then the main thread, Core's named threads and the busiest other `node` thread are the JS main, Core and workflow parts", () => {
    const parts = classifyWorkerThreads(100, [
      { tid: 100, comm: 'node', seconds: 5 },
      { tid: 101, comm: 'node', seconds: 0.5 }, // a V8 platform thread
      { tid: 102, comm: 'tokio-runtime-w', seconds: 3 },
      { tid: 103, comm: 'tokio-runtime-w', seconds: 1 },
      { tid: 104, comm: 'node', seconds: 7 }, // the workflow sandbox's thread
      { tid: 105, comm: 'node', seconds: 0.25 }, // libuv's pool
      { tid: 106, comm: 'workflow-proces', seconds: 1.5 }, // Core's workflow state machines
      { tid: 107, comm: 'temporal-real-s', seconds: 0 },
    ]);
    expect(parts).toEqual({ main: 5, workflow: 7, core: 5.5, other: 0.75 });
  });

  it('then a worker with no other thread reports no workflow part', () => {
    expect(classifyWorkerThreads(7, [{ tid: 7, comm: 'node', seconds: 2 }])).toEqual({ main: 2, workflow: 0, core: 0, other: 0 });
  });
});
