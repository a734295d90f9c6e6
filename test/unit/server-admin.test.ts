/** The admin CLI: each command prints one JSON line, using DATABASE_URL like the server. */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { addLine, createOrg, createUser, revokeToken, standaloneStore } from '../../server/admin-ops';
import { buildServer } from '../../server/app';
import { openDatabase } from '../../server/db/database';
import { seedDemoOrg } from '../../server/demo';
import { hashToken } from '../../server/ids';
import { call } from '../helpers/server-harness';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'blockline-admin-'));
const databaseUrl = join(dir, 'admin.sqlite');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function admin(
  ...args: string[]
): Promise<{ code: number; json: Record<string, unknown>; lines: number }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    const lines = stdout.trim().split('\n');
    return { code: 0, json: JSON.parse(lines[0] ?? 'null') as Record<string, unknown>, lines: lines.length };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    const lines = (failed.stderr ?? '').trim().split('\n');
    return {
      code: failed.code ?? 1,
      json: JSON.parse(lines[lines.length - 1] ?? 'null') as Record<string, unknown>,
      lines: 1,
    };
  }
}

describe('admin CLI', () => {
  // Each CLI run starts Node with tsx (seconds on a loaded machine): the setup in between goes through
  // the same admin operations in-process.
  it('creates an org and a token, tests a number, and refuses bad input', { timeout: 120_000 }, async () => {
    const org = await admin('org', 'create', '--name', 'Acme', '--country', 'US', '--tz', 'America/Chicago');
    expect(org).toMatchObject({ code: 0, lines: 1 });
    const orgId = String(org.json.id);
    const database = await openDatabase(databaseUrl);
    const store = standaloneStore(database);
    const user = await createUser(store, { orgId, name: 'Lee', role: 'lead' });
    await addLine(store, { orgId, number: '(312) 555-0100', label: 'Main' });
    const token = await admin('token', 'create', '--user', user.id);
    expect(token).toMatchObject({ code: 0, lines: 1 });
    expect(String(token.json.token)).toMatch(/^bl_/);

    // A rule added through the API with the new token is what the CLI's verdict then names.
    const app = await buildServer({ db: database, rateLimit: false, sweepIntervalMs: false });
    const rule = await call(app, 'POST', '/v1/blocked-numbers', String(token.json.token), {
      number: '312-555-0199',
      reason: 'Scam',
    });
    expect(rule.status).toBe(201);
    await app.close();
    await database.close();

    const [blocked, badRole] = await Promise.all([
      admin('test-number', '--org', orgId, '--line', '+13125550100', '312.555.0199'),
      admin('user', 'create', '--org', orgId, '--name', 'X', '--role', 'boss'),
    ]);
    expect(blocked).toMatchObject({ code: 0, lines: 1 });
    expect(blocked.json).toMatchObject({
      action: 'block',
      why: 'rule',
      number: '+13125550199',
      line: '+13125550100',
      rule: { reason: 'Scam' },
    });
    expect(badRole.code).not.toBe(0);
    expect(JSON.stringify(badRole.json)).toContain('role must be one of');

    const check = await openDatabase(databaseUrl);
    const checkStore = standaloneStore(check);
    expect(await revokeToken(checkStore, String(token.json.token))).toEqual({ revoked: true });
    expect(await checkStore.authenticate(hashToken(String(token.json.token)))).toBeNull();
    await expect(createOrg(checkStore, { name: 'X', country: 'US', timeZone: 'Mars/Base' })).rejects.toThrow(
      /time zone/,
    );
    await check.close();
  });

  it('seeds the demo org idempotently with the given tokens', async () => {
    const database = await openDatabase(join(dir, 'demo.sqlite'));
    const first = await seedDemoOrg(database, { lead: 'bl_demo_lead_token_123456' });
    const second = await seedDemoOrg(database, { lead: 'bl_demo_lead_token_123456' });
    expect([first.created, second.created]).toEqual([true, false]);
    const app = await buildServer({ db: database, rateLimit: false, sweepIntervalMs: false });
    const snapshot = await call(app, 'GET', '/v1/sync/snapshot', 'bl_demo_lead_token_123456');
    const body = snapshot.body as { rules: unknown[]; lines: Array<{ label: string }>; revision: number };
    expect(body.lines.map((line) => line.label)).toEqual(['Sales', 'Support']);
    expect(body.rules).toHaveLength(4);
    expect(body.revision).toBe(6);
    const agent = await call(app, 'GET', '/v1/me', second.tokens.agent);
    expect(agent.body).toMatchObject({
      user: { role: 'agent' },
      org: { name: 'Demo Org', timeZone: 'America/New_York' },
      canManage: false,
    });
    await app.close();
    await database.close();
  });

  it(
    'revokes by token id or by user and disables users, never taking a secret on the command line',
    { timeout: 120_000 },
    async () => {
      const database = await openDatabase(databaseUrl);
      const store = standaloneStore(database);
      const { id: orgId } = await createOrg(store, {
        name: 'Revokers',
        country: 'US',
        timeZone: 'America/Chicago',
      });
      const user = await createUser(store, { orgId, name: 'Sam', role: 'agent' });
      await database.close();
      const first = await admin('token', 'create', '--user', user.id, '--device', 'Desk PC');
      const second = await admin('token', 'create', '--user', user.id);
      const secret = String(first.json.token);
      // The old form put the secret in argv, visible in `ps`: it is gone.
      const old = await admin('token', 'revoke', '--token', secret);
      expect(old.code).not.toBe(0);
      const listed = await admin('token', 'list', '--user', user.id);
      const tokens = listed.json.tokens as Array<{
        id: string;
        deviceName: string | null;
        createdAt: string;
      }>;
      expect(tokens.map((token) => token.id).sort()).toEqual(
        [String(first.json.id), String(second.json.id)].sort(),
      );
      expect(tokens.find((token) => token.id === first.json.id)).toMatchObject({
        deviceName: 'Desk PC',
        revokedAt: null,
      });
      expect(JSON.stringify(listed.json)).not.toContain(secret);
      expect(await admin('token', 'revoke', '--id', String(first.json.id))).toMatchObject({
        code: 0,
        json: { revoked: 1 },
      });
      const disabled = await admin('user', 'disable', '--user', user.id);
      expect(disabled.json).toMatchObject({ id: user.id, disabled: true });
      const check = await openDatabase(databaseUrl);
      const checkStore = standaloneStore(check);
      expect(await checkStore.authenticate(hashToken(String(second.json.token)))).toBeNull();
      await check.close();
      expect((await admin('user', 'enable', '--user', user.id)).json).toMatchObject({ disabled: false });
      expect(await admin('token', 'revoke', '--user', user.id)).toMatchObject({
        code: 0,
        json: { revoked: 1 },
      });
      expect((await admin('user', 'disable', '--user', 'nobody')).code).not.toBe(0);
    },
  );

  it('the server prints where the demo tokens are kept, not the tokens', { timeout: 120_000 }, async () => {
    const tokensFile = join(dir, 'demo-tokens.json');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: join(dir, 'main-demo.sqlite'),
        BLOCKLINE_DEMO: '1',
        BLOCKLINE_DEMO_TOKENS_FILE: tokensFile,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      const deadline = Date.now() + 90_000;
      while (!output.includes('"demo"') && Date.now() < deadline)
        await new Promise((done) => setTimeout(done, 100));
      await new Promise((done) => setTimeout(done, 300));
      const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as Record<string, string>;
      expect(Object.keys(tokens).sort()).toEqual(['admin', 'agent', 'lead']);
      expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
      expect(output).toContain(tokensFile);
      for (const token of Object.values(tokens)) expect(output).not.toContain(token);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
