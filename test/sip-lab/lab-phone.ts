/**
 * The phone under test on the lab, set up the one way the SIP-lab suites and `npm run bench -- sip`
 * all need it: the lab (Kamailio + rtpengine) started, the harness page built and served, opened in
 * Debian's Chromium, and the phone core started there on a lab account (`agent1`, line +12125550000).
 * The pieces are exported too, for a second page on the same lab, and what the tests read from a page
 * the same way each time (the connected call, the audio devices).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Line } from '../../shared/contracts/api';
import type { SipAccount } from '../../shared/contracts/ipc';
import { defaultOrgSettings } from '../../shared/settings';
import type { LineSnapshot } from '../../renderer/phone/types';
import { toneWav } from './audio-analysis';
import { buildHarness, fakeMicrophoneArg, launchChromium, serveStatic, type StaticServer } from './browser';
import type { HarnessConfig } from './harness/api';
import { LAB_SIP_PASSWORD, startLab, type Lab } from './lab';

export const LAB_LINE_NUMBER = '+12125550000';

/** The agent's account on the lab's Kamailio: SIP over WebSocket, no STUN or TURN. */
export const LAB_AGENT: SipAccount = {
  id: 'agent1',
  websocketUrl: 'ws://127.0.0.1:8080',
  sipUri: 'sip:agent1@127.0.0.1',
  displayName: 'Agent One',
  lineNumber: LAB_LINE_NUMBER,
  iceServers: [],
  enabled: true,
};

/** The org's one line, announcing to blocked callers as early media. */
export const LAB_LINES: Line[] = [
  { number: LAB_LINE_NUMBER, label: 'Main', announcementMode: 'early-media' },
];

async function openPage(browser: Browser, url: string, name: string, loaded: () => boolean): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error(`${name} error:`, error));
  await page.goto(url);
  await page.waitForFunction(loaded);
  return page;
}

/** Opens the harness page served at `harnessUrl` in a new tab of `browser` (its errors logged). */
export function openHarnessPage(browser: Browser, harnessUrl: string): Promise<Page> {
  return openPage(browser, `${harnessUrl}/index.html`, 'page', () => window.lab !== undefined);
}

/** Opens the plain sip.js caller page (harness/caller.ts) in a new tab of `browser`. */
export function openCallerPage(browser: Browser, harnessUrl: string): Promise<Page> {
  return openPage(browser, `${harnessUrl}/caller.html`, 'caller page', () => window.caller !== undefined);
}

/**
 * Starts the phone core in a harness page and resolves with its lines once it has tried to register
 * (the caller checks they did). What `config` leaves out: `LAB_AGENT` with the lab password, no rules,
 * US defaults in New York, `LAB_LINES`, and every ringing call answered.
 */
export function startPhone(
  page: Page,
  config: Partial<HarnessConfig> = {},
): Promise<LineSnapshot[] | undefined> {
  const full: HarnessConfig = {
    account: LAB_AGENT,
    password: LAB_SIP_PASSWORD,
    rules: [],
    settings: defaultOrgSettings('US', 'America/New_York'),
    lines: LAB_LINES,
    autoAnswer: 'answer',
    ...config,
  };
  return page.evaluate((value) => window.lab?.start(value), full);
}

export interface LabPhoneOptions extends Partial<HarnessConfig> {
  /** Where the lab's files, the built page and any recordings go (default: a new temp dir). */
  workDir?: string;
  /** Chromium's fake microphones play this continuous tone instead of their beep (`volume` as `toneWav`'s). */
  fakeMicrophone?: { hz: number; seconds: number; volume?: number };
}

export interface LabPhone {
  workDir: string;
  /** The running lab; a suite that restarts it (`reregisterAfterProxyRestart`) puts the new one here. */
  lab: Lab;
  /** Serves the built harness and caller pages. */
  harness: StaticServer;
  browser: Browser;
  /** The harness page, its phone started. */
  page: Page;
  /** The lines as the phone reported them after registering. */
  lines: LineSnapshot[] | undefined;
  /** Unregisters the phone, then closes Chromium, the page server and the lab. */
  close(): Promise<void>;
}

/** The lab with the phone under test started on it (see the file's comment); `options` for what differs. */
export async function startLabPhone(options: LabPhoneOptions = {}): Promise<LabPhone> {
  const {
    workDir = mkdtempSync(join(tmpdir(), 'blockline-lab-phone-')),
    fakeMicrophone,
    ...config
  } = options;
  const undo: Array<() => Promise<void>> = [];
  try {
    const lab = await startLab({ dir: join(workDir, 'lab') });
    undo.push(() => lab.stop());
    await buildHarness(join(workDir, 'www'));
    const harness = await serveStatic(join(workDir, 'www'));
    undo.push(() => harness.close());
    const microphone =
      fakeMicrophone &&
      toneWav(join(workDir, 'microphone.wav'), fakeMicrophone.hz, fakeMicrophone.seconds, {
        volume: fakeMicrophone.volume,
      });
    const browser = await launchChromium(microphone === undefined ? [] : [fakeMicrophoneArg(microphone)]);
    undo.push(() => browser.close());
    const page = await openHarnessPage(browser, harness.url);
    const lines = await startPhone(page, config);
    const phone: LabPhone = {
      workDir,
      lab,
      harness,
      browser,
      page,
      lines,
      async close() {
        // Unregister first: a registration left behind makes Kamailio answer the next suite's INVITE with 500.
        await page.evaluate(() => window.lab?.dispose()).catch(() => undefined);
        await browser.close();
        await harness.close();
        await phone.lab.stop();
      },
    };
    return phone;
  } catch (error) {
    // Whatever did start must not hold the lab's ports for the next suite.
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

/** Waits until the page has a connected call and resolves with its id. */
export async function waitForConnectedCall(page: Page, timeoutMs: number): Promise<string> {
  const handle = await page.waitForFunction(
    () => window.lab?.calls().find((call) => call.state === 'connected')?.id ?? null,
    undefined,
    { timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as string;
}

/** The page's microphones or speakers by device id, the system's `default` left out. */
export async function audioDeviceIds(page: Page, kind: 'audioinput' | 'audiooutput'): Promise<string[]> {
  const all = (await page.evaluate(() => window.lab?.audioDevices())) ?? [];
  return all
    .filter((device) => device.kind === kind && device.deviceId !== 'default')
    .map((device) => device.deviceId);
}
