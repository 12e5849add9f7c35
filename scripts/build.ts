/**
 * Production build: `npm run build`.
 *
 * 1. Every file of src/ compiled to JavaScript in dist/, one module per source file at the same
 *    depth (dist/db/migrate.js for src/db/migrate.ts), so paths the code resolves from its own
 *    location (migrations, data/reference, scripts/) still work. Relative imports get their `.js`
 *    extension; packages stay imports of node_modules.
 * 2. The SQL migrations copied beside the compiled migration runner.
 * 3. The workflow bundle built once (webpack, as the worker would at start) into
 *    dist/workflow-bundle.js; the worker loads it when WORKFLOW_BUNDLE_PATH points at it, and
 *    starts in well under a second instead of bundling.
 *
 * Run with `node dist/cli/main.js <command>` (the Docker image's entry point).
 */
import { build, type Plugin } from 'esbuild';
import { bundleWorkflowCode } from '@temporalio/worker';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Keeps every import an import: relative ones point at the compiled sibling (`./x` → `./x.js`). */
const externalImports: Plugin = {
  name: 'external-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (args.path.startsWith('.')) {
        const path = args.path.replace(/\.(ts|js)$/, '');
        // `../services` may name a directory: its index module.
        const isDir = !existsSync(join(args.resolveDir, `${path}.ts`)) && existsSync(join(args.resolveDir, path, 'index.ts'));
        return { path: isDir ? `${path}/index.js` : `${path}.js`, external: true };
      }
      return { path: args.path, external: true };
    });
  },
};

rmSync(DIST, { recursive: true, force: true });
const entryPoints = sources(SRC);
await build({
  entryPoints,
  outdir: DIST,
  outbase: SRC,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [externalImports],
});
mkdirSync(join(DIST, 'db', 'migrations'), { recursive: true });
cpSync(join(SRC, 'db', 'migrations'), join(DIST, 'db', 'migrations'), { recursive: true });

const bundle = await bundleWorkflowCode({
  workflowsPath: join(SRC, 'workflows', 'index.ts'),
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
writeFileSync(join(DIST, 'workflow-bundle.js'), bundle.code);
console.log(
  `built ${entryPoints.length} modules into ${relative(ROOT, DIST)}/ and ${relative(ROOT, join(DIST, 'workflow-bundle.js'))} ` +
    `(${(bundle.code.length / 1024).toFixed(0)} KiB)`,
);
