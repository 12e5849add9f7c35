import type { Config } from '../config';
import { createSql } from '../db/client';
import { connectTemporal } from '../stack';
import { startObservedWorkers } from '../worker';
import { info } from './output';

/** `krithi-import worker`: runs until SIGINT/SIGTERM, then drains within the grace time, exits 0. */
export async function runWorkerCommand(config: Config, _args: string[]): Promise<number> {
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
