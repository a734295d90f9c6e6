/**
 * The desktop app in a real Electron: the real org server (SQLite, demo org) on 127.0.0.1, and the app
 * launched from this checkout (`npm run build` first) through Playwright's `_electron`. Where the Electron
 * binary is missing (here: nothing may download it) every suite reports itself skipped with the reason;
 * the hosted workflow (.github/workflows/desktop.yml) runs the same files on Linux, Windows and macOS.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { buildServer } from '../../server/app';
import { openDatabase, type Database } from '../../server/db/database';
import { seedDemoOrg } from '../../server/demo';
import type { Role } from '../../shared/contracts/api';
import type { InvokeChannel, InvokeRequest, InvokeResponse } from '../../shared/contracts/ipc';
import { electronBinaryStatus } from '../../scripts/dist.mjs';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const electron = electronBinaryStatus();
// Where the binary must be there (the hosted workflow), its absence fails the run instead of skipping it.
if (process.env.BLOCKLINE_REQUIRE_ELECTRON === '1' && electron.path === null)
  throw new Error(`BLOCKLINE_REQUIRE_ELECTRON=1 but ${electron.reason}`);
/** The suite title carries the reason it was skipped, so the report says why. */
export const needsElectron = (title: string) =>
  `${title} (needs the Electron binary${electron.path === null ? `; SKIPPED: ${electron.reason}` : ''})`;

export function assertBuilt(): void {
  for (const file of ['dist/renderer/index.html', 'dist-electron/main.cjs', 'dist-electron/preload.cjs'])
    if (!existsSync(path.join(REPO_ROOT, file)))
      throw new Error(`${file} is missing: run \`npm run build\` first`);
}

export interface OrgServer {
  url: string;
  tokens: Record<Role, string>;
  close(): Promise<void>;
}

export async function startOrgServer(workDir: string): Promise<OrgServer> {
  const database: Database = await openDatabase(`sqlite:${path.join(workDir, 'server.sqlite')}`);
  const seed = await seedDemoOrg(database);
  const server: FastifyInstance = await buildServer({ db: database, logger: false, rateLimit: false });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens: seed.tokens,
    async close() {
      await server.close().catch(() => undefined);
      await database.close().catch(() => undefined);
    },
  };
}

export function makeWorkDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'blockline-electron-'));
}

/** The app's environment: its own data directory (and so its own profile and single-instance lock). */
export function appEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
  return {
    ...env,
    BLOCKLINE_DATA_DIR: dataDir,
    BLOCKLINE_SKIP_PROTOCOL_REGISTRATION: '1',
    BLOCKLINE_DISABLE_UPDATES: '1',
    ...extra,
  };
}

export interface LaunchedApp {
  app: ElectronApplication;
  page: Page;
  /** Lines the main process wrote. */
  output: string[];
}

/** Launches the unpackaged app (this checkout) and waits for its window. */
export async function launchApp(
  dataDir: string,
  extra: Record<string, string> = {},
  args: string[] = [],
): Promise<LaunchedApp> {
  if (electron.path === null) throw new Error(electron.reason);
  const app = await _electron.launch({
    executablePath: electron.path,
    args: [REPO_ROOT, ...args],
    env: appEnv(dataDir, extra),
    timeout: 60_000,
  });
  const output: string[] = [];
  app.process().stdout?.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n')));
  app.process().stderr?.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n')));
  const page = await app.firstWindow({ timeout: 60_000 });
  page.setDefaultTimeout(20_000);
  await page.waitForLoadState('domcontentloaded');
  return { app, page, output };
}

/** Runs a second copy of the app as a user would (no Playwright), and resolves with its exit code. */
export function runSecondInstance(dataDir: string, args: string[]): Promise<number | null> {
  if (electron.path === null) throw new Error(electron.reason);
  const child = spawn(electron.path, [REPO_ROOT, ...args], { env: appEnv(dataDir), stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('the second instance did not exit within 30 s'));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function readable(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (error) {
    // Windows: a helper process of the app that just quit may still hold a log or lock file open.
    if (error instanceof Error && /EBUSY|EPERM/.test(error.message)) return null;
    throw error;
  }
}

/** Every file under `dir` whose bytes contain `text` (call it once the app has quit: no file is locked). */
export function filesHolding(dir: string, text: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const file = path.join(folder, name);
      let stat;
      try {
        stat = statSync(file);
      } catch {
        continue; // a lock or socket that went away
      }
      if (stat.isDirectory()) walk(file);
      else if (stat.isFile() && readable(file)?.includes(text)) found.push(file);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
}

/** Calls the app's own bridge (`window.blockline.invoke`) from inside its page, as the renderer does. */
export async function invoke<C extends InvokeChannel>(
  page: Page,
  channel: C,
  request: InvokeRequest<C>,
): Promise<InvokeResponse<C>> {
  const result: unknown = await page.evaluate(
    ([name, argument]) => {
      const bridge = Reflect.get(window, 'blockline') as {
        invoke(channel: string, request: unknown): Promise<unknown>;
      };
      return bridge.invoke(name, argument);
    },
    // Playwright carries `undefined` across as itself: channels without a request take exactly that.
    [channel, request] as [string, unknown],
  );
  return result as InvokeResponse<C>;
}
