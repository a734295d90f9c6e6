/**
 * A browser window that can carry demo calls. Chromium refuses loopback ICE candidates unless told
 * otherwise, and the local PBX is on loopback: so `npm start` opens Chromium (Debian's, or one it finds)
 * in app mode, with its own profile and the flags the demo needs (the same the lab's tests pass).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserChoice } from './config';

/** The flags a call through the local PBX needs (see /work/shared/notes/sip-lab.md and test/sip-lab/browser.ts). */
export const DEMO_CHROMIUM_FLAGS = [
  '--allow-loopback-in-peer-connection',
  // Host candidates as `.local` names would not resolve at rtpengine.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  // The ringtone plays before the first click in the window.
  '--autoplay-policy=no-user-gesture-required',
  '--no-first-run',
  '--no-default-browser-check',
];

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

export function findChromium(env: Record<string, string | undefined>): string | null {
  const chosen = env.BLOCKLINE_BROWSER;
  if (chosen !== undefined && chosen !== '') return existsSync(chosen) ? chosen : null;
  return CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

export function hasDisplay(env: Record<string, string | undefined>): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(env.DISPLAY) || Boolean(env.WAYLAND_DISPLAY);
}

export interface BrowserPlan {
  command: string;
  args: string[];
}

/** The Chromium command for `url`, or a sentence saying why none is opened. */
export function planBrowser(
  url: string,
  profileDir: string,
  choice: BrowserChoice,
  env: Record<string, string | undefined>,
): BrowserPlan | { reason: string } {
  if (choice === 'never') return { reason: 'not opening a browser (--no-browser)' };
  if (choice === 'auto' && !hasDisplay(env)) return { reason: 'no display here: not opening a browser' };
  const command = findChromium(env);
  if (command === null) return { reason: 'no Chromium or Chrome found (set BLOCKLINE_BROWSER to its path)' };
  // Extra flags for special set-ups (the e2e test runs it headless with a debugging port).
  const extra = (env.BLOCKLINE_BROWSER_ARGS ?? '').split(/\s+/).filter((flag) => flag !== '');
  return {
    command,
    args: [`--user-data-dir=${path.resolve(profileDir)}`, ...DEMO_CHROMIUM_FLAGS, ...extra, `--app=${url}`],
  };
}

/** What to tell someone who opens the URL themselves. */
export function browserAdvice(): string {
  return (
    'To carry demo calls, open it in Chromium started with ' +
    `${DEMO_CHROMIUM_FLAGS.slice(0, 2).join(' ')}; ` +
    'another browser can show the pane but not carry demo calls (it refuses loopback media).'
  );
}
