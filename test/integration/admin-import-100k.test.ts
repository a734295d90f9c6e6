/**
 * 100,000 rules through the admin CLI's import (SPEC §13.2): the real command on a real SQLite file,
 * every rule created through the API's bulk service, audited and in the change log. The time is printed
 * (`npm run bench -- server` reports it as server.sqlite.cli_import_100k.s); a bound far above it only
 * catches a runaway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliImportSeconds } from '../../bench/cli-import';
import { standaloneStore } from '../../server/admin-ops';
import { openDatabase } from '../../server/db/database';

const dir = mkdtempSync(join(tmpdir(), 'blockline-import-100k-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('admin CLI import of 100,000 rows', () => {
  it('creates every rule once, audited and in the change log', { timeout: 300_000 }, async () => {
    const databaseUrl = join(dir, 'big.sqlite');
    const seconds = await cliImportSeconds(databaseUrl, 100_000);
    console.log(`admin CLI imported 100,000 rules in ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(240);

    const database = await openDatabase(databaseUrl);
    try {
      const store = standaloneStore(database);
      const [org] = await database.kysely.selectFrom('orgs').select(['id', 'revision']).execute();
      expect(org?.revision).toBe(100_000);
      const rules = await store.allRules(org?.id ?? '');
      expect(rules).toHaveLength(100_000);
      expect(new Set(rules.map((rule) => rule.number)).size).toBe(100_000);
      expect(rules.every((rule) => rule.source === 'import' && rule.kind === 'block')).toBe(true);
      const audited = await database.kysely
        .selectFrom('audit')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('action', '=', 'rule.created')
        .executeTakeFirst();
      expect(Number(audited?.count)).toBe(100_000);
    } finally {
      await database.close();
    }
  });
});
