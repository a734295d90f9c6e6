import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { defineServerApiSuite } from '../helpers/server-api-suite';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

defineServerApiSuite('PostgreSQL', async () => ({
  url: await cluster.createDatabase(`api_${process.pid}`),
  cleanup: async () => undefined,
}));
