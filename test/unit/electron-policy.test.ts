/** The Electron main process's decisions, asserted on the objects it builds (no `electron` import). */
import { describe, expect, it } from 'vitest';
import {
  buildAppMenuTemplate,
  buildMainWindowOptions,
  decideWindowOpen,
  findProtocolUrlInArgv,
  isAllowedNavigation,
  isHidDeviceAllowed,
  isInsideDirectory,
  isPermissionAllowed,
  isPermissionCheckAllowed,
  isTrustedSenderUrl,
  parseProtocolUrl,
  pickHidDevice,
  PROTOCOL_SCHEMES,
  isInviteProtocolUrl,
  updateFeedFromEnv,
  type AppLocation,
} from '../../electron/policy';
import { buildContentSecurityPolicy } from '../../shared/csp';
import { GENERIC, POLY_STYLE } from './hid-headset-fixtures';

const packaged: AppLocation = {
  kind: 'file',
  indexUrl: 'file:///opt/Blockline/resources/app.asar/dist/renderer/index.html',
};
const dev: AppLocation = { kind: 'dev-server', origin: 'http://127.0.0.1:5173' };

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('main window options', () => {
  const options = buildMainWindowOptions({
    preloadPath: '/app/dist-electron/preload.cjs',
    platform: 'linux',
  });

  it('follows the Electron security checklist', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist-electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('keeps working hidden (no background throttling) and shows only when ready', () => {
    expect(options.webPreferences.backgroundThrottling).toBe(false);
    expect(options.show).toBe(false);
  });

  it('hides the menu bar except on macOS', () => {
    expect(buildMainWindowOptions({ preloadPath: 'p', platform: 'darwin' }).autoHideMenuBar).toBe(false);
    expect(buildMainWindowOptions({ preloadPath: 'p', platform: 'win32' }).autoHideMenuBar).toBe(true);
  });
});

describe('Content-Security-Policy', () => {
  const csp = directives(buildContentSecurityPolicy());

  it('allows scripts only from the app itself: no inline, no eval, no remote', () => {
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(buildContentSecurityPolicy()).not.toMatch(/unsafe-eval|unsafe-inline/);
  });

  it('forbids plugins, framing, base and form redirection', () => {
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('frame-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
  });

  it('lets the phone reach a secure SIP WebSocket anywhere, and plain ws:// only on loopback', () => {
    const connect = csp.get('connect-src') ?? [];
    expect(connect).toContain('wss:');
    expect(connect.filter((source) => source.startsWith('ws://'))).toEqual([
      'ws://127.0.0.1:*',
      'ws://localhost:*',
    ]);
    expect(connect).not.toContain('*');
    expect(connect).not.toContain('ws:');
  });

  it('uses only sources that CSP grammar allows (Chromium rejects e.g. an IPv6 literal like ws://[::1]:*)', () => {
    const keyword = /^'(self|none|unsafe-inline)'$/;
    const schemeSource = /^[a-z][a-z0-9+.-]*:$/;
    const hostSource =
      /^([a-z][a-z0-9+.-]*:\/\/)?(\*|(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*)(:(\d+|\*))?(\/[^\s;,]*)?$/i;
    const policies = [
      buildContentSecurityPolicy(),
      buildContentSecurityPolicy({
        devServerOrigin: 'http://127.0.0.1:5173',
        extraConnectSources: ['ws://127.0.0.1:4100', 'ws://localhost:4100'],
      }),
    ];
    for (const policy of policies) {
      for (const [name, sources] of directives(policy)) {
        for (const source of sources) {
          const valid = keyword.test(source) || schemeSource.test(source) || hostSource.test(source);
          expect(valid, `${name} ${source}`).toBe(true);
        }
      }
    }
    expect(buildContentSecurityPolicy()).not.toContain('[');
  });

  it('adds the dev server (and its HMR socket) only when one is given, still without eval', () => {
    const withDev = buildContentSecurityPolicy({ devServerOrigin: 'http://127.0.0.1:5173' });
    expect(directives(withDev).get('script-src')).toEqual(["'self'", 'http://127.0.0.1:5173']);
    expect(directives(withDev).get('connect-src')).toContain('ws://127.0.0.1:5173');
    expect(withDev).not.toMatch(/unsafe-eval/);
  });
});

describe('isTrustedSenderUrl', () => {
  it("accepts the packaged app's own page, with a hash route or query", () => {
    expect(
      isTrustedSenderUrl('file:///opt/Blockline/resources/app.asar/dist/renderer/index.html', packaged),
    ).toBe(true);
    expect(
      isTrustedSenderUrl(
        'file:///opt/Blockline/resources/app.asar/dist/renderer/index.html#/settings',
        packaged,
      ),
    ).toBe(true);
  });

  it.each([
    ['another local file', 'file:///tmp/evil.html'],
    ['a file beside the app page', 'file:///opt/Blockline/resources/app.asar/dist/renderer/other.html'],
    ['a UNC host', 'file://evil/opt/Blockline/resources/app.asar/dist/renderer/index.html'],
    [
      'a path that only starts like the page',
      'file:///opt/Blockline/resources/app.asar/dist/renderer/index.html.evil',
    ],
    [
      'a traversal that leaves the app',
      'file:///opt/Blockline/resources/app.asar/dist/renderer/../../../../../tmp/index.html',
    ],
    ['an https page', 'https://example.com/index.html'],
    ['an empty URL (destroyed frame)', ''],
    ['garbage', 'not a url'],
    ['a data URL', 'data:text/html,<script>1</script>'],
    ['about:blank', 'about:blank'],
  ])('refuses %s for the packaged app', (_name, url) => {
    expect(isTrustedSenderUrl(url, packaged)).toBe(false);
  });

  it('accepts exactly the dev server origin', () => {
    expect(isTrustedSenderUrl('http://127.0.0.1:5173/', dev)).toBe(true);
    expect(isTrustedSenderUrl('http://127.0.0.1:5173/index.html?x=1#/calls', dev)).toBe(true);
  });

  it.each([
    ['another port', 'http://127.0.0.1:5174/'],
    ['https instead of http', 'https://127.0.0.1:5173/'],
    ['a host that starts with the origin', 'http://127.0.0.1:5173.evil.com/'],
    ['credentials smuggling a host', 'http://127.0.0.1:5173@evil.com/'],
    ['credentials on the right host', 'http://user:pass@127.0.0.1:5173/'],
    ['a look-alike subdomain', 'https://app.evil.com/'],
    ['localhost for 127.0.0.1', 'http://localhost:5173/'],
    ['a file page', 'file:///opt/Blockline/resources/app.asar/dist/renderer/index.html'],
  ])('refuses %s for the dev server', (_name, url) => {
    expect(isTrustedSenderUrl(url, dev)).toBe(false);
  });

  it('refuses everything when the app location itself is malformed', () => {
    expect(
      isTrustedSenderUrl('file:///x/index.html', { kind: 'file', indexUrl: 'https://x/index.html' }),
    ).toBe(false);
    expect(isTrustedSenderUrl('http://a/', { kind: 'dev-server', origin: 'ftp://a' })).toBe(false);
  });
});

describe('navigation and new windows', () => {
  it('allows in-app navigation only', () => {
    expect(
      isAllowedNavigation(
        'file:///opt/Blockline/resources/app.asar/dist/renderer/index.html#/history',
        packaged,
      ),
    ).toBe(true);
    expect(isAllowedNavigation('https://evil.example/', packaged)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', packaged)).toBe(false);
  });

  it('never opens a window; only https links go to the system browser', () => {
    expect(decideWindowOpen('https://help.example.com/docs')).toEqual({
      action: 'deny',
      openExternally: true,
    });
    expect(decideWindowOpen('http://help.example.com/')).toEqual({ action: 'deny', openExternally: false });
    expect(decideWindowOpen('file:///etc/passwd')).toEqual({ action: 'deny', openExternally: false });
    expect(decideWindowOpen('javascript:alert(1)')).toEqual({ action: 'deny', openExternally: false });
    expect(decideWindowOpen('https://user:pw@evil.example/')).toEqual({
      action: 'deny',
      openExternally: false,
    });
  });
});

describe('permissions', () => {
  const page = 'file:///opt/Blockline/resources/app.asar/dist/renderer/index.html';

  it('grants the microphone (audio only) and output selection to the app page', () => {
    expect(
      isPermissionAllowed({ permission: 'media', mediaTypes: ['audio'], requestingUrl: page, app: packaged }),
    ).toBe(true);
    expect(isPermissionAllowed({ permission: 'speaker-selection', requestingUrl: page, app: packaged })).toBe(
      true,
    );
  });

  it('refuses the camera, unspecified media, and every other permission', () => {
    expect(
      isPermissionAllowed({ permission: 'media', mediaTypes: ['video'], requestingUrl: page, app: packaged }),
    ).toBe(false);
    expect(
      isPermissionAllowed({
        permission: 'media',
        mediaTypes: ['audio', 'video'],
        requestingUrl: page,
        app: packaged,
      }),
    ).toBe(false);
    expect(isPermissionAllowed({ permission: 'media', requestingUrl: page, app: packaged })).toBe(false);
    for (const permission of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'display-capture',
      'midi',
    ]) {
      expect(isPermissionAllowed({ permission, requestingUrl: page, app: packaged })).toBe(false);
    }
  });

  it('refuses the microphone to any other page', () => {
    expect(
      isPermissionAllowed({
        permission: 'media',
        mediaTypes: ['audio'],
        requestingUrl: 'https://evil.example/',
        app: packaged,
      }),
    ).toBe(false);
    expect(
      isPermissionAllowed({
        permission: 'media',
        mediaTypes: ['audio'],
        requestingUrl: 'http://127.0.0.1:5174/',
        app: dev,
      }),
    ).toBe(false);
  });

  it('answers permission checks for the same two permissions and origin only', () => {
    expect(
      isPermissionCheckAllowed({ permission: 'media', requestingOrigin: 'file:///', app: packaged }),
    ).toBe(true);
    expect(
      isPermissionCheckAllowed({ permission: 'media', requestingOrigin: 'http://127.0.0.1:5173', app: dev }),
    ).toBe(true);
    expect(
      isPermissionCheckAllowed({ permission: 'media', requestingOrigin: 'https://evil.example', app: dev }),
    ).toBe(false);
    expect(
      isPermissionCheckAllowed({ permission: 'geolocation', requestingOrigin: 'file:///', app: packaged }),
    ).toBe(false);
  });
});

describe('WebHID for headset buttons (SPEC §10.9)', () => {
  const page = 'file:///opt/Blockline/resources/app.asar/dist/renderer/index.html';
  /** Electron's HIDDevice as select-hid-device and the device handler give it (collections trimmed). */
  const keyboard = {
    deviceId: 'kbd',
    name: 'Keyboard',
    collections: [{ usagePage: 0x01, usage: 0x06, type: 1, children: [] }],
  };
  const headset = { deviceId: 'hs1', name: 'USB headset', collections: GENERIC };
  /** The telephony collection only as a child of a vendor one. */
  const nested = {
    deviceId: 'hs2',
    name: 'Poly-style',
    collections: [{ usagePage: 0xffa0, usage: 1, type: 1, children: POLY_STYLE }],
  };

  it('checks `hid` for the app page only, like the microphone', () => {
    expect(isPermissionCheckAllowed({ permission: 'hid', requestingOrigin: 'file:///', app: packaged })).toBe(
      true,
    );
    expect(
      isPermissionCheckAllowed({ permission: 'hid', requestingOrigin: 'http://127.0.0.1:5173', app: dev }),
    ).toBe(true);
    expect(
      isPermissionCheckAllowed({ permission: 'hid', requestingOrigin: 'https://evil.example', app: dev }),
    ).toBe(false);
    expect(
      isPermissionCheckAllowed({ permission: 'hid', requestingOrigin: 'http://127.0.0.1:5174', app: dev }),
    ).toBe(false);
    for (const permission of ['usb', 'serial'])
      expect(isPermissionCheckAllowed({ permission, requestingOrigin: 'file:///', app: packaged })).toBe(
        false,
      );
  });

  it('lets the app page keep telephony devices only, at any depth, and never serial or USB', () => {
    const allowed = (device: object, origin = 'file:///', deviceType = 'hid') =>
      isHidDeviceAllowed({ deviceType, origin, device, app: packaged });
    expect(allowed(headset)).toBe(true);
    expect(allowed(nested)).toBe(true);
    expect(allowed(keyboard)).toBe(false);
    expect(allowed(headset, 'https://evil.example')).toBe(false);
    expect(allowed(headset, 'file:///', 'usb')).toBe(false);
    expect(allowed({ portId: 'ttyUSB0', portName: 'ttyUSB0' }, 'file:///', 'serial')).toBe(false);
  });

  it('picks the first headset for requestDevice, none for other pages or when none is offered', () => {
    expect(pickHidDevice({ frameUrl: page, deviceList: [keyboard, nested, headset], app: packaged })).toBe(
      'hs2',
    );
    expect(pickHidDevice({ frameUrl: page, deviceList: [keyboard], app: packaged })).toBeNull();
    expect(pickHidDevice({ frameUrl: page, deviceList: [], app: packaged })).toBeNull();
    expect(
      pickHidDevice({ frameUrl: 'https://evil.example/', deviceList: [headset], app: packaged }),
    ).toBeNull();
    expect(pickHidDevice({ frameUrl: null, deviceList: [headset], app: packaged })).toBeNull();
    expect(
      pickHidDevice({ frameUrl: 'http://127.0.0.1:5173/#/settings', deviceList: [headset], app: dev }),
    ).toBe('hs1');
  });
});

describe('protocol links', () => {
  it.each([
    ['tel:+12125551234', '+12125551234'],
    ['tel:+1-212-555-1234;ext=22', '+1-212-555-1234'],
    ['TEL:%2B12125551234', '+12125551234'],
    ['callto://+12125551234', '+12125551234'],
    ['callto:(212) 555-1234', '(212) 555-1234'],
    ['sip:+12125551234@pbx.example.com;user=phone', '+12125551234'],
    ['sips:agent7@pbx.example.com', 'agent7'],
    ['sip:+12125551234@pbx.example.com?subject=hi', '+12125551234'],
  ])('%s opens the dialer with %s', (link, number) => {
    expect(parseProtocolUrl(link)).toBe(number);
  });

  it.each([
    ['another scheme', 'https://example.com'],
    ['an empty number', 'tel:'],
    ['script in the number', 'tel:<script>alert(1)</script>'],
    ['broken escapes', 'tel:%E0%A4%A'],
    ['an absurdly long number', `tel:${'1'.repeat(80)}`],
    ['a SIP URI with no user', 'sip:@pbx.example.com'],
  ])('ignores %s', (_name, link) => {
    expect(parseProtocolUrl(link)).toBeNull();
  });

  it('finds the link among second-instance arguments', () => {
    expect(findProtocolUrlInArgv(['/opt/Blockline/blockline', '--flag', 'tel:+12125551234'])).toBe(
      'tel:+12125551234',
    );
    expect(findProtocolUrlInArgv(['/opt/Blockline/blockline', '--flag'])).toBeNull();
    const invite = 'blockline://invite?server=https%3A%2F%2Fa.example&code=ABCD-1234-EFGH-5678-JKMN';
    expect(findProtocolUrlInArgv(['/opt/Blockline/blockline', invite])).toBe(invite);
  });

  it('sends invite links to the sign-in page, never to the dialer', () => {
    expect(PROTOCOL_SCHEMES).toContain('blockline');
    expect(isInviteProtocolUrl('blockline://invite?code=x')).toBe(true);
    expect(isInviteProtocolUrl('BLOCKLINE://invite?code=x')).toBe(true);
    expect(isInviteProtocolUrl('tel:+12125551234')).toBe(false);
    expect(parseProtocolUrl('blockline://invite?code=x')).toBeNull();
  });
});

describe('application menu and files', () => {
  it('has no developer tools or reload in the packaged app', () => {
    const text = JSON.stringify(buildAppMenuTemplate({ platform: 'win32', isPackaged: true }));
    expect(text).not.toMatch(/toggleDevTools|"reload"/);
    expect(JSON.stringify(buildAppMenuTemplate({ platform: 'linux', isPackaged: false }))).toMatch(
      /toggleDevTools/,
    );
    expect(buildAppMenuTemplate({ platform: 'darwin', isPackaged: true })[0]).toEqual({ role: 'appMenu' });
  });

  it('serves only files inside the renderer directory', () => {
    expect(isInsideDirectory('/app/dist/renderer/assets/a.js', '/app/dist/renderer')).toBe(true);
    expect(isInsideDirectory('/app/dist/renderer-evil/a.js', '/app/dist/renderer')).toBe(false);
    expect(isInsideDirectory('/app/dist/renderer/../secret', '/app/dist/renderer')).toBe(false);
    expect(isInsideDirectory('C:\\app\\renderer\\a.js', 'C:\\app\\renderer', '\\')).toBe(true);
  });
});

describe('update feed', () => {
  it('is off unless configured, and https only for a generic feed', () => {
    expect(updateFeedFromEnv({})).toBeNull();
    expect(
      updateFeedFromEnv({ BLOCKLINE_UPDATE_PROVIDER: 'generic', BLOCKLINE_UPDATE_URL: 'http://x' }),
    ).toBeNull();
    expect(
      updateFeedFromEnv({
        BLOCKLINE_UPDATE_PROVIDER: 'generic',
        BLOCKLINE_UPDATE_URL: 'https://u.example/b',
      }),
    ).toEqual({
      provider: 'generic',
      url: 'https://u.example/b',
    });
    expect(
      updateFeedFromEnv({
        BLOCKLINE_UPDATE_PROVIDER: 'github',
        BLOCKLINE_UPDATE_OWNER: 'o',
        BLOCKLINE_UPDATE_REPO: 'r',
      }),
    ).toEqual({ provider: 'github', owner: 'o', repo: 'r' });
  });
});
