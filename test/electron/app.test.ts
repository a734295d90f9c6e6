/**
 * The unpackaged desktop app in a real Electron, driven by Playwright (SPEC §8, §11.6): the window's
 * isolation, the preload's one bridge, the single-instance hand-over of a tel: link to the dialer (still
 * checked against the blocklist), and where secrets land. Skipped, with the reason, where the Electron
 * binary is missing; run by the hosted workflow on Linux (xvfb), Windows and macOS.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../shared/contracts/ipc';
import {
  assertBuilt,
  electron,
  filesHolding,
  invoke,
  launchApp,
  makeWorkDir,
  needsElectron,
  removeDir,
  runSecondInstance,
  startOrgServer,
  type LaunchedApp,
  type OrgServer,
} from './electron-harness';

/** Where this runner must keep secrets: the workflow says (a Linux runner has no keyring). */
const EXPECTED_STORAGE = process.env.BLOCKLINE_EXPECT_SECRET_STORAGE;

describe.skipIf(electron.path === null)(needsElectron('the desktop app in Electron'), () => {
  let workDir: string;
  let server: OrgServer;
  const running: LaunchedApp[] = [];
  const launch = async (...args: Parameters<typeof launchApp>) => {
    const launched = await launchApp(...args);
    running.push(launched);
    return launched;
  };
  const quit = async (launched: LaunchedApp) => {
    running.splice(running.indexOf(launched), 1);
    await launched.app.close();
  };

  beforeAll(async () => {
    assertBuilt();
    workDir = makeWorkDir();
    server = await startOrgServer(workDir);
  });
  afterAll(async () => {
    for (const launched of running) await launched.app.close().catch(() => undefined);
    await server?.close();
    if (workDir) removeDir(workDir);
  });

  it('opens its window with contextIsolation and the OS sandbox on, and no Node in the page', async () => {
    const launched = await launch(path.join(workDir, 'window'));
    // The preload's contextBridge works only with contextIsolation: the bridge being there proves it.
    expect(await launched.page.evaluate(() => typeof Reflect.get(window, 'blockline'))).toBe('object');
    // The renderer runs in the OS sandbox: Electron reports it on macOS and Windows; on Linux a sandboxed
    // renderer has no --no-sandbox switch and runs under a seccomp-bpf filter.
    const renderer = await launched.app.evaluate(({ app, BrowserWindow }) => {
      const [window] = BrowserWindow.getAllWindows();
      const pid = window?.webContents.getOSProcessId() ?? -1;
      const metric = app.getAppMetrics().find((process) => process.pid === pid);
      return { pid, type: metric?.type ?? null, sandboxed: metric?.sandboxed ?? null };
    });
    expect(renderer.type).toBe('Tab');
    if (process.platform === 'linux') {
      const commandLine = readFileSync(`/proc/${renderer.pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine).toContain('--type=renderer');
      expect(commandLine).not.toContain('--no-sandbox');
      expect(readFileSync(`/proc/${renderer.pid}/status`, 'utf8')).toMatch(/^Seccomp:\s+2$/m);
    } else {
      expect(renderer.sandboxed).toBe(true);
    }
    const page = await launched.page.evaluate(() => ({
      require: typeof Reflect.get(window, 'require'),
      process: typeof Reflect.get(window, 'process'),
      module: typeof Reflect.get(window, 'module'),
      url: location.protocol,
    }));
    expect(page).toEqual({ require: 'undefined', process: 'undefined', module: 'undefined', url: 'file:' });
    await launched.page.getByLabel('Server address').waitFor();
    await quit(launched);
  });

  it('the preload exposes only the typed bridge, and the main process checks every call', async () => {
    const launched = await launch(path.join(workDir, 'bridge'));
    const { page } = launched;
    const exposed = await page.evaluate(() => {
      const bridge: unknown = Reflect.get(window, 'blockline');
      const keys = typeof bridge === 'object' && bridge !== null ? Object.keys(bridge).sort() : null;
      const leaked = Object.getOwnPropertyNames(window).filter((name) => /ipc|electron/i.test(name));
      return { keys, leaked };
    });
    expect(exposed).toEqual({ keys: ['invoke', 'on'], leaked: [] });
    const info = await invoke(page, 'app:info', undefined);
    expect(info).toMatchObject({ host: 'electron', capabilities: { tray: true, protocolHandlers: true } });
    const refusals = await page.evaluate(async () => {
      const bridge = Reflect.get(window, 'blockline') as {
        invoke(channel: string, request: unknown): Promise<unknown>;
      };
      const outcome = (call: Promise<unknown>) =>
        call.then(
          () => 'resolved',
          (error: unknown) => String(error),
        );
      return {
        unknownChannel: await outcome(bridge.invoke('shell:openExternal', 'file:///etc/passwd')),
        badArgument: await outcome(bridge.invoke('session:signIn', { serverUrl: 'not a url', token: 1 })),
      };
    });
    expect(refusals.unknownChannel).toMatch(/not a Blockline channel/);
    expect(refusals.badArgument).toMatch(/Refused session:signIn/);
    await quit(launched);
  });

  it('a second launch focuses the first and hands it its tel: link; the dialer shows it and the blocklist still decides', async () => {
    const dataDir = path.join(workDir, 'single-instance');
    const first = await launch(dataDir, {
      BLOCKLINE_SERVER_URL: server.url,
      BLOCKLINE_TOKEN: server.tokens.lead,
    });
    const { page } = first;
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    // A line whose PBX cannot be reached: the outbound check needs a line, not a registration.
    await invoke(page, 'phone:saveAccount', {
      account: {
        id: 'e2e-line',
        websocketUrl: 'ws://127.0.0.1:9',
        sipUri: 'sip:agent1@127.0.0.1',
        displayName: 'E2E',
        lineNumber: '+12125550100',
        iceServers: [],
        enabled: true,
      },
      password: 'sip-password-e2e',
    });
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    await first.app.evaluate(({ BrowserWindow }) => {
      const [window] = BrowserWindow.getAllWindows();
      if (window === undefined) throw new Error('no window');
      const counter = globalThis as { blocklineFocusCalls?: number };
      counter.blocklineFocusCalls = 0;
      const focus = window.focus.bind(window);
      window.focus = () => {
        counter.blocklineFocusCalls = (counter.blocklineFocusCalls ?? 0) + 1;
        focus();
      };
      window.hide();
    });

    expect(await runSecondInstance(dataDir, ['tel:+1-900-555-1234'])).toBe(0);

    // Focus itself needs a window manager (xvfb has none): the app asking for it is what it controls.
    await expect
      .poll(() =>
        first.app.evaluate(({ BrowserWindow }) => {
          const [window] = BrowserWindow.getAllWindows();
          const counter = globalThis as { blocklineFocusCalls?: number };
          return { visible: window?.isVisible() ?? false, focused: (counter.blocklineFocusCalls ?? 0) > 0 };
        }),
      )
      .toEqual({ visible: true, focused: true });
    expect(first.app.windows()).toHaveLength(1);

    const dialer = page.getByLabel('Number to call');
    await expect.poll(() => dialer.inputValue()).toBe('+1-900-555-1234');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByText('Blocked by your organization: Premium-rate numbers').waitFor();
    await quit(first);
  });

  it('the tray offers Available / Do not disturb: it follows the header, and a choice in the tray reaches the phone (SPEC §10.4)', async () => {
    const launched = await launch(path.join(workDir, 'tray-availability'), {
      BLOCKLINE_SERVER_URL: server.url,
      BLOCKLINE_TOKEN: server.tokens.agent,
    });
    const { app, page } = launched;
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    // Electron has no getter for a tray's menu: keep each one the main process sets.
    await app.evaluate(({ Tray }) => {
      const kept = globalThis as { blocklineTrayMenus?: Electron.Menu[] };
      kept.blocklineTrayMenus = [];
      const setContextMenu = Reflect.get(Tray.prototype, 'setContextMenu') as (menu: Electron.Menu) => void;
      Tray.prototype.setContextMenu = function (this: Electron.Tray, menu: Electron.Menu) {
        kept.blocklineTrayMenus?.push(menu);
        setContextMenu.call(this, menu);
      };
    });
    const availabilityInTray = () =>
      app.evaluate(() => {
        const menus = (globalThis as { blocklineTrayMenus?: Electron.Menu[] }).blocklineTrayMenus ?? [];
        const last = menus.at(-1);
        return (
          last?.items.filter((item) => item.type === 'radio' && item.checked).map((item) => item.label) ?? []
        );
      });
    const header = page.getByLabel('Availability');
    await header.selectOption('dnd');
    await expect.poll(availabilityInTray, { timeout: 10_000 }).toEqual(['Do not disturb']);
    await app.evaluate(() => {
      const menus = (globalThis as { blocklineTrayMenus?: Electron.Menu[] }).blocklineTrayMenus ?? [];
      const available = menus.at(-1)?.items.find((item) => item.label === 'Available');
      if (available === undefined) throw new Error('no Available item in the tray');
      available.click();
    });
    await expect.poll(() => header.inputValue(), { timeout: 10_000 }).toBe('available');
    await expect.poll(availabilityInTray, { timeout: 10_000 }).toEqual(['Available']);
    await quit(launched);
  });

  it('a blockline://invite link handed to a signed-out app shows the server and waits for the person to confirm', async () => {
    const dataDir = path.join(workDir, 'invite-link');
    const first = await launch(dataDir);
    const { page } = first;
    await page.getByRole('button', { name: 'I have a token' }).waitFor({ timeout: 30_000 });
    // The protocol is registered with the OS (setAsDefaultProtocolClient) for tel/callto/sip and blockline.
    const registered = await first.app.evaluate(({ app }) => app.isDefaultProtocolClient('blockline'));
    expect(typeof registered).toBe('boolean');
    const link = `blockline://invite?${new URLSearchParams({ server: server.url, code: 'ABCD-1234-EFGH-5678-JKMN' }).toString()}`;
    // Windows and Linux hand the link to the running app as the second instance's argument.
    expect(await runSecondInstance(dataDir, [link])).toBe(0);
    const confirm = page.getByTestId('confirm-server');
    await confirm.waitFor();
    expect(await confirm.locator('.bl-signin__server').textContent()).toBe(new URL(server.url).origin);
    // Nothing was sent: the app is still signed out until the person confirms.
    expect(await invoke(page, 'session:get', undefined)).toEqual({ signedIn: false });
    await quit(first);
  });

  it(`secrets land in the keychain, or without one are not stored until the user accepts the plain file (expected here: ${EXPECTED_STORAGE ?? 'whatever the OS offers'})`, async () => {
    const dataDir = path.join(workDir, 'secrets');
    const token = server.tokens.agent;
    const first = await launch(dataDir, { BLOCKLINE_SERVER_URL: server.url, BLOCKLINE_TOKEN: token });
    await first.page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    const status = await invoke(first.page, 'secrets:status', undefined);
    const info = await invoke(first.page, 'app:info', undefined);
    if (EXPECTED_STORAGE !== undefined) expect(status.mode).toBe(EXPECTED_STORAGE);
    expect(info.capabilities.osKeychain).toBe(status.mode === 'keychain');
    await quit(first);
    expect(filesHolding(dataDir, token)).toEqual([]);

    // Restarted without the token in its environment: only a stored secret signs it in.
    const second = await launch(dataDir);
    const session = await sessionOf(second);
    if (status.mode === 'keychain') {
      expect(session.signedIn).toBe(true);
      await quit(second);
      expect(filesHolding(dataDir, token)).toEqual([]);
      return;
    }

    expect(status.mode).toBe('not-stored');
    expect(session.signedIn).toBe(false);
    const { page } = second;
    await page.getByRole('region', { name: 'Sign-in is not saved on this computer' }).waitFor();
    await page.getByRole('button', { name: 'Keep secrets in a plain file' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Secrets are kept unencrypted' }).waitFor();
    await page.getByLabel('Server address').fill(server.url);
    await page.getByLabel('Personal token').fill(token);
    await page.getByLabel('Personal token').press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
    const accepted = await invoke(page, 'secrets:status', undefined);
    const acceptedInfo = await invoke(page, 'app:info', undefined);
    expect(accepted).toMatchObject({ mode: 'plain-file', chosenByUser: true });
    expect(acceptedInfo.capabilities.osKeychain).toBe(false);
    await quit(second);
    if (accepted.mode !== 'plain-file') return;
    expect(filesHolding(dataDir, token)).toEqual([accepted.file]);
    if (process.platform !== 'win32') expect(statSync(accepted.file).mode & 0o777).toBe(0o600);
    const third = await launch(dataDir);
    expect((await sessionOf(third)).signedIn).toBe(true);
    await quit(third);
  });
});

async function sessionOf(launched: LaunchedApp): Promise<Session> {
  await launched.page.locator('main').first().waitFor();
  return invoke(launched.page, 'session:get', undefined);
}
