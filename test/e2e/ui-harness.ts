/**
 * The UI's end-to-end environment: the real org server (SQLite, demo org), the renderer built by Vite
 * into a temp dir, real browser hosts (one per app instance) and Debian's Chromium driven by
 * playwright-core; with `sipLab`, the SIP lab too. Beside it: ui-server-api.ts (the server's API as a
 * demo user), ui-views.ts (axe and screenshots view by view, the README's copies), ui-sip-account.ts
 * (Settings → Phone with the lab's accounts). Everything listens on 127.0.0.1; run inside `unshare -n`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { buildServer } from '../../server/app';
import { openDatabase, type Database } from '../../server/db/database';
import { seedDemoOrg } from '../../server/demo';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host';
import type { ManagedSecretStore } from '../../host/secret-storage';
import { startLab, type Lab } from '../sip-lab/lab';
import type { Role } from '../../shared/contracts/api';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

export const UI_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  // WebRTC inside a loopback-only namespace (see /work/shared/notes/sip-lab.md).
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

export interface UiEnv {
  serverUrl: string;
  tokens: Record<Role, string>;
  server: FastifyInstance;
  database: Database;
  browser: Browser;
  rendererDir: string;
  workDir: string;
  /** Opens one app instance (its own browser host and browser profile). */
  openApp(options: OpenAppOptions): Promise<AppInstance>;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  /** Signed in through the host before the page opens; `null` leaves the app signed out. */
  role: Role | null;
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** The desktop app's secret store instead of the browser host's plain file (keychain tests). */
  secretStore?: (dataDir: string) => ManagedSecretStore;
}

export interface AppInstance {
  host: BrowserHost;
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors, and uncaught exceptions. */
  pageErrors: string[];
  /** Every invoke the page sent over the bridge: its channel and, for arrays of entries, their count. */
  invokes: { channel: string; entries: number | null }[];
  /** Events the page received over the bridge: channel and frame size in bytes. */
  events: { channel: string; bytes: number; at: number }[];
  close(): Promise<void>;
}

async function buildRenderer(outDir: string): Promise<void> {
  await build({
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
}

export interface UiEnvOptions {
  /** Further Chromium flags, e.g. `--use-file-for-fake-audio-capture=…` so the agent sends a known tone. */
  chromiumArgs?: string[];
  /**
   * Starts the SIP lab (Kamailio, rtpengine: startLab's defaults) before anything else, and stops it
   * after everything else when the env closes: for the tests that call the app.
   */
  sipLab?: boolean;
}

export async function startUiEnv(options: UiEnvOptions = {}): Promise<UiEnv> {
  const lab = options.sipLab === true ? await startLab() : null;
  try {
    return await startUiEnvParts(options, lab);
  } catch (error) {
    await lab?.stop();
    throw error;
  }
}

async function startUiEnvParts(options: UiEnvOptions, lab: Lab | null): Promise<UiEnv> {
  const workDir = mkdtempSync(join(tmpdir(), 'blockline-ui-e2e-'));
  const rendererDir = join(workDir, 'renderer');
  const database = await openDatabase(`sqlite:${join(workDir, 'server.sqlite')}`);
  const seed = await seedDemoOrg(database);
  const server = await buildServer({ db: database, logger: false, rateLimit: false, heartbeatMs: 5_000 });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address() as AddressInfo;
  const serverUrl = `http://127.0.0.1:${address.port}`;
  await buildRenderer(rendererDir);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...UI_CHROMIUM_ARGS, ...(options.chromiumArgs ?? [])],
    headless: true,
  });
  const instances = new Set<AppInstance>();
  let hostCounter = 0;

  const openApp = async (options: OpenAppOptions): Promise<AppInstance> => {
    hostCounter += 1;
    const dataDir = join(workDir, `host-${hostCounter}`);
    mkdirSync(dataDir, { recursive: true });
    const host = await startBrowserHost({
      port: 0,
      dataDir,
      rendererDir,
      log: () => undefined,
      servicesOverrides: { backoff: { baseMs: 200, capMs: 1_000 } },
      ...(options.secretStore === undefined ? {} : { secretStore: options.secretStore(dataDir) }),
    });
    if (options.role !== null) {
      const result = await host.services.invoke('session:signIn', {
        serverUrl,
        token: seed.tokens[options.role],
      });
      if (!result.ok) throw new Error(`sign-in as ${options.role} failed: ${result.message}`);
    }
    const context = await browser.newContext({
      colorScheme: options.colorScheme ?? 'light',
      viewport: options.viewport ?? { width: 1280, height: 860 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    const invokes: AppInstance['invokes'] = [];
    const events: AppInstance['events'] = [];
    bridgeMessagesOf(page, invokes, events);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(host.url);
    const instance: AppInstance = {
      host,
      context,
      page,
      pageErrors,
      invokes,
      events,
      async close() {
        instances.delete(instance);
        await context.close().catch(() => undefined);
        await host.close().catch(() => undefined);
      },
    };
    instances.add(instance);
    return instance;
  };

  return {
    serverUrl,
    tokens: seed.tokens,
    server,
    database,
    browser,
    rendererDir,
    workDir,
    openApp,
    async close() {
      for (const instance of [...instances]) await instance.close();
      await browser.close().catch(() => undefined);
      await server.close().catch(() => undefined);
      await database.close().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
      await lab?.stop();
    },
  };
}

function bridgeMessagesOf(page: Page, invokes: AppInstance['invokes'], events: AppInstance['events']): void {
  page.on('websocket', (socket) => {
    socket.on('framereceived', (frame) => {
      const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8');
      const match = /^\{"type":"event","channel":"([^"]+)"/.exec(text);
      if (match?.[1]) events.push({ channel: match[1], bytes: text.length, at: Date.now() });
    });
    socket.on('framesent', (frame) => {
      try {
        const message: unknown = JSON.parse(
          typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8'),
        );
        if (typeof message !== 'object' || message === null || Reflect.get(message, 'type') !== 'invoke')
          return;
        const request: unknown = Reflect.get(message, 'request');
        const entries: unknown =
          typeof request === 'object' && request !== null ? Reflect.get(request, 'entries') : undefined;
        invokes.push({
          channel: String(Reflect.get(message, 'channel')),
          entries: Array.isArray(entries) ? entries.length : null,
        });
      } catch {
        // not a bridge message
      }
    });
  });
}

/** Waits until the signed-in app shows the list (the demo org has 4 rules). */
export async function waitForList(page: Page, minimum = 1): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page
    .locator('[data-rule-number]')
    .nth(minimum - 1)
    .waitFor({ timeout: 15_000 });
}

/** The usual pair for the settings tests: a lead and an agent app, each showing the demo list. */
export async function openLeadAndAgent(env: UiEnv): Promise<{ lead: AppInstance; agent: AppInstance }> {
  const [lead, agent] = await Promise.all([env.openApp({ role: 'lead' }), env.openApp({ role: 'agent' })]);
  await Promise.all([waitForList(lead.page, 4), waitForList(agent.page, 4)]);
  return { lead, agent };
}

export function rowOf(page: Page, e164: string) {
  return page.locator(`[role="row"][data-rule-number="${e164}"]`);
}

/**
 * Errors the page logged, minus a known one outside the renderer: Chromium rejects the CSP source
 * `ws://[::1]:*` (shared/csp.ts) and ignores it — reported to its owner.
 */
export function rendererErrors(instance: AppInstance): string[] {
  return instance.pageErrors.filter((message) => !message.includes("invalid source: 'ws://[::1]:*'"));
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core in the page; returns serious and critical violations only. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof Reflect.get(window, 'axe') === 'object');
  // Evaluated through the DevTools protocol: a script tag would be refused by the page's strict CSP.
  if (!loaded)
    await page.evaluate(readFileSync(join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = Reflect.get(window, 'axe') as {
      run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }>;
    };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes
        .slice(0, 5)
        .map((node) => ({ target: node.target, failureSummary: node.failureSummary })),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

export function writeTempFile(env: UiEnv, name: string, content: string): string {
  const file = join(env.workDir, name);
  writeFileSync(file, content);
  return file;
}
