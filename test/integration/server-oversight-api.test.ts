import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { defineOversightApiSuite } from '../helpers/oversight-api-suite';
import { definePeopleApiSuite } from '../helpers/people-api-suite';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

defineOversightApiSuite('PostgreSQL', async () => ({
  url: await cluster.createDatabase(`oversight_${process.pid}`),
  cleanup: async () => undefined,
}));

definePeopleApiSuite('PostgreSQL', async () => ({
  url: await cluster.createDatabase(`people_${process.pid}`),
  cleanup: async () => undefined,
}));
