/**
 * `npm run bench -- sip`: the phone's call interception measured with sipp through the real lab
 * (Kamailio + rtpengine, the phone in headless Chromium), in one run:
 *   sip.reject.p50|p99          blocked INVITE → 603 in reject mode (ms)
 *   sip.announce_183.p50|p99    blocked INVITE → 183 in announce mode (ms)
 *   sip.kamailio_reject.p50|p99 the same caller rejected by Kamailio's own configuration (ms)
 *   sip.reject_vs_kamailio.p99  ratio app / Kamailio
 *   sip.burst_capacity          blocked calls per second absorbed while a live call's audio keeps flowing
 *   sip.device_switch_gap.ms    longest gap baresip hears while the agent switches microphones mid-call (target ≤ 200)
 *   sip.reregister_after_proxy_restart.ms  Kamailio restarted: answering again → the line registered again,
 *                               by the page's line event (target ≤ 5,000; 0 when the line's own retry got
 *                               in while the lab was still checking the proxy answers)
 *   sip.reregister_since_restart.ms  the restart begun → registered (the agent's whole wait), beside
 *   sip.proxy_restart.ms        the same run's Kamailio + rtpengine start until both answer (the context)
 *   sip.transfer_complete.p50|p99 attended transfer: *Complete* → the NOTIFY saying it succeeded (ms; its
 *                               own lab with three parties, bench/sip-transfer.ts), with its baseline
 *   sip.transfer_consult_setup.*  the consultation call's INVITE → 200 over the same path (ms), and the ratio
 * and, from a packet capture of the measured reject run, where the app's time goes (p50/p99, ms):
 *   sip.reject.proxy_in.*       INVITE at Kamailio → INVITE out on the app's WebSocket
 *   sip.reject.rtpengine.*      Kamailio's round trips to rtpengine for the call (offer + delete)
 *   sip.reject.app.*            INVITE on the WebSocket → the app's 603 on it (browser, sip.js, decision)
 *   sip.reject.proxy_out.*      603 from the app → 603 out to the caller
 *   sip.reject.app_vs_kamailio.p50  app share p50 / Kamailio's own reject p50 (target ≤ 1)
 * and, during a live call, sip.waiting_tone_start.p50|p99: a second caller's INVITE → the waiting tone at
 * the output tap (ms; the tap is sampled about every 4 ms).
 * Timings come from sipp's gettimeofday actions (microseconds), not its 1 ms response-time counters.
 * Re-runs itself inside a loopback-only network namespace when started outside one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLoopbackNamespace, metric, percentile } from './lib';
import { defaultOrgSettings, type OrgSettings } from '../shared/settings';
import { manualRule } from '../test/helpers/rules';
import { toneWav } from '../test/sip-lab/audio-analysis';
import { fakeMicrophoneArg, launchChromium } from '../test/sip-lab/browser';
import { KAMAILIO_UDP, RTPENGINE_NG } from '../test/sip-lab/lab';
import {
  audioDeviceIds,
  LAB_AGENT,
  openHarnessPage,
  startLabPhone,
  startPhone,
} from '../test/sip-lab/lab-phone';
import { readPcap, traceBlockedCalls } from './sip-trace';
import type { Browser } from 'playwright-core';
import { micSwitchGap, reregisterAfterProxyRestart } from '../test/sip-lab/measurements';
import { measureTransferComplete } from './sip-transfer';
import { runUac, startUas, type SippTiming } from '../test/sip-lab/sipp';

const BLOCKED = '+12125550100';
const LIVE_CALL_TARGET = '+12125550150';
const LINE = '+12125550000';

ensureLoopbackNamespace(import.meta.url);

function finals(timings: SippTiming[]): number[] {
  return timings.flatMap((timing) => (timing.finalMs === null ? [] : [timing.finalMs]));
}

function progresses(timings: SippTiming[]): number[] {
  return timings.flatMap((timing) => (timing.progressMs === null ? [] : [timing.progressMs]));
}

const rules = [manualRule(BLOCKED, { reason: 'benchmark caller' })];
const caller = { callerUri: `sip:${BLOCKED}@127.0.0.1` };
const waitingCaller = { callerUri: 'sip:+12125550177@127.0.0.1' };

/** tcpdump on loopback for the SIP, WebSocket and rtpengine control ports (skipped if not installed). */
async function startCapture(file: string): Promise<{ file: string | null; stop(): Promise<void> }> {
  if (!existsSync('/usr/bin/tcpdump') && !existsSync('/usr/sbin/tcpdump'))
    return { file: null, stop: async () => undefined };
  const filter = `udp port ${KAMAILIO_UDP.port} or tcp port 8080 or udp port ${RTPENGINE_NG.port}`;
  const child = spawn('tcpdump', ['-i', 'lo', '-n', '-s', '0', '-U', '-w', file, filter], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // tcpdump says "listening on lo" once capturing.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    child.stderr.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    file,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

/** Prints where the reject path's time goes; returns the app's own share per call (ms), or null. */
function reportBreakdown(file: string | null): number[] | null {
  if (file === null) {
    console.error('note: tcpdump is not installed; no breakdown of the reject path');
    return null;
  }
  const traces = traceBlockedCalls(readPcap(file), {
    sipPort: KAMAILIO_UDP.port,
    webSocketPort: 8080,
    rtpenginePort: RTPENGINE_NG.port,
  });
  if (traces.length === 0) {
    console.error('note: the capture held no complete blocked call');
    return null;
  }
  const parts = {
    proxy_in: traces.map((t) => t.inviteToApp - t.inviteAtProxy),
    rtpengine: traces.map((t) => t.rtpengineMs),
    app: traces.map((t) => t.finalFromApp - t.inviteToApp),
    proxy_out: traces.map((t) => t.finalToCaller - t.finalFromApp),
  };
  for (const [name, values] of Object.entries(parts)) {
    metric(`sip.reject.${name}.p50`, percentile(values, 0.5), 'ms');
    metric(`sip.reject.${name}.p99`, percentile(values, 0.99), 'ms');
  }
  return parts.app;
}

async function main(): Promise<void> {
  const settings = (patch: Partial<OrgSettings>): OrgSettings => ({
    ...defaultOrgSettings('US'),
    ...patch,
  });
  const phone = await startLabPhone({
    account: { ...LAB_AGENT, displayName: 'Bench', lineNumber: LINE },
    rules,
    settings: settings({ inboundAction: 'reject' }),
    lines: [{ number: LINE, label: 'Bench', announcementMode: 'early-media' }],
    autoAnswer: 'none',
  });
  const { page, workDir } = phone;
  const uas = startUas();
  let toneBrowser: Browser | null = null;
  try {
    const setSettings = (next: OrgSettings): Promise<void> =>
      page.evaluate((value) => window.lab?.setSettings(value), next);

    // Warm both paths (JIT, sockets) before measuring.
    await runUac({ scenario: 'uac-reject', caller, calls: 20, rate: 20 });
    await runUac({ scenario: 'uac-reject', caller, toUser: 'kamailio-reject', calls: 20, rate: 20 });

    const capture = await startCapture(join(workDir, 'reject.pcap'));
    const app = await runUac({ scenario: 'uac-reject', caller, calls: 200, rate: 20, timeoutS: 60 });
    await capture.stop();
    const proxy = await runUac({
      scenario: 'uac-reject',
      caller,
      toUser: 'kamailio-reject',
      calls: 200,
      rate: 20,
      timeoutS: 60,
    });
    const appFinals = finals(app.timings);
    const proxyFinals = finals(proxy.timings);
    metric('sip.reject.p50', percentile(appFinals, 0.5), 'ms');
    metric('sip.reject.p99', percentile(appFinals, 0.99), 'ms');
    metric('sip.kamailio_reject.p50', percentile(proxyFinals, 0.5), 'ms');
    metric('sip.kamailio_reject.p99', percentile(proxyFinals, 0.99), 'ms');
    metric(
      'sip.reject_vs_kamailio.p99',
      percentile(appFinals, 0.99) / percentile(proxyFinals, 0.99),
      'ratio',
    );
    const appShare = reportBreakdown(capture.file);
    if (appShare !== null) {
      // The target: the app's own share no slower than Kamailio's whole reject, at p50.
      const kamailioP50 = percentile(proxyFinals, 0.5);
      metric('sip.reject.app_vs_kamailio.p50', percentile(appShare, 0.5) / kamailioP50, 'ratio');
    }
    if (app.failed > 0 || proxy.failed > 0)
      console.error(`failed calls: app ${app.failed}, proxy ${proxy.failed}`);

    await setSettings(settings({ inboundAction: 'announce' }));
    await runUac({ scenario: 'uac-early-media', caller, calls: 2, rate: 2, timeoutS: 30 });
    const announce = await runUac({ scenario: 'uac-early-media', caller, calls: 30, rate: 3, timeoutS: 60 });
    const announceProgress = progresses(announce.timings);
    metric('sip.announce_183.p50', percentile(announceProgress, 0.5), 'ms');
    metric('sip.announce_183.p99', percentile(announceProgress, 0.99), 'ms');
    if (announce.failed > 0) console.error(`failed announce calls: ${announce.failed}`);

    // Burst capacity: blocked calls at rising rates while a live call runs; the highest rate at which
    // every blocked call ended correctly and the live call kept ≥ 90 % of its 50 packets/s.
    await setSettings(settings({ inboundAction: 'reject' }));
    const placed = await page.evaluate((dialed) => window.lab?.placeCall(dialed), LIVE_CALL_TARGET);
    const liveCallId = placed?.kind === 'placed' ? placed.callId : null;
    if (!liveCallId) throw new Error(`the live call was not placed: ${JSON.stringify(placed)}`);
    const connectedBy = Date.now() + 10_000;
    while (Date.now() < connectedBy) {
      const calls = await page.evaluate(() => window.lab?.calls() ?? []);
      if (calls.find((call) => call.id === liveCallId)?.state === 'connected') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let capacity = 0;
    for (const rate of [20, 40, 80, 160]) {
      const before = await page.evaluate((id) => window.lab?.stats(id), liveCallId);
      const startedAt = Date.now();
      const burst = await runUac({ scenario: 'uac-reject', caller, calls: rate * 3, rate, timeoutS: 30 });
      const elapsedMs = Date.now() - startedAt;
      const after = await page.evaluate((id) => window.lab?.stats(id), liveCallId);
      const received = (after?.packetsReceived ?? 0) - (before?.packetsReceived ?? 0);
      const audioKept = received >= (elapsedMs / 20) * 0.9;
      const allEnded = burst.failed === 0 && finals(burst.timings).length === rate * 3;
      const achieved = (rate * 3 * 1000) / elapsedMs;
      console.error(
        `burst ${rate}/s: ${burst.successful}/${rate * 3} ended, live call ${received} packets in ${elapsedMs} ms`,
      );
      if (!allEnded || !audioKept) break;
      capacity = Math.max(capacity, Math.min(rate, achieved));
    }
    metric('sip.burst_capacity', capacity, 'calls/s');

    // Call waiting (SPEC §10.1): during the live call a second, allowed caller rings; from its INVITE
    // leaving sipp to the waiting tone at the output path's test tap (both on this machine's clock).
    const toneStarts: number[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const toneAt = page.evaluate(() => window.lab?.firstOutputAbove('tone', 0.01, 8000) ?? null);
      const second = runUac({ scenario: 'uac-ring', caller: waitingCaller, timeoutS: 15 });
      const heardAt = await toneAt;
      await page.evaluate(async () => {
        for (const call of window.lab?.calls() ?? [])
          if (call.state === 'incoming') await window.lab?.decline(call.id);
      });
      const sent = (await second).timings[0]?.sentAtMs;
      if (attempt > 1 && heardAt !== null && sent !== undefined) toneStarts.push(heardAt - sent);
      // Let the tone's last burst fade before the next call.
      await new Promise((resolve) => setTimeout(resolve, 900));
    }
    if (toneStarts.length > 0) {
      metric('sip.waiting_tone_start.p50', percentile(toneStarts, 0.5), 'ms');
      metric('sip.waiting_tone_start.p99', percentile(toneStarts, 0.99), 'ms');
    } else console.error('note: the waiting tone was never heard at the tap');
    await page.evaluate((id) => window.lab?.hangup(id), liveCallId).catch(() => undefined);

    // Devices (SPEC §10.5): a second Chromium whose fake microphones play one continuous tone.
    const tone = toneWav(join(workDir, 'microphone.wav'), 600, 60, { volume: 0.4 });
    toneBrowser = await launchChromium([fakeMicrophoneArg(tone)]);
    const agent = await openHarnessPage(toneBrowser, phone.harness.url);
    await startPhone(agent, {
      account: {
        ...LAB_AGENT,
        id: 'agent2',
        sipUri: 'sip:agent2@127.0.0.1',
        displayName: 'Bench devices',
        lineNumber: '+12125550002',
      },
      settings: settings({}),
      lines: [],
    });
    const [fromMic, toMic] = await audioDeviceIds(agent, 'audioinput');
    if (fromMic === undefined || toMic === undefined)
      throw new Error('Chromium lists fewer than two microphones');
    const switched = await micSwitchGap(agent, {
      target: 'sip:agent2@127.0.0.1',
      fromMic,
      toMic,
      dir: workDir,
    });
    if (switched.after !== toMic)
      console.error(`the switched call's track is from ${switched.after}, not ${toMic}`);
    metric('sip.device_switch_gap.ms', switched.gapMs, 'ms');
    await agent.evaluate(() => window.lab?.dispose());

    // Recovery (SPEC §10.6): Kamailio and rtpengine restarted; the line registers again by itself.
    const restarted = await reregisterAfterProxyRestart(page, phone.lab);
    phone.lab = restarted.lab;
    metric('sip.reregister_after_proxy_restart.ms', restarted.reregisteredMs, 'ms');
    metric('sip.reregister_since_restart.ms', restarted.sinceRestartMs, 'ms');
    metric('sip.proxy_restart.ms', restarted.proxyStartMs, 'ms');
  } finally {
    await uas.stop();
    await toneBrowser?.close();
    await phone.close();
  }
  await measureTransferComplete();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
