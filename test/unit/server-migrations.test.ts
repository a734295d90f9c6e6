import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineMigrationUpgradeSuite } from '../helpers/migration-upgrade-suite';

defineMigrationUpgradeSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'blockline-migrations-'));
  return {
    url: join(dir, 'test.sqlite'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
