/**
 * Every security and integration decision of the Electron main process, as pure functions (no
 * `electron` import), so tests assert the exact objects and answers main.ts uses. The CSP, which the
 * browser host uses too, is in shared/csp.ts.
 */
import { TELEPHONY_PAGE } from '../shared/hid-telephony';
import { screenPopOpenProblem } from '../shared/screen-pop';

/** Where the app's own page lives: the packaged file, or the Vite dev server in development. */
export type AppLocation = { kind: 'file'; indexUrl: string } | { kind: 'dev-server'; origin: string };

/** The webPreferences every Blockline window gets (Electron's security checklist). */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  experimentalFeatures: false;
  navigateOnDragDrop: false;
  spellcheck: boolean;
  /** Calls go on when the window is hidden to the tray: no timer throttling in the background. */
  backgroundThrottling: false;
}

export interface MainWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: false;
  title: string;
  autoHideMenuBar: boolean;
  webPreferences: SecureWebPreferences;
}

export function buildMainWindowOptions(input: {
  preloadPath: string;
  platform: NodeJS.Platform;
}): MainWindowOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    // Shown on 'ready-to-show' so the user never sees an unstyled flash.
    show: false,
    title: 'Blockline',
    autoHideMenuBar: input.platform !== 'darwin',
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: true,
      backgroundThrottling: false,
    },
  };
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * Whether an IPC message comes from the app's own page. Packaged: exactly the app's index.html file
 * (`file:` with no host — `file://evil/…` is a UNC share on Windows); development: exactly the dev
 * server's origin. Anything else — other files, look-alike hosts, prefixes, credentials — is refused.
 */
export function isTrustedSenderUrl(senderUrl: string, app: AppLocation): boolean {
  const sender = parseUrl(senderUrl);
  if (sender === null || sender.username !== '' || sender.password !== '') return false;
  if (app.kind === 'file') {
    const index = parseUrl(app.indexUrl);
    if (index === null || index.protocol !== 'file:') return false;
    return (
      sender.protocol === 'file:' &&
      sender.host === '' &&
      index.host === '' &&
      sender.pathname === index.pathname
    );
  }
  const origin = parseUrl(app.origin);
  if (origin === null || (origin.protocol !== 'http:' && origin.protocol !== 'https:')) return false;
  return sender.origin === origin.origin;
}

/** In-window navigation is only ever to the app's own page (a reload or hash route). */
export function isAllowedNavigation(targetUrl: string, app: AppLocation): boolean {
  return isTrustedSenderUrl(targetUrl, app);
}

/** Links the app may open in the user's browser (never in an Electron window). */
export function isAllowedExternalUrl(targetUrl: string): boolean {
  const url = parseUrl(targetUrl);
  return url !== null && url.protocol === 'https:' && url.username === '' && url.password === '';
}

/**
 * SPEC §10.11: a screen-pop URL the renderer asks the main process to open with `shell.openExternal`
 * — only https (http on loopback), never with credentials, whatever the page sends.
 */
export function isAllowedScreenPopUrl(targetUrl: string): boolean {
  return screenPopOpenProblem(targetUrl) === null;
}

export type WindowOpenDecision = { action: 'deny'; openExternally: boolean };

/** New windows are never created; an https link is handed to the system browser instead. */
export function decideWindowOpen(targetUrl: string): WindowOpenDecision {
  return { action: 'deny', openExternally: isAllowedExternalUrl(targetUrl) };
}

/**
 * Permission requests: microphone (`media` with audio only) and choosing the audio output device
 * (`speaker-selection`), for the app's own page only. Everything else — camera, geolocation,
 * notifications from the page, clipboard… — is refused. (HID goes through its own check and device
 * handlers: `isPermissionCheckAllowed`, `isHidDeviceAllowed`, `pickHidDevice`.)
 */
export function isPermissionAllowed(input: {
  permission: string;
  requestingUrl: string;
  mediaTypes?: ReadonlyArray<string>;
  app: AppLocation;
}): boolean {
  if (!isTrustedSenderUrl(input.requestingUrl, input.app)) return false;
  if (input.permission === 'speaker-selection') return true;
  if (input.permission !== 'media') return false;
  const mediaTypes = input.mediaTypes ?? [];
  // An unspecified request could be for the camera: refuse what we cannot see is audio-only.
  return mediaTypes.length > 0 && mediaTypes.every((type) => type === 'audio');
}

/** Whether an origin (as permission checks give it, no path) is the app's own page's. */
function isTrustedOrigin(requestingOrigin: string, app: AppLocation): boolean {
  if (app.kind === 'file') return requestingOrigin === 'file://' || requestingOrigin === 'file:///';
  const origin = parseUrl(app.origin);
  return origin !== null && requestingOrigin === origin.origin;
}

/**
 * The permission *check* (no request, e.g. enumerateDevices labels): the same two, same origin — and
 * `hid` (SPEC §10.9: headset buttons), which WebHID checks before `requestDevice`/`getDevices`; which
 * devices it may see is then `isHidDeviceAllowed`.
 */
export function isPermissionCheckAllowed(input: {
  permission: string;
  requestingOrigin: string;
  app: AppLocation;
}): boolean {
  if (!['media', 'speaker-selection', 'hid'].includes(input.permission)) return false;
  return isTrustedOrigin(input.requestingOrigin, input.app);
}

/**
 * The fields of Electron's HIDDevice these decisions read. Electron types a collection's `children`
 * as empty objects, so collections are read structurally.
 */
export interface HidDeviceSummary {
  deviceId: string;
  collections: readonly object[];
}

function onTelephonyPage(collections: readonly unknown[]): boolean {
  return collections.some((collection) => {
    if (typeof collection !== 'object' || collection === null) return false;
    if ('usagePage' in collection && collection.usagePage === TELEPHONY_PAGE) return true;
    const children: unknown = 'children' in collection ? collection.children : undefined;
    return Array.isArray(children) && onTelephonyPage(children as unknown[]);
  });
}

/** A headset: some collection, at any depth, on the telephony usage page (HID Usage Tables §14). */
export function isTelephonyDevice(device: object): boolean {
  const collections: unknown = 'collections' in device ? device.collections : undefined;
  return Array.isArray(collections) && onTelephonyPage(collections as unknown[]);
}

/**
 * `setDevicePermissionHandler`: the app's own page may keep using a HID device only if it is a
 * headset (keyboards, security keys and the like are never exposed); serial and USB never.
 */
export function isHidDeviceAllowed(input: {
  deviceType: string;
  origin: string;
  /** Electron's HIDDevice, SerialPort or USBDevice: only a HID device has collections. */
  device: object;
  app: AppLocation;
}): boolean {
  return (
    input.deviceType === 'hid' && isTrustedOrigin(input.origin, input.app) && isTelephonyDevice(input.device)
  );
}

/**
 * `select-hid-device` (the page's `navigator.hid.requestDevice`): Electron shows no chooser, so main
 * picks the first headset on offer for the app's own page; null (cancel) when none or another page.
 */
export function pickHidDevice(input: {
  frameUrl: string | null;
  deviceList: ReadonlyArray<HidDeviceSummary>;
  app: AppLocation;
}): string | null {
  if (input.frameUrl === null || !isTrustedSenderUrl(input.frameUrl, input.app)) return null;
  return input.deviceList.find(isTelephonyDevice)?.deviceId ?? null;
}

/** Dial links, and `blockline:` for invites (SPEC §12.4). */
export const PROTOCOL_SCHEMES = ['tel', 'callto', 'sip', 'blockline'] as const;

/** Whether an opened link is an invite (`blockline:`): the sign-in page takes it, not the dialer. */
export function isInviteProtocolUrl(link: string): boolean {
  return /^blockline:/i.test(link.trim());
}

/**
 * The number (or SIP user part) in a tel:/callto:/sip:/sips: link, for the dialer to show. The
 * dialer normalizes it and the outbound check still decides (SPEC §3.5); this only extracts.
 * Returns null for anything that is not such a link or carries nothing dialable.
 */
export function parseProtocolUrl(link: string): string | null {
  const match = /^(tel|callto|sips?):(.*)$/i.exec(link.trim());
  if (match === null) return null;
  const scheme = (match[1] ?? '').toLowerCase();
  let rest = match[2] ?? '';
  if (scheme === 'callto') rest = rest.replace(/^\/\//, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return null;
  }
  // Drop URI parameters and headers: tel:+1212;ext=1 / sip:+1212@host;user=phone?subject=x
  let target = decoded.split(/[;?]/, 1)[0] ?? '';
  if (scheme === 'sip' || scheme === 'sips') target = target.split('@', 1)[0] ?? '';
  target = target.trim();
  if (target.length === 0 || target.length > 64) return null;
  // Visual separators only; letters (vanity numbers, SIP users) pass to the dialer's own validation.
  if (!/^[+0-9A-Za-z*#(). -]+$/.test(target)) return null;
  return target;
}

/**
 * The first protocol link among command-line arguments (Windows/Linux pass it to the second instance;
 * the first instance gets it in its own argv).
 */
export function findProtocolUrlInArgv(argv: ReadonlyArray<string>): string | null {
  for (const argument of argv) {
    if (/^(tel|callto|sips?|blockline):/i.test(argument)) return argument;
  }
  return null;
}

/** electron-updater's feed from the environment; null means updates are off (the default in development). */
export type UpdateFeed =
  { provider: 'github'; owner: string; repo: string } | { provider: 'generic'; url: string } | null;

export function updateFeedFromEnv(env: Record<string, string | undefined>): UpdateFeed {
  const provider = env.BLOCKLINE_UPDATE_PROVIDER;
  if (provider === 'generic') {
    const url = env.BLOCKLINE_UPDATE_URL;
    return url !== undefined && /^https:\/\//.test(url) ? { provider: 'generic', url } : null;
  }
  if (provider === 'github') {
    const owner = env.BLOCKLINE_UPDATE_OWNER;
    const repo = env.BLOCKLINE_UPDATE_REPO;
    return owner && repo ? { provider: 'github', owner, repo } : null;
  }
  return null;
}

/** The application menu as Electron role items (structurally MenuItemConstructorOptions). */
export interface MenuTemplateItem {
  role?: string;
  label?: string;
  type?: 'separator';
  submenu?: MenuTemplateItem[];
}

export function buildAppMenuTemplate(input: {
  platform: NodeJS.Platform;
  isPackaged: boolean;
}): MenuTemplateItem[] {
  const view: MenuTemplateItem[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  // Developer tools only in development: a reload in the field would drop live calls.
  if (!input.isPackaged) view.unshift({ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' });
  return [
    ...(input.platform === 'darwin' ? [{ role: 'appMenu' }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ];
}

/**
 * Files the packaged app serves over file://: only what is inside the renderer directory. Both are
 * absolute filesystem paths; the comparison is on normalized, separator-terminated prefixes.
 */
export function isInsideDirectory(filePath: string, directory: string, separator = '/'): boolean {
  const normalizedDirectory = directory.endsWith(separator) ? directory : directory + separator;
  return (
    filePath.startsWith(normalizedDirectory) &&
    !filePath.slice(normalizedDirectory.length).split(separator).includes('..')
  );
}
