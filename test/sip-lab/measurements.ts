/**
 * Lab measurements shared by the integration tests and `npm run bench -- sip` (one home each):
 * how long lines take to register again after Kamailio restarts, and the longest gap the far end hears
 * while the agent switches microphones mid-call.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { longestGapMs } from './audio-analysis';
import { baresipCall } from './baresip';
import { startLab, type Lab } from './lab';
import { waitForConnectedCall } from './lab-phone';

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ProxyRestartRecovery {
  lab: Lab;
  /** Kamailio and rtpengine answering again → the last line registered (ms; 0 when a line's own retry
   *  got in while the lab was still checking that both answer). */
  reregisteredMs: number;
  /** How long the lab took to start Kamailio and rtpengine and see both answer (ms): the same-run context. */
  proxyStartMs: number;
  /** The restart begun → the last line registered (ms): the agent's whole wait once the PBX comes back. */
  sinceRestartMs: number;
}

/**
 * Stops the lab's Kamailio and rtpengine, keeps them down `downMs` (the lines back off meanwhile), starts
 * them again and times until every line of the page is registered, by the page's own line events (a
 * line's retry may land before the lab has finished checking that the proxy answers). Returns the new lab.
 */
export async function reregisterAfterProxyRestart(
  page: Page,
  lab: Lab,
  downMs = 1500,
): Promise<ProxyRestartRecovery> {
  const dir = lab.dir;
  await lab.stop();
  await page.waitForFunction(
    () => window.lab?.lines().every((line) => line.status !== 'registered'),
    undefined,
    { timeout: 10_000 },
  );
  await delay(downMs);
  const restartBegan = Date.now();
  const restarted = await startLab({ dir });
  const upAt = Date.now();
  await page.waitForFunction(
    () => window.lab?.lines().every((line) => line.status === 'registered'),
    undefined,
    { timeout: 15_000 },
  );
  // The page's clock is this machine's: the first "registered" of each line since the restart began.
  const registeredAt = await page.evaluate((since) => {
    const firstRegistered = new Map<string, number>();
    for (const event of window.lab?.events() ?? []) {
      const line = event.data as { accountId?: string; status?: string } | null;
      if (event.type !== 'line' || event.at < since || line?.status !== 'registered' || !line.accountId)
        continue;
      if (!firstRegistered.has(line.accountId)) firstRegistered.set(line.accountId, event.at);
    }
    return Math.max(...firstRegistered.values());
  }, restartBegan);
  const lastRegistered = Number.isFinite(registeredAt) ? registeredAt : Date.now();
  return {
    lab: restarted,
    reregisteredMs: Math.max(0, lastRegistered - upAt),
    proxyStartMs: upAt - restartBegan,
    sinceRestartMs: lastRegistered - restartBegan,
  };
}

export interface MicSwitchGap {
  /** The longest silence in what baresip heard (ms). */
  gapMs: number;
  /** The device the call's track came from before and after the switch. */
  before: string | null;
  after: string | null;
  recording: string;
}

/**
 * baresip calls the page's line (`target`, the page answers by itself), the agent switches from `fromMic`
 * to `toMic` `switchAfterMs` into the call, and baresip's recording of what it heard is searched for gaps.
 * The page's Chromium must play a continuous tone as its fake microphones.
 */
export async function micSwitchGap(
  page: Page,
  options: {
    target: string;
    fromMic: string;
    toMic: string;
    dir: string;
    port?: number;
    switchAfterMs?: number;
  },
): Promise<MicSwitchGap> {
  await page.evaluate((id) => window.lab?.setInputDevice(id), options.fromMic);
  const call = baresipCall({
    from: 'sip:+12125550150@127.0.0.1',
    target: options.target,
    durationS: 8,
    dir: join(options.dir, `baresip-${Date.now()}`),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  const callId = await waitForConnectedCall(page, 15_000);
  await delay(options.switchAfterMs ?? 2500);
  const before = (await page.evaluate((id) => window.lab?.microphoneDeviceId(id), callId)) ?? null;
  await page.evaluate((id) => window.lab?.setInputDevice(id), options.toMic);
  const after = (await page.evaluate((id) => window.lab?.microphoneDeviceId(id), callId)) ?? null;
  const finished = await call;
  const [recording] = finished.receivedWavs;
  if (recording === undefined) throw new Error(`baresip recorded nothing:\n${finished.output}`);
  return { gapMs: longestGapMs(recording), before, after, recording };
}
