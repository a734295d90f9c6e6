/**
 * What the app-*.test.ts files run the real product against: the SIP lab, the org server (SQLite, the
 * demo org with the test's own tokens) and Debian's Chromium, with the renderer to serve, all in one
 * temp dir. Each test then starts the app itself (startAppRegistered in real-app.ts) with its own
 * options. Everything listens on 127.0.0.1: run inside the lab's loopback-only network namespace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { buildServer } from '../../server/app';
import { openDatabase, type Database } from '../../server/db/database';
import { seedDemoOrg } from '../../server/demo';
import type { Role } from '../../shared/contracts/api';
import { launchChromium } from '../sip-lab/browser';
import { startLab, type Lab } from '../sip-lab/lab';
import { freshRendererBuild, startAppRegistered, type RunningApp, type StartAppOptions } from './real-app';

export interface LabAppStack {
  workDir: string;
  /** The built renderer to serve (see freshRendererBuild). */
  rendererDir: string;
  lab: Lab;
  database: Database;
  server: FastifyInstance;
  serverUrl: string;
  browser: Browser;
  /**
   * Starts the app registered as the lab's agent1 (startAppRegistered) on this stack, signed in with
   * `token`, its host's data in `<workDir>/<dataDirName>`.
   */
  startApp(
    token: string,
    dataDirName: string,
    options?: Pick<StartAppOptions, 'native' | 'beforeLoad'>,
  ): Promise<RunningApp>;
  /** Closes Chromium, the org server, the database and the lab, then removes the temp dir. Never throws. */
  close(): Promise<void>;
}

export interface LabAppStackOptions {
  /** Names the temp dir: `blockline-<name>-…`. */
  name: string;
  /** The demo org's tokens for this test file (each file has its own). */
  tokens: Partial<Record<Role, string>>;
  /** Starts the lab in `dir`; the default is `startLab({ dir })`. */
  startLab?: (dir: string) => Promise<Lab>;
}

/**
 * Builds (or reuses) the renderer while the lab starts, then opens and seeds the database, starts the
 * org server on a free port and launches Chromium. What started is closed again when a step fails.
 */
export async function startLabAppStack(options: LabAppStackOptions): Promise<LabAppStack> {
  const workDir = mkdtempSync(path.join(tmpdir(), `blockline-${options.name}-`));
  const started: { lab?: Lab; database?: Database; server?: FastifyInstance; browser?: Browser } = {};
  const close = async () => {
    await started.browser?.close().catch(() => undefined);
    await started.server?.close().catch(() => undefined);
    await started.database?.close().catch(() => undefined);
    await started.lab?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const [rendererDir, lab] = await Promise.all([
      freshRendererBuild(path.join(workDir, 'renderer')),
      (options.startLab ?? ((dir: string) => startLab({ dir })))(path.join(workDir, 'lab')),
    ]);
    started.lab = lab;
    const database = await openDatabase(`sqlite:${path.join(workDir, 'server.sqlite')}`);
    started.database = database;
    await seedDemoOrg(database, options.tokens);
    const server = await buildServer({ db: database, rateLimit: false, sweepIntervalMs: false });
    started.server = server;
    await server.listen({ port: 0, host: '127.0.0.1' });
    const address = server.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the org server is not listening');
    const browser = await launchChromium();
    started.browser = browser;
    const serverUrl = `http://127.0.0.1:${address.port}`;
    return {
      workDir,
      rendererDir,
      lab,
      database,
      server,
      serverUrl,
      browser,
      startApp: (token, dataDirName, appOptions = {}) =>
        startAppRegistered({
          browser,
          serverUrl,
          token,
          rendererDir,
          dataDir: path.join(workDir, dataDirName),
          ...appOptions,
        }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
