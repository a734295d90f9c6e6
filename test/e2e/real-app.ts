/**
 * The real product in the SIP lab: the browser host (main-process services) serving the built
 * renderer, signed in to an org server, opened in Debian's Chromium, with a SIP account saved through
 * the app's own IPC channel and registered at the lab's Kamailio. Used by test/e2e/app-sip.test.ts and
 * by `npm run lab:up` (test/sip-lab/lab-daemon.ts). Everything here must run in the lab's
 * loopback-only network namespace.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host';
import type { NativeIntegration } from '../../host/services';
import type { BlocklineApi, SipAccount } from '../../shared/contracts/ipc';
import { KAMAILIO_WS_URL, LAB_DIR, LAB_SIP_DOMAIN, LAB_SIP_PASSWORD } from '../sip-lab/lab';

export const REPO_ROOT = path.resolve(LAB_DIR, '..', '..');
const BUILT_RENDERER = path.join(REPO_ROOT, 'dist', 'renderer');

/** The lab account of the demo agent: agent1 on the demo org's "Sales" line. */
export const LAB_AGENT_ACCOUNT: SipAccount = {
  id: 'agent1',
  websocketUrl: KAMAILIO_WS_URL,
  sipUri: `sip:agent1@${LAB_SIP_DOMAIN}`,
  displayName: 'Agent One',
  lineNumber: '+12125550100',
  iceServers: [],
  enabled: true,
};

function newestMtimeMs(entry: string): number {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtimeMs(path.join(entry, name)));
  return newest;
}

/**
 * The renderer to serve: `dist/renderer` when it is newer than every source it is built from,
 * otherwise a fresh `vite build` into `fallbackDir` (never over `dist/renderer`, which others may be
 * serving or building at the same time).
 */
export async function freshRendererBuild(fallbackDir: string): Promise<string> {
  const builtIndex = path.join(BUILT_RENDERER, 'index.html');
  if (existsSync(builtIndex)) {
    const sources = ['renderer', 'shared', 'vite.config.ts'].map((name) => path.join(REPO_ROOT, name));
    const newestSource = Math.max(...sources.map(newestMtimeMs));
    if (statSync(builtIndex).mtimeMs > newestSource) return BUILT_RENDERER;
  }
  await build({
    configFile: path.join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: fallbackDir, emptyOutDir: true, sourcemap: false },
  });
  return fallbackDir;
}

export interface RunningApp {
  host: BrowserHost;
  page: Page;
  /** Messages of uncaught page errors and console errors, for failure messages. */
  pageErrors: string[];
  /** The Dialer's line labels, e.g. "(212) 555-0100 — ready". */
  lineLabels(): Promise<string[]>;
  /** Signs out (the phone unregisters, so Kamailio keeps no stale contact) and closes page and host. */
  close(): Promise<void>;
}

export interface StartAppOptions {
  browser: Browser;
  serverUrl: string;
  token: string;
  rendererDir: string;
  dataDir: string;
  account?: SipAccount;
  sipPassword?: string;
  /** How long to wait for the line to register (default 20 s). */
  registerTimeoutMs?: number;
  /** Stand-ins for what only the desktop app can do (e.g. Electron's `shell.openExternal`). */
  native?: NativeIntegration;
  /** Runs on the new page before the app is first loaded, e.g. `page.addInitScript` for a stub. */
  beforeLoad?: (page: Page) => Promise<unknown>;
}

/**
 * Starts the browser host, signs it in with `token`, opens the app in `browser`, saves the SIP
 * account through `window.blockline.invoke('phone:saveAccount', …)` in the page, reloads so the app
 * (re)creates its phone from the saved accounts, and resolves once the Dialer shows the line ready.
 */
export async function startAppRegistered(options: StartAppOptions): Promise<RunningApp> {
  const account = options.account ?? LAB_AGENT_ACCOUNT;
  const host = await startBrowserHost({
    port: 0,
    dataDir: options.dataDir,
    rendererDir: options.rendererDir,
    log: () => undefined,
    servicesOverrides: { backoff: { baseMs: 200, capMs: 1000 }, reportRetryMs: 500 },
    ...(options.native === undefined ? {} : { native: options.native }),
  });
  const pageErrors: string[] = [];
  let page: Page | null = null;
  const close = async () => {
    if (page !== null && !page.isClosed()) {
      // Signing out suspends the phone, which unregisters the line.
      await page
        .evaluate(async () => {
          const api: BlocklineApi = Reflect.get(window, 'blockline');
          await api.invoke('session:signOut', undefined);
        })
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await page.close().catch(() => undefined);
    }
    await host.close();
  };
  try {
    const signIn = await host.services.invoke('session:signIn', {
      serverUrl: options.serverUrl,
      token: options.token,
    });
    if (!signIn.ok) throw new Error(`the app could not sign in to ${options.serverUrl}: ${signIn.message}`);

    page = await options.browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await options.beforeLoad?.(page);
    await page.goto(host.url);
    await page.waitForFunction(() => Reflect.get(window, 'blockline') !== undefined);
    await page.evaluate(
      async ({ sipAccount, password }) => {
        const api: BlocklineApi = Reflect.get(window, 'blockline');
        await api.invoke('phone:saveAccount', { account: sipAccount, password });
      },
      { sipAccount: account, password: options.sipPassword ?? LAB_SIP_PASSWORD },
    );
    // The app builds its phone from the saved accounts when it starts signed in.
    await page.reload();
    const running: RunningApp = {
      host,
      page,
      pageErrors,
      lineLabels: async () => {
        if (page === null) return [];
        return page.getByLabel('Line').locator('option').allTextContents();
      },
      close,
    };
    const deadline = Date.now() + (options.registerTimeoutMs ?? 20_000);
    let labels: string[] = [];
    while (Date.now() < deadline) {
      labels = await running.lineLabels().catch(() => []);
      if (labels.some((label) => label.endsWith('— ready'))) return running;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `the app's line did not register within ${options.registerTimeoutMs ?? 20_000} ms; ` +
        `Dialer lines: ${JSON.stringify(labels)}; page errors: ${JSON.stringify(pageErrors.slice(-5))}`,
    );
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
