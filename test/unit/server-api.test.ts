import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineServerApiSuite } from '../helpers/server-api-suite';

defineServerApiSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'blockline-server-'));
  return {
    url: join(dir, 'test.sqlite'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
