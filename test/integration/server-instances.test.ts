/** Several server instances on one PostgreSQL: each pushes every change, whichever instance wrote it. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server/app';
import { openDatabase, type Database } from '../../server/db/database';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { call, listening, makeOrg, openEvents } from '../helpers/server-harness';

describe('two server instances on one PostgreSQL', () => {
  let cluster: PostgresCluster;
  const databases: Database[] = [];
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    cluster = await startPostgres();
    const url = await cluster.createDatabase('instances');
    for (let i = 0; i < 2; i += 1) {
      const database = await openDatabase(url);
      databases.push(database);
      const app = await buildServer({ db: database, rateLimit: false, sweepIntervalMs: false });
      await app.listen({ port: 0, host: '127.0.0.1' });
      apps.push(app);
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const database of databases) await database.close();
    await cluster?.stop();
  });

  it('pushes a change written through either instance to the SSE clients of both', async () => {
    const [appA, appB] = apps;
    const [databaseA] = databases;
    if (appA === undefined || appB === undefined || databaseA === undefined) throw new Error('setup failed');
    const org = await makeOrg(databaseA);
    const onA = await openEvents(listening(appA), org.tokens.agent);
    const onB = await openEvents(listening(appB), org.tokens.agent);
    const viaA = await call(appA, 'POST', '/v1/blocked-numbers', org.tokens.lead, {
      number: '+12125550900',
      reason: 'via A',
    });
    const viaB = await call(appB, 'POST', '/v1/blocked-numbers', org.tokens.lead, {
      number: '+12125550901',
      reason: 'via B',
    });
    expect([viaA.status, viaB.status]).toEqual([201, 201]);
    const settings = await call(appB, 'PATCH', '/v1/settings', org.tokens.admin, { blockAnonymous: true });
    expect(settings.status).toBe(200);
    for (const stream of [onA, onB]) {
      await stream.waitFor((changes) => changes.length === 3);
      expect(stream.ids).toEqual([3, 4, 5]);
      expect(stream.changes.map((change) => change.type)).toEqual([
        'rule_upserted',
        'rule_upserted',
        'settings_updated',
      ]);
    }
    onA.close();
    onB.close();
  });
});
