import type { Config } from '../../config';
import { defineCommand } from '../command';
import { info } from '../output';

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'run the workflow worker and one scrape worker per source site (SIGINT/SIGTERM drains and exits 0)',
  details: 'Needs a running Temporal server (TEMPORAL_ADDRESS, or the local dev server) and a migrated database.',
  options: {},
  run: ({ config }) => runWorker(config),
});

/** `krithi-import worker`: runs until SIGINT/SIGTERM, then drains within the grace time, exits 0. */
async function runWorker(config: Config): Promise<number> {
  const { createSql } = await import('../../db/client');
  const { connectTemporal } = await import('../../stack');
  const { startObservedWorkers } = await import('../../worker');
  const sql = createSql(config.databaseUrl, { max: 10 });
  const temporal = await connectTemporal(config, { startServer: false });
  const { workers, obs } = await startObservedWorkers('worker', { config, address: temporal.address, sql });
  info(
    `worker polling ${config.taskQueuePrefix}-* on ${temporal.address} (Ctrl-C to stop)` +
      (obs.server ? `; metrics on ${obs.server.url}` : ''),
  );
  await workers.run();
  await obs.close();
  await temporal.close();
  await sql.end({ timeout: 5 });
  info('worker stopped');
  return 0;
}
