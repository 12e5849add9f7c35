/**
 * Writes the workflow bundle to the given file (atomically). Run as a child process by the worker
 * in development so webpack's memory (~110 MB that a process never gives back) stays out of the
 * long-running worker; production uses the bundle `npm run build` wrote.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const out = process.argv[2];
if (!out) throw new Error('usage: bundle-workflows.ts <out.js>');
const silent = () => {};
const { code } = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('../src/workflows/index.ts', import.meta.url)),
  logger: { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: console.error },
});
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, code);
renameSync(tmp, out);
