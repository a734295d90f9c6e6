/**
 * The browser host end to end: Debian's Chromium (playwright-core, /usr/bin/chromium) opens the URL
 * the host prints, signs in with the server's address and a token, and shows the sync states —
 * synced, syncing, offline with the age and size of the local list, and the offline banner — as the
 * real org server (SQLite) goes away and comes back. Run inside `unshare -n` (loopback only).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host';
import type { BlocklineApi } from '../../shared/contracts/ipc';
import { buildServer } from '../../server/app';
import { openDatabase, type Database } from '../../server/db/database';
import { call, makeOrg, type TestOrg } from '../helpers/server-harness';

const root = path.resolve(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))(
  `browser host in Chromium${existsSync(CHROMIUM) ? '' : ' (SKIPPED: /usr/bin/chromium is not installed)'}`,
  () => {
    let workDir: string;
    let database: Database;
    let org: TestOrg;
    let server: FastifyInstance;
    let serverPort: number;
    let host: BrowserHost;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];

    const startServer = async (port: number) => {
      const app = await buildServer({
        db: database,
        rateLimit: false,
        sweepIntervalMs: false,
        heartbeatMs: 1000,
      });
      await app.listen({ port, host: '127.0.0.1' });
      return app;
    };
    const syncStatus = () => page.getByTestId('sync-status');

    beforeAll(async () => {
      workDir = mkdtempSync(path.join(tmpdir(), 'blockline-host-e2e-'));
      const rendererDir = path.join(workDir, 'renderer');
      await build({
        configFile: path.join(root, 'vite.config.ts'),
        logLevel: 'error',
        build: { outDir: rendererDir, emptyOutDir: true, sourcemap: false },
      });
      database = await openDatabase(`sqlite:${path.join(workDir, 'server.sqlite')}`);
      org = await makeOrg(database);
      for (const number of ['+12125550301', '+12125550302']) {
        const reply = await call(await startServerOnce(), 'POST', '/v1/blocked-numbers', org.tokens.lead, {
          number,
          reason: 'e2e',
        });
        expect(reply.status).toBe(201);
      }
      server = await startServer(0);
      const address = server.server.address();
      if (typeof address !== 'object' || address === null) throw new Error('server not listening');
      serverPort = address.port;
      host = await startBrowserHost({
        port: 0,
        dataDir: path.join(workDir, 'host-data'),
        rendererDir,
        log: () => undefined,
        servicesOverrides: { backoff: { baseMs: 200, capMs: 1000 } },
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--no-first-run',
          '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
        ],
      });
      page = await browser.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
    }, 180_000);

    let spareServer: FastifyInstance | null = null;
    /** An in-process instance for seeding (inject needs no port). */
    async function startServerOnce(): Promise<FastifyInstance> {
      spareServer ??= await buildServer({ db: database, rateLimit: false, sweepIntervalMs: false });
      return spareServer;
    }

    afterAll(async () => {
      await browser?.close();
      await host?.close();
      await server?.close();
      await spareServer?.close();
      await database?.close();
      rmSync(workDir, { recursive: true, force: true });
    });

    it('opens from the printed URL, hides the secret from the address bar, and offers sign-in', async () => {
      await page.goto(host.url);
      await expect.poll(() => page.url()).toBe(`${host.origin}/`);
      await page.getByLabel('Server address').waitFor();
      expect(await syncStatus().count()).toBe(0);
    });

    it('signs in with the server address and token, then shows synced with the time', async () => {
      await page.getByLabel('Server address').fill(`http://127.0.0.1:${serverPort}`);
      await page.getByLabel('Personal token').fill(org.tokens.agent);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => syncStatus().getAttribute('data-status'), { timeout: 10_000 }).toBe('synced');
      expect(await syncStatus().textContent()).toMatch(/^Synced \d\d:\d\d:\d\d/);
      // The token went to the host, not into the page's storage.
      const stored = await page.evaluate(
        () => JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage }),
      );
      expect(stored).not.toContain(org.tokens.agent);
    });

    it('shows offline with the age and size of the local list, and the offline banner, when the server goes away', async () => {
      await server.close();
      await expect.poll(() => syncStatus().getAttribute('data-status'), { timeout: 10_000 }).toBe('offline');
      expect(await syncStatus().textContent()).toMatch(/^Offline: list \d+ s old, 2 rules kept locally/);
      const banner = page.locator('.bl-offline');
      await expect.poll(() => banner.isVisible()).toBe(true);
      expect(await banner.textContent()).toMatch(/Blocking keeps working with the local list/);
    });

    it('passes through syncing back to synced when the server returns, and the banner goes', async () => {
      // Record every state the host pushes from here on. (The indicator itself may skip a state that
      // lasts less than one React render, so the passage through `syncing` is read from the events.)
      await page.evaluate(() => {
        const seen: string[] = [];
        Reflect.set(window, '__syncStates', seen);
        const api = Reflect.get(window, 'blockline') as BlocklineApi;
        api.on('sync:state', (state) => seen.push(state.status));
      });
      server = await startServer(serverPort);
      await expect.poll(() => syncStatus().getAttribute('data-status'), { timeout: 15_000 }).toBe('synced');
      const seen = await page.evaluate(() => Reflect.get(window, '__syncStates') as string[]);
      expect(seen).toContain('syncing');
      expect(seen.at(-1)).toBe('synced');
      expect(await page.locator('.bl-offline').count()).toBe(0);
      expect(pageErrors).toEqual([]);
    });
  },
);
