import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { defineMigrationUpgradeSuite } from '../helpers/migration-upgrade-suite';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

defineMigrationUpgradeSuite('PostgreSQL', async () => ({
  url: await cluster.createDatabase(`migrations_${process.pid}`),
  cleanup: async () => undefined,
}));
