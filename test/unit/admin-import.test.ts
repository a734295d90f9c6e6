/**
 * The admin CLI's import and export (SPEC §13.2): the real command on a real SQLite file, one fixture
 * per source system, through the API's bulk service (audit, change log, uniqueness).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, standaloneStore } from '../../server/admin-ops';
import { openDatabase } from '../../server/db/database';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'blockline-admin-import-'));
const databaseUrl = join(dir, 'import.sqlite');
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
let orgId = '';

beforeAll(async () => {
  const database = await openDatabase(databaseUrl);
  const org = await createOrg(standaloneStore(database), {
    name: 'Movers',
    country: 'US',
    timeZone: 'America/Denver',
  });
  orgId = org.id;
  await database.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function importJson(...args: string[]): Promise<Record<string, unknown>> {
  const result = await admin('import', '--org', orgId, ...args);
  expect(result.code, result.stderr).toBe(0);
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? 'null') as Record<string, unknown>;
}

describe('admin CLI import and export', { timeout: 240_000 }, () => {
  it('dry-runs, then imports one file per source system with one JSON line each', async () => {
    const dry = await importJson('--file', fixture('teams-blocked-patterns.csv'), '--dry-run');
    expect(dry).toMatchObject({ format: 'teams', created: 3, duplicates: 0 });
    const database = await openDatabase(databaseUrl);
    try {
      expect(await standaloneStore(database).allRules(orgId)).toEqual([]);
    } finally {
      await database.close();
    }

    const expected: [file: string, summary: Record<string, unknown>][] = [
      ['freepbx-blacklist.csv', { format: 'freepbx', created: 2, duplicates: 0 }],
      ['zoom-blocked-list.csv', { format: 'zoom', created: 2, duplicates: 0 }],
      ['3cx-blacklist.csv', { format: '3cx', created: 2, duplicates: 0 }],
      // +1900* came with Zoom already.
      ['yeastar-blocklist.csv', { format: 'yeastar', created: 2, duplicates: 1 }],
      ['ringcentral-caller-blocking.csv', { format: 'ringcentral', created: 2, duplicates: 0 }],
      ['close-blocked-phone-numbers.csv', { format: 'close', created: 2, duplicates: 0 }],
      // +1268* came with 3CX, +1900* with Zoom.
      ['teams-blocked-patterns.csv', { format: 'teams', created: 1, duplicates: 2 }],
    ];
    for (const [file, summary] of expected) {
      const result = await importJson('--file', fixture(file));
      expect(result, file).toMatchObject(summary);
    }
    const freepbxAgain = await importJson('--file', fixture('freepbx-blacklist.csv'), '--format', 'freepbx');
    expect(freepbxAgain).toEqual({
      format: 'freepbx',
      created: 0,
      duplicates: 2,
      refused: [
        { row: 4, reason: 'a FreePBX blacklist setting, not a number' },
        { row: 5, reason: expect.stringContaining('emergency number') },
      ],
    });
    const teamsExempt = await importJson('--file', fixture('teams-blocked-patterns.csv'), '--kind', 'allow');
    expect(teamsExempt).toMatchObject({ format: 'teams', created: 3 });

    const database2 = await openDatabase(databaseUrl);
    try {
      const store = standaloneStore(database2);
      const rules = await store.allRules(orgId);
      expect(rules).toHaveLength(16);
      expect(rules.every((rule) => rule.source === 'import')).toBe(true);
      expect(rules.find((rule) => rule.number === '+1268*' && rule.kind === 'block')?.reason).toBe(
        'Antigua callback scam',
      );
      expect(
        rules
          .filter((rule) => rule.kind === 'allow')
          .map((rule) => rule.number)
          .sort(),
      ).toEqual(['+12125551234', '+1268*', '+14155550136', '+1900*']);
      // Audited and in the change log like any API write, so running servers push them.
      const audit = await database2.kysely
        .selectFrom('audit')
        .select(['actor_name', 'action'])
        .where('org_id', '=', orgId)
        .execute();
      expect(audit.filter((entry) => entry.action === 'rule.created')).toHaveLength(16);
      expect(new Set(audit.map((entry) => entry.actor_name))).toEqual(new Set(['admin command line']));
      const org = await store.getOrg(orgId);
      expect(org?.revision).toBe(16);
    } finally {
      await database2.close();
    }
  });

  it('exports the CSV the app exports, to a file or stdout, and it imports again', async () => {
    const out = join(dir, 'export.csv');
    const toFile = await admin('export', '--org', orgId, '--file', out);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(JSON.parse(toFile.stdout)).toEqual({ file: out, rules: 16 });
    const csv = readFileSync(out, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('number,reason,scope,kind,expiresAt');
    expect(csv.trim().split('\r\n')).toHaveLength(17);
    const toStdout = await admin('export', '--org', orgId);
    expect(toStdout.stdout).toBe(csv);
    const again = await importJson('--file', out);
    expect(again).toMatchObject({ format: 'blockline', created: 0, duplicates: 16, refused: [] });
  });

  it('exits 1 only when the file cannot be read; a bad row is a refusal, not an error', async () => {
    const missing = await admin('import', '--org', orgId, '--file', join(dir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      error: { message: expect.stringContaining('cannot read') },
    });
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'number,reason\nhello,x\n+1*,too short\n');
    const result = await importJson('--file', bad);
    expect(result).toMatchObject({ format: 'blockline', created: 0, duplicates: 0 });
    expect(result.refused).toEqual([
      { row: 2, reason: expect.stringContaining('not a phone number') },
      { row: 3, reason: expect.stringContaining('too short for a prefix') },
    ]);
  });
});
