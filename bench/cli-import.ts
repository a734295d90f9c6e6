/**
 * The admin CLI's import of 100,000 rules (SPEC §13.2), timed as an admin runs it: one
 * `npm run admin -- import` process on a fresh database, from start to exit. Beside it, the same run's
 * floor: a bare better-sqlite3 process writing the same 100,000 rows into the same migrated table in one
 * prepared statement and one transaction (no validation, audit or change log), so a loaded machine does
 * not pass for a slow import.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createOrg, standaloneStore } from '../server/admin-ops';
import { openDatabase } from '../server/db/database';

const run = promisify(execFile);

function sqlitePathOf(databaseUrl: string): string {
  return databaseUrl.replace(/^(sqlite|file):(\/\/)?/i, '');
}

async function newOrg(databaseUrl: string): Promise<string> {
  const database = await openDatabase(databaseUrl);
  const org = await createOrg(standaloneStore(database), {
    name: 'Bench import',
    country: 'US',
    timeZone: 'America/Denver',
  });
  await database.close();
  return org.id;
}

function benchNumber(i: number): string {
  return `+1303${2_000_000 + i}`;
}

/** Seconds the CLI takes to import `count` distinct valid numbers into a new org. */
export async function cliImportSeconds(databaseUrl: string, count = 100_000): Promise<number> {
  const orgId = await newOrg(databaseUrl);
  const file = join(dirname(sqlitePathOf(databaseUrl)), 'cli-import.csv');
  const rows = ['number,reason'];
  for (let i = 0; i < count; i++) rows.push(`${benchNumber(i)},Moved from the old PBX ${i}`);
  writeFileSync(file, `${rows.join('\n')}\n`);

  const started = process.hrtime.bigint();
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'server/admin.ts', 'import', '--org', orgId, '--file', file],
    { env: { ...process.env, DATABASE_URL: databaseUrl }, maxBuffer: 16 * 1024 * 1024 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const summary = JSON.parse(stdout) as { created?: number };
  if (summary.created !== count) throw new Error(`the CLI import created ${summary.created} of ${count}`);
  return seconds;
}

/** The floor, in plain JavaScript so that neither tsx nor our code is in it. */
const BARE_INSERT_SCRIPT = `
const Database = require('better-sqlite3');
const [path, orgId, count] = process.argv.slice(1);
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const insert = db.prepare(
  'insert into rules (id, org_id, kind, number, scope, reason, expires_at, source, created_by, created_at, updated_at, hit_count, last_hit_at) values (?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?, 0, null)',
);
const now = new Date().toISOString();
db.transaction(() => {
  for (let i = 0; i < Number(count); i++)
    insert.run('1.' + i.toString(36), orgId, 'block', '+1303' + (2000000 + i), 'all', 'Moved from the old PBX ' + i, 'import', 'bench', now, now);
})();
db.close();
`;

/** Seconds a bare better-sqlite3 process takes to insert the same rows into the same table. */
export async function bareInsertSeconds(databaseUrl: string, count = 100_000): Promise<number> {
  const orgId = await newOrg(databaseUrl);
  const started = process.hrtime.bigint();
  await run(process.execPath, ['-e', BARE_INSERT_SCRIPT, sqlitePathOf(databaseUrl), orgId, String(count)]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}
