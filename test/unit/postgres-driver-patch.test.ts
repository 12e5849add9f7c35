/**
 * postgres.js 3.4.9 throws from a setImmediate when a write was scheduled just before its socket
 * closed (porsager/postgres#1154, #1208): an uncatchable TypeError that takes the whole process
 * down. The model-based test hit it in its own process on a PostgreSQL crash-restart, and a worker
 * died of it the same way. patches/postgres+3.4.9.patch (applied by patch-package on every npm
 * install) guards the write. This checks that the driver the code loads carries the guard, so an
 * upgrade that drops the patch fails here rather than in production.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// The package's entry for require() is cjs/src/index.js: its root is three levels up.
const root = dirname(dirname(dirname(require.resolve('postgres'))));

describe('when the PostgreSQL driver is installed', () => {
  it.each(['src/connection.js', 'cjs/src/connection.js'])('then %s guards the deferred write against a closed socket', (file) => {
    const code = readFileSync(join(root, file), 'utf8');
    const nextWrite = code.slice(code.indexOf('function nextWrite('), code.indexOf('function connectTimedOut('));
    expect(nextWrite).toMatch(/if \(!socket\) \{[\s\S]*error\(Errors\.connection\('CONNECTION_CLOSED'/);
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version).toBe('3.4.9');
  });
});
