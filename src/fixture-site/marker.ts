/**
 * When `demo` or `serve --fixture-site` runs a stack whose workers fetch from the offline fixture
 * site, it leaves a note in the state directory saying so (which Temporal server, which site). A
 * later `submit` from another terminal reads it and asks the site which of the manifest's pages it
 * has: a manifest the site does not serve would otherwise fail row after row with 404s that read as
 * if the real blogs were dead.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVED_PATH } from './server';

export interface FixtureMarker {
  pid: number;
  /** The Temporal server the stack's workers poll. */
  temporalAddress: string;
  baseUrl: string;
  /** What started it: `demo` or `serve`. */
  command: string;
}

const file = (stateDir: string) => join(stateDir, 'fixture-site.json');

/** Writes the note; the returned function removes it (only if it is still this process's). */
export function writeFixtureMarker(stateDir: string, marker: Omit<FixtureMarker, 'pid'>): () => void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file(stateDir), JSON.stringify({ pid: process.pid, ...marker }));
  return () => {
    if (readFixtureMarker(stateDir)?.pid === process.pid) rmSync(file(stateDir), { force: true });
  };
}

/** The note of a stack still running, else null (a crashed stack's stale note is ignored). */
export function readFixtureMarker(stateDir: string): FixtureMarker | null {
  let marker: FixtureMarker;
  try {
    marker = JSON.parse(readFileSync(file(stateDir), 'utf8')) as FixtureMarker;
  } catch {
    return null;
  }
  try {
    process.kill(marker.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return null;
  }
  return marker;
}

/** How many of `urls` the running fixture site serves; null when it does not answer. */
export async function askServed(
  marker: FixtureMarker,
  urls: readonly string[],
): Promise<{ served: number; missing: string[]; missingCount: number } | null> {
  try {
    const res = await fetch(`${marker.baseUrl}${SERVED_PATH}`, {
      method: 'POST',
      body: urls.join('\n'),
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) return null;
    return (await res.json()) as { served: number; missing: string[]; missingCount: number };
  } catch {
    return null;
  }
}
