import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineOversightApiSuite } from '../helpers/oversight-api-suite';
import { definePeopleApiSuite } from '../helpers/people-api-suite';

defineOversightApiSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'blockline-oversight-'));
  return {
    url: join(dir, 'test.sqlite'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

definePeopleApiSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'blockline-people-'));
  return {
    url: join(dir, 'test.sqlite'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
