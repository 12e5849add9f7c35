/**
 * The alerting rules in ops/prometheus: valid for Prometheus (`promtool check rules`), behaving as
 * their unit tests say (`promtool test rules`), and naming only metrics this code exports.
 * promtool comes from Debian's `prometheus` package, installed by scripts/bootstrap.sh.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db/client';
import { createMetrics, registerReviewQueueGauges } from '../../src/observability/metrics';

const dir = fileURLToPath(new URL('../../ops/prometheus/', import.meta.url));

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is not installed (run scripts/bootstrap.sh): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('when the alerting rules are checked', () => {
  it('then promtool finds them valid', () => {
    const r = promtool('check', 'rules', 'rules.yml');
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('then their unit tests pass (each alert fires on a breach and stays quiet otherwise)', () => {
    const r = promtool('test', 'rules', 'rules.test.yml');
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('then every krithi_ metric they use is exported by the code', async () => {
    const rules = readFileSync(`${dir}rules.yml`, 'utf8');
    const used = new Set(
      [...rules.matchAll(/(?<![:\w])krithi_[a-z0-9_]*[a-z0-9]\b/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')),
    );
    const metrics = createMetrics();
    const sql = (() => Promise.resolve([{ depth: 0, oldest: 0, overdue: 0 }])) as unknown as Sql;
    registerReviewQueueGauges(metrics, sql);
    const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(exported, `${name} is used in rules.yml`).toContain(name);
  });
});

describe('when promtool is asked for its version', () => {
  it('then it is the Prometheus 2 line the rules are written for', () => {
    const version = execFileSync('promtool', ['--version'], { encoding: 'utf8' });
    expect(version).toMatch(/promtool, version 2\./);
  });
});
