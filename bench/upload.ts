/**
 * Upload memory: streams a generated manifest of N rows to `POST /v1/batches` of a real `serve`
 * process and samples that process's RSS, to show the upload is streamed (RSS grows by far less
 * than the file). The batch is cancelled right after it is accepted; importing it is not the point.
 *
 *   npm run bench:upload -- [--rows 100000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { ensureTemporalBinary, startDevServer } from '../src/temporal/dev-server';
import { freePort, parseScriptArgs, postManifest, procRssMb, waitForHealth } from './util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const opt = parseScriptArgs({
  name: 'bench:upload',
  program: 'npm run bench:upload --',
  summary: "Streams a generated manifest to POST /v1/batches of a real serve process and prints how that process's RSS grew;\nthe batch is cancelled once accepted.",
  options: { rows: { type: 'string', default: '100000', value: 'N', help: 'rows in the generated manifest' } },
} as const);
const log = (m: string) => process.stderr.write(`[upload] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const n = Number(opt.rows);
  const dir = mkdtempSync(join(tmpdir(), 'krithi-upload-'));
  const hosts = ['site-01.fixture.test', 'site-02.fixture.test', 'site-03.fixture.test'];
  const lines = ['Krithi,Raga,Hyperlink,Composer'];
  for (let i = 0; i < n; i++) lines.push(`upload krithi ${i},kalyANi,https://${hosts[i % 3]}/u/${i}.html,Tyagaraja`);
  const file = join(dir, 'manifest.csv');
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  const bytes = statSync(file).size;

  const databaseUrl = 'postgres://postgres@127.0.0.1:5432/krithi_bench_upload';
  const a = postgres('postgres://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => {} });
  await a.unsafe('DROP DATABASE IF EXISTS krithi_bench_upload WITH (FORCE)');
  await a.end();

  const server = await startDevServer({ bin: ensureTemporalBinary(), dbFile: join(dir, 't.db'), port: await freePort(), headless: true });
  const port = await freePort();
  const token = 'bench-upload-token-0123456789abcdef';
  const serve = spawn(process.execPath, [join(ROOT, 'bin/krithi-import.js'), 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: server.address,
      TASK_QUEUE_PREFIX: 'upload',
      SOURCE_SITES: hosts.join(','),
      API_TOKENS: JSON.stringify([{ name: 'bench', role: 'admin', token }]),
      PORT: String(port),
      METRICS_PORT: '0',
      MANIFEST_MAX_BYTES: String(bytes + 1024),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, serve);
  await sleep(2000); // let start-up allocations settle
  const before = procRssMb(serve.pid!);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, procRssMb(serve.pid!));
  }, 50);
  const t0 = Date.now();
  const res = await postManifest(base, token, file);
  const body = res.body as { batchId?: string; acceptedRows?: number };
  const seconds = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  if (body.batchId)
    await fetch(`${base}/v1/batches/${body.batchId}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  const result = {
    rows: n,
    manifestMb: Math.round((bytes / 2 ** 20) * 10) / 10,
    status: res.status,
    acceptedRows: body.acceptedRows ?? null,
    uploadSeconds: Math.round(seconds * 100) / 100,
    apiRssBeforeMb: Math.round(before),
    apiPeakRssMb: Math.round(peak),
    apiRssGrowthMb: Math.round(peak - before),
  };
  for (const [k, v] of Object.entries(result)) log(`${k.padEnd(16)} ${v}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`[upload] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
