/**
 * kill -9 of the server during 1,000 concurrent writes loses no acknowledged rule: every write that got
 * a 2xx is there after a restart (SQLite in WAL mode commits before the reply is sent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database';
import type { Snapshot } from '../../shared/contracts/api';
import type { Rule } from '../../shared/rules';
import { makeOrg } from '../helpers/server-harness';

const dir = mkdtempSync(join(tmpdir(), 'blockline-crash-'));
const databasePath = join(dir, 'crash.sqlite');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function startServer(port: number): Promise<ChildProcess> {
  // node itself, not the tsx wrapper: SIGKILL must hit the process that owns the database.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databasePath,
      RATE_LIMIT_WRITES_PER_MIN: '0',
      RATE_LIMIT_AUTH_FAILURES_PER_MIN: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not start');
}

describe('org server crash safety (SQLite)', () => {
  it(
    'keeps every acknowledged rule after kill -9 during 1,000 concurrent writes',
    { timeout: 60_000 },
    async () => {
      const seedDb = await openDatabase(databasePath);
      const org = await makeOrg(seedDb);
      await seedDb.close();

      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const headers = { authorization: `Bearer ${org.tokens.lead}`, 'content-type': 'application/json' };
      const first = await startServer(port);
      const acknowledged: Rule[] = [];
      let killed = false;
      const writes = Array.from({ length: 1000 }, async (_, i) => {
        try {
          const response = await fetch(`${base}/v1/blocked-numbers`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ number: `+1212555${1000 + i}`, reason: `crash ${i}` }),
          });
          if (response.status === 201) {
            const rule = (await response.json()) as Rule;
            acknowledged.push(rule);
            if (!killed && acknowledged.length >= 200) {
              killed = true;
              first.kill('SIGKILL');
            }
          }
        } catch {
          // The connection died with the server: not acknowledged.
        }
      });
      await Promise.all(writes);
      expect(killed).toBe(true);
      expect(acknowledged.length).toBeGreaterThanOrEqual(200);
      expect(acknowledged.length).toBeLessThan(1000);

      const second = await startServer(port);
      const snapshot = (await (await fetch(`${base}/v1/sync/snapshot`, { headers })).json()) as Snapshot;
      const stored = new Map(snapshot.rules.map((rule) => [rule.id, rule]));
      const missing = acknowledged.filter((rule) => stored.get(rule.id)?.number !== rule.number);
      expect(missing).toEqual([]);
      // The log and the revision stayed consistent with the rules through the crash.
      const changes = (await (await fetch(`${base}/v1/sync/changes?since=2`, { headers })).json()) as {
        revision: number;
        changes: unknown[];
      };
      expect(changes.changes).toHaveLength(snapshot.rules.length);
      expect(changes.revision).toBe(snapshot.revision);
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
      expect(second.exitCode).toBe(0);
    },
  );
});
