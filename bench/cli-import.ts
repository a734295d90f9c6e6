/**
 * The admin CLI's import of 100,000 rules (SPEC §13.2), timed as an admin runs it: one
 * `npm run admin -- import` process on a fresh database, from start to exit.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createOrg, standaloneStore } from '../server/admin-ops';
import { openDatabase } from '../server/db/database';

const run = promisify(execFile);

/** Seconds the CLI takes to import `count` distinct valid numbers into a new org. */
export async function cliImportSeconds(databaseUrl: string, count = 100_000): Promise<number> {
  const database = await openDatabase(databaseUrl);
  const org = await createOrg(standaloneStore(database), {
    name: 'Bench import',
    country: 'US',
    timeZone: 'America/Denver',
  });
  await database.close();
  const file = join(dirname(databaseUrl.replace(/^(sqlite|file):(\/\/)?/i, '')), 'cli-import.csv');
  const rows = ['number,reason'];
  for (let i = 0; i < count; i++) rows.push(`+1303${2_000_000 + i},Moved from the old PBX ${i}`);
  writeFileSync(file, `${rows.join('\n')}\n`);

  const started = process.hrtime.bigint();
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'server/admin.ts', 'import', '--org', org.id, '--file', file],
    { env: { ...process.env, DATABASE_URL: databaseUrl }, maxBuffer: 16 * 1024 * 1024 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const summary = JSON.parse(stdout) as { created?: number };
  if (summary.created !== count) throw new Error(`the CLI import created ${summary.created} of ${count}`);
  return seconds;
}
