/**
 * The note a fixture-site stack leaves for `submit`, and the site's answer to "which of these pages
 * do you have": the demo's site has only the demo manifest's pages, so another real manifest's rows
 * are counted as missing (they would all fail 404) — the case issue 14 hit with 668 of 687 rows.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askServed, readFixtureMarker, writeFixtureMarker } from '../../src/fixture-site/marker';
import { startFixtureSite, type FixtureSite } from '../../src/fixture-site/server';
import { parseManifestAll } from '../../src/manifest/parse';

const MANIFESTS = join(__dirname, '../../data/manifests');
let site: FixtureSite;

beforeAll(async () => {
  site = await startFixtureSite({ port: 0 });
});
afterAll(async () => {
  await site.close();
});

const recordUrls = async (file: string) =>
  (await parseManifestAll(readFileSync(join(MANIFESTS, file)))).entries.flatMap((e) => (e.kind === 'record' ? [e.normalizedUrl] : []));

describe('when a stack runs with the offline fixture site', () => {
  it('then its note names the site while the process lives, and a dead process note is ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'marker-'));
    const remove = writeFixtureMarker(dir, { temporalAddress: '127.0.0.1:7233', baseUrl: site.baseUrl, command: 'demo' });
    expect(readFixtureMarker(dir)).toEqual({ pid: process.pid, temporalAddress: '127.0.0.1:7233', baseUrl: site.baseUrl, command: 'demo' });
    remove();
    expect(readFixtureMarker(dir)).toBeNull();
    // A crashed stack leaves its note behind; a pid that no longer runs does not count.
    writeFileSync(join(dir, 'fixture-site.json'), JSON.stringify({ pid: 2 ** 22 + 17, temporalAddress: 'x', baseUrl: site.baseUrl, command: 'demo' }));
    expect(readFixtureMarker(dir)).toBeNull();
  });

  it('then the site says how many of a manifest it serves: all of the demo manifest, none of another real one', async () => {
    const demo = await recordUrls('Musical-Trinity-Krithi-Test-60.csv');
    site.addRows(demo.map((url) => ({ url, title: 't', raga: 'r' })));
    const marker = { pid: process.pid, temporalAddress: 'x', baseUrl: site.baseUrl, command: 'demo' };
    expect(await askServed(marker, demo)).toMatchObject({ served: demo.length, missingCount: 0 });
    const other = await recordUrls('Thyagaraja-Krithi-For-Import.csv');
    const unserved = other.filter((u) => !demo.includes(u));
    const answer = await askServed(marker, other);
    expect(answer).toMatchObject({ served: other.length - unserved.length, missingCount: unserved.length });
    expect(unserved.length).toBeGreaterThan(600);
    expect(answer!.missing[0]).toBe(unserved[0]);
    // Asking is not a page request: the site's request log (and its per-page fault counters) are untouched.
    expect(site.requests('all')).toEqual([]);
  });
});
