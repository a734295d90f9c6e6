/**
 * The Electron main process: thin wiring of the shared services (host/) to Electron. Every decision —
 * window options, CSP, navigation, permissions, protocol links, tray menu — is a pure function in
 * policy.ts with its own tests; this file only connects them to Electron's objects.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  Menu,
  net,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
  globalShortcut,
  ipcMain,
  powerMonitor,
  type MenuItemConstructorOptions,
} from 'electron';
import electronUpdater from 'electron-updater';
import { createMainServices, type MainServices, type TrayStatus } from '../host/services';
import { createManagedSecretStore } from '../host/secret-storage';
import { buildTrayMenuModel, trayTooltip } from '../host/tray-menu';
import { LocalStore } from '../host/local-store';
import { buildContentSecurityPolicy } from '../shared/csp';
import { IPC_EVENT, registerInvokeHandlers } from './ipc';
import {
  buildAppMenuTemplate,
  buildMainWindowOptions,
  decideWindowOpen,
  findProtocolUrlInArgv,
  isAllowedNavigation,
  isAllowedScreenPopUrl,
  isInsideDirectory,
  isHidDeviceAllowed,
  isPermissionAllowed,
  isPermissionCheckAllowed,
  pickHidDevice,
  parseProtocolUrl,
  PROTOCOL_SCHEMES,
  isInviteProtocolUrl,
  updateFeedFromEnv,
  type AppLocation,
} from './policy';
import { TRAY_ICON_DATA_URL } from './tray-icon';
import { launchOptionsFrom } from './launch';
import { runSmokeTest } from './smoke-test';
import { errorDetail } from '../shared/error-message';
import type { EventChannel, EventPayload } from '../shared/contracts/ipc';
import {
  conflictsAfterRegistration,
  DEFAULT_SHORTCUTS,
  describeConflict,
  planGlobalShortcuts,
} from '../shared/shortcuts';

const launch = launchOptionsFrom(process.argv, process.env, path.join, () =>
  mkdtempSync(path.join(tmpdir(), 'blockline-smoke-test-')),
);
// A smoke test's stdout is its one result line; the log goes to stderr then.
const log = (message: string) => (launch.smokeTest ? console.error : console.log)(`[main] ${message}`);
// Before the single-instance lock, which lives in the profile: one lock per data directory.
if (launch.userDataDir !== null) app.setPath('userData', launch.userDataDir);
if (launch.allowLoopbackMedia) app.commandLine.appendSwitch('allow-loopback-in-peer-connection');
const rendererDir = path.join(__dirname, '..', 'dist', 'renderer');
const devServerUrl = app.isPackaged ? undefined : process.env.BLOCKLINE_DEV_SERVER_URL;
const appLocation: AppLocation =
  devServerUrl === undefined
    ? { kind: 'file', indexUrl: pathToFileURL(path.join(rendererDir, 'index.html')).href }
    : { kind: 'dev-server', origin: new URL(devServerUrl).origin };
const contentSecurityPolicy = buildContentSecurityPolicy(
  devServerUrl === undefined ? {} : { devServerOrigin: new URL(devServerUrl).origin },
);

let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
let services: MainServices | null = null;
let quitting = false;
let rendererReady = false;
const pendingDialerNumbers: string[] = [];
const pendingInviteLinks: string[] = [];

function showWindow(): void {
  if (mainWindow === null) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/**
 * tel:/callto:/sip: links open the dialer (the outbound check still runs when the call is placed);
 * blockline://invite links go to the sign-in page, which checks them (shared/invite-link.ts) and asks
 * the person to confirm the server before anything is sent. The link carries a one-time code: not logged.
 */
function openProtocolLink(link: string | null): void {
  if (link === null) return;
  if (isInviteProtocolUrl(link)) {
    showWindow();
    const invite = { link: link.slice(0, 2000) };
    if (services !== null && rendererReady) services.emit('invite:open', invite);
    else pendingInviteLinks.push(invite.link);
    return;
  }
  const number = parseProtocolUrl(link);
  if (number === null) {
    log(`ignored a link that carries no number: ${link.slice(0, 100)}`);
    return;
  }
  showWindow();
  if (services !== null && rendererReady) services.emit('dialer:open', { number });
  else pendingDialerNumbers.push(number);
}

function registerProtocolHandlers(): void {
  for (const scheme of PROTOCOL_SCHEMES) {
    const registered =
      process.defaultApp && process.argv[1] !== undefined
        ? app.setAsDefaultProtocolClient(scheme, process.execPath, [path.resolve(process.argv[1])])
        : app.setAsDefaultProtocolClient(scheme);
    if (!registered) log(`could not register as the ${scheme}: handler`);
  }
}

function updateTray(status: TrayStatus): void {
  if (tray === null) return;
  const now = new Date();
  const visible = mainWindow?.isVisible() ?? false;
  const template: MenuItemConstructorOptions[] = buildTrayMenuModel(status, visible, now).map((item) => {
    if (item.kind === 'separator') return { type: 'separator' };
    if (item.kind === 'status') return { label: item.label, enabled: false };
    if (item.kind === 'choice')
      return {
        label: item.label,
        type: 'radio',
        checked: item.checked,
        click: () => services?.emit('tray:setAvailability', { availability: item.availability }),
      };
    return {
      label: item.label,
      enabled: item.enabled,
      click: () => {
        if (item.id === 'quit') {
          quitting = true;
          app.quit();
        } else if (item.id === 'toggle-window') {
          if (mainWindow?.isVisible()) mainWindow.hide();
          else showWindow();
          if (services !== null) updateTray(services.trayStatus());
        } else {
          showWindow();
          services?.emit('tray:blockLastCaller', {});
        }
      },
    };
  });
  tray.setContextMenu(Menu.buildFromTemplate(template));
  tray.setToolTip(trayTooltip(status, now));
}

function notifyIncomingCall(call: { callId: string; caller: string; line: string | null }): boolean {
  if (!Notification.isSupported()) return false;
  const notification = new Notification({
    title: `Incoming call: ${call.caller}`,
    body: call.line === null ? 'Click to show' : `On ${call.line}`,
    silent: true, // the renderer plays the ringtone on the chosen output device
    actions: [
      { type: 'button', text: 'Answer' },
      { type: 'button', text: 'Decline' },
    ],
  });
  notification.on('click', () => {
    showWindow();
    services?.emit('notify:action', { callId: call.callId, action: 'show' });
  });
  notification.on('action', (_event, index) => {
    if (index === 0) showWindow();
    services?.emit('notify:action', { callId: call.callId, action: index === 0 ? 'answer' : 'decline' });
  });
  notification.show();
  return true;
}

/** Serves only the renderer's own files over file:, each with the CSP header. */
function interceptFileProtocol(): void {
  const root = path.resolve(rendererDir);
  protocol.handle('file', async (request) => {
    let filePath: string;
    try {
      filePath = path.resolve(fileURLToPath(request.url));
    } catch {
      return new Response('Not found', { status: 404 }); // file://host/… and other non-local forms
    }
    if (!isInsideDirectory(filePath, root, path.sep)) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(filePath).href, { bypassCustomProtocolHandlers: true });
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', contentSecurityPolicy);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function hardenSession(): void {
  const defaultSession = session.defaultSession;
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] },
    });
  });
  defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    const allowed = isPermissionAllowed({
      permission,
      requestingUrl: details.requestingUrl,
      ...(mediaTypes === undefined ? {} : { mediaTypes }),
      app: appLocation,
    });
    if (!allowed) log(`refused permission ${permission} for ${details.requestingUrl}`);
    callback(allowed);
  });
  defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionCheckAllowed({ permission, requestingOrigin, app: appLocation }),
  );
  // Headset buttons (SPEC §10.9): WebHID for the app's page, and only ever for telephony devices.
  defaultSession.setDevicePermissionHandler((details) =>
    isHidDeviceAllowed({ ...details, app: appLocation }),
  );
  defaultSession.on('select-hid-device', (event, details, callback) => {
    event.preventDefault();
    const deviceId = pickHidDevice({
      frameUrl: details.frame?.url ?? null,
      deviceList: details.deviceList,
      app: appLocation,
    });
    if (deviceId === null) log('no headset to grant for navigator.hid.requestDevice');
    callback(deviceId);
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(
    buildMainWindowOptions({ preloadPath: path.join(__dirname, 'preload.cjs'), platform: process.platform }),
  );
  window.once('ready-to-show', () => window.show());
  window.on('close', (event) => {
    // Hiding keeps the phone (and any live call) running; Quit is in the tray and the app menu.
    if (!quitting) {
      event.preventDefault();
      window.hide();
    }
  });
  window.on('show', () => services !== null && updateTray(services.trayStatus()));
  window.on('hide', () => services !== null && updateTray(services.trayStatus()));
  window.webContents.on('did-finish-load', () => {
    rendererReady = true;
    for (const number of pendingDialerNumbers.splice(0)) services?.emit('dialer:open', { number });
    for (const link of pendingInviteLinks.splice(0)) services?.emit('invite:open', { link });
  });
  window.webContents.on('did-start-loading', () => {
    rendererReady = false;
  });
  void (devServerUrl === undefined
    ? window.loadFile(path.join(rendererDir, 'index.html'))
    : window.loadURL(devServerUrl));
  return window;
}

function startAutoUpdate(): void {
  // Never on the start-up path and never a forced restart: downloads in the background and installs
  // when the user quits, so a live call is never cut.
  if (!app.isPackaged || !launch.checkForUpdates) return;
  const { autoUpdater } = electronUpdater;
  const feed = updateFeedFromEnv(process.env);
  if (feed !== null) autoUpdater.setFeedURL(feed);
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.on('error', (error) => log(`update check failed: ${error.message}`));
  setTimeout(() => {
    autoUpdater.checkForUpdates().catch((error: unknown) => log(`update check failed: ${String(error)}`));
  }, 15_000).unref();
}

async function signInFromEnvironment(current: MainServices): Promise<void> {
  const serverUrl = process.env.BLOCKLINE_SERVER_URL;
  const token = process.env.BLOCKLINE_TOKEN;
  if (serverUrl === undefined || token === undefined) return;
  const session = await current.invoke('session:get', undefined);
  if (session.signedIn && session.serverUrl === serverUrl.replace(/\/+$/, '')) return;
  const result = await current.invoke('session:signIn', { serverUrl, token });
  if (!result.ok) log(`sign-in from the environment failed: ${result.message}`);
}

function start(): void {
  const dataDir = app.getPath('userData'); // BLOCKLINE_DATA_DIR/electron when set (launch.ts)
  const store = new LocalStore({ dir: dataDir, log });
  // SPEC §11.6: a weak Linux keychain (basic_text) is no keychain; the policy decides, this only asks.
  const secrets = createManagedSecretStore({
    dir: dataDir,
    cipher: safeStorage,
    keychain: {
      platform: process.platform,
      encryptionAvailable: safeStorage.isEncryptionAvailable(),
      linuxBackend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null,
    },
    log,
  });
  const current = createMainServices({
    store,
    secrets,
    secretStorage: secrets,
    fetch: (input, init) => net.fetch(input instanceof URL ? input.href : input, init),
    now: () => new Date(),
    random: Math.random,
    log,
    appInfo: {
      host: 'electron',
      version: app.getVersion(),
      capabilities: {
        tray: true,
        nativeNotifications: Notification.isSupported(),
        osKeychain: secrets.status().mode === 'keychain',
        protocolHandlers: true,
      },
    },
    native: {
      notifyIncomingCall,
      onTrayStatus: updateTray,
      // SPEC §10.11: checked again here, whatever the services checked, before the OS sees it.
      openExternal: async (url) => {
        if (!isAllowedScreenPopUrl(url)) throw new Error('not an https screen-pop URL');
        await shell.openExternal(url);
      },
    },
  });
  services = current;

  hardenSession();
  if (devServerUrl === undefined) interceptFileProtocol();
  registerInvokeHandlers({ ipcMain, services: current, app: appLocation, log });
  current.onAny((channel, payload) => {
    if (mainWindow !== null && !mainWindow.isDestroyed())
      mainWindow.webContents.send(IPC_EVENT, channel, payload);
  });
  const sendEvent = <C extends EventChannel>(channel: C, payload: EventPayload<C>) => {
    if (mainWindow !== null && !mainWindow.isDestroyed())
      mainWindow.webContents.send(IPC_EVENT, channel, payload);
  };
  // SPEC §10.9: the plan (electron policy in shared/shortcuts.ts) decides; the OS may still refuse one.
  const plan = planGlobalShortcuts(DEFAULT_SHORTCUTS, process.platform);
  const conflicts = conflictsAfterRegistration(plan, (accelerator) => {
    const entry = plan.register.find((candidate) => candidate.accelerator === accelerator);
    return entry
      ? globalShortcut.register(accelerator, () => sendEvent('shortcut:action', { action: entry.action }))
      : false;
  });
  for (const conflict of conflicts) log(`global shortcut not registered: ${describeConflict(conflict)}`);
  // SPEC §10.6: after sleep every line re-registers at once instead of waiting for its backoff.
  powerMonitor.on('resume', () => sendEvent('power:resumed', {}));

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildAppMenuTemplate({
        platform: process.platform,
        isPackaged: app.isPackaged,
      }) as MenuItemConstructorOptions[],
    ),
  );
  tray = new Tray(nativeImage.createFromDataURL(TRAY_ICON_DATA_URL));
  tray.on('click', () => showWindow());
  mainWindow = createWindow();
  if (launch.smokeTest) runSmokeTest(mainWindow, secrets.status().mode);
  current.start();
  updateTray(current.trayStatus());
  void signInFromEnvironment(current);
  openProtocolLink(findProtocolUrlInArgv(process.argv));
  startAutoUpdate();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    showWindow();
    openProtocolLink(findProtocolUrlInArgv(argv));
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openProtocolLink(url);
  });
  // Every web contents, present and future: no navigation away, no new windows, no webviews.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url, appLocation)) {
        event.preventDefault();
        log(`refused navigation to ${url}`);
      }
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (decideWindowOpen(url).openExternally) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    globalShortcut.unregisterAll();
    if (services === null) return;
    const stopping = services;
    services = null;
    event.preventDefault();
    void stopping.stop().finally(() => app.quit());
  });
  app.on('activate', () => showWindow());
  // The window hides instead of closing; the app lives in the tray until Quit.
  app.on('window-all-closed', () => {});
  if (launch.registerProtocolHandlers) registerProtocolHandlers();
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log(`start-up failed: ${errorDetail(error)}`);
      app.exit(1);
    });
}
