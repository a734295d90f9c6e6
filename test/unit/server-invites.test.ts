/** Invites outside the per-database suite: the redemption rate limit, and the admin CLI's `invite create`. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server/app';
import { openDatabase } from '../../server/db/database';
import { REDEEM_ATTEMPTS_PER_MINUTE } from '../../server/routes/invites';
import { call, errorCode, makeOrg } from '../helpers/server-harness';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'blockline-invites-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('invites', () => {
  it('slows down guessing: redemptions per address are rate-limited', async () => {
    const database = await openDatabase(join(dir, 'limit.sqlite'));
    const app = await buildServer({ db: database, sweepIntervalMs: false });
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt <= REDEEM_ATTEMPTS_PER_MINUTE; attempt++) {
        const reply = await call(app, 'POST', '/v1/invites/redeem', null, {
          code: `AAAA-BBBB-${String(attempt).padStart(4, '0')}`,
          deviceName: 'guesser',
        });
        statuses.push(reply.status);
        if (reply.status === 429) expect(errorCode(reply)).toBe('rate_limited');
      }
      expect(statuses.slice(0, REDEEM_ATTEMPTS_PER_MINUTE).every((status) => status === 404)).toBe(true);
      expect(statuses[REDEEM_ATTEMPTS_PER_MINUTE]).toBe(429);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('the admin CLI creates an invite that signs a person in', { timeout: 120_000 }, async () => {
    const url = join(dir, 'cli.sqlite');
    const database = await openDatabase(url);
    const org = await makeOrg(database);
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], {
        env: { ...process.env, DATABASE_URL: url },
      });
    const { stdout } = await cli(
      'invite',
      'create',
      '--org',
      org.id,
      '--name',
      'Nia',
      '--role',
      'agent',
      '--server',
      'https://blockline.example.com',
    );
    const invite = JSON.parse(stdout) as { code: string; url: string; expiresAt: string };
    expect(new URL(invite.url).searchParams.get('server')).toBe('https://blockline.example.com');
    await expect(
      cli(
        'invite',
        'create',
        '--org',
        org.id,
        '--name',
        'X',
        '--role',
        'agent',
        '--server',
        'http://example.com',
      ),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('https://') });
    const app = await buildServer({ db: database, rateLimit: false, sweepIntervalMs: false });
    try {
      const redeemed = await call(app, 'POST', '/v1/invites/redeem', null, {
        code: invite.code,
        deviceName: 'Nia PC',
      });
      const me = await call(app, 'GET', '/v1/me', (redeemed.body as { token: string }).token);
      expect(me.body).toMatchObject({ user: { name: 'Nia', role: 'agent' } });
    } finally {
      await app.close();
      await database.close();
    }
  });
});
