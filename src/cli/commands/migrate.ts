import { defineCommand, JSON_OPTION } from '../command';
import { out } from '../output';

export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'apply the database migrations and load the reference data (idempotent)',
  details: 'Creates the database named by DATABASE_URL when it does not exist.',
  options: { ...JSON_OPTION },
  async run({ config, json }) {
  const { migrate } = await import('../../db/migrate');
  const { seedReference } = await import('../../db/reference');
  const { prepareDatabase } = await import('../../stack');
    const sql = await prepareDatabase(config.databaseUrl, { max: 2 });
    try {
      const result = await migrate(sql);
      const seeded = await seedReference(sql);
      if (json) out({ ...result, referenceSeeded: seeded });
      else
        out(
          `migrations applied: ${result.applied.join(', ') || 'none'}; schema at ${result.current ?? '—'}; ` +
            `reference data ${seeded ? 'loaded' : 'already current'}`,
        );
      return 0;
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
});
