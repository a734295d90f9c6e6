/**
 * SPEC §7.1a, end to end against the real SIP lab: "Block this number" from the incoming-call view and
 * from a history entry (reason + expiry), the rule landing on the org server and blocking the next call
 * before it rings; nothing offered to an agent who may not manage; the tray's "Block last caller"; and
 * §7.1b *Block and hang up* on a live call with baresip: the caller hears the announcement instead of the
 * agent, then BYE, and the rule reaches a second app instance (another agent) within the sync second.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { soxStats, soxVoicedStats, toneWav } from '../sip-lab/audio-analysis';
import { baresipCall } from '../sip-lab/baresip';
import { ANNOUNCEMENT_DIR, fakeMicrophoneArg } from '../sip-lab/browser';
import { runUac, type SippResult } from '../sip-lab/sipp';
import { rendererErrors, rowOf, startUiEnv, type AppInstance, type UiEnv } from './ui-harness';
import { serverApi, serverRuleFor } from './ui-server-api';
import { addLabSipAccount } from './ui-sip-account';

const DAY_MS = 24 * 60 * 60 * 1000;
const FIRST_CALLER = '+13125550142';
const HISTORY_CALLER = '+13125550177';
const AGENT_CALLER = '+13125550190';
const ABUSIVE_CALLER = '+13125550166';
/** What the agent's (fake) microphone sends: a steady tone, so the recording shows when it stops. */
const AGENT_TONE_HZ = 2000;
const workDir = mkdtempSync(join(tmpdir(), 'blockline-block-from-call-'));
const agentTone = join(workDir, 'agent-tone.wav');

let env: UiEnv;
let lead: AppInstance;
let agent: AppInstance;

/** The labels of a block prompt's Expires choices, in order. */
function expiryChoices(dialog: Locator): Promise<(string | null)[]> {
  return dialog
    .getByLabel('Expires')
    .locator('option')
    .evaluateAll((options) => options.map((option) => option.textContent));
}

/** Rings the incoming-call view with a sipp caller; resolves when sipp is done. */
function ring(caller: string, toUser: string): Promise<SippResult> {
  return runUac({ scenario: 'uac-ring', caller: { callerUri: `sip:${caller}@127.0.0.1` }, toUser });
}

beforeAll(async () => {
  toneWav(agentTone, AGENT_TONE_HZ, 60, { volume: 0.5 });
  env = await startUiEnv({ sipLab: true, chromiumArgs: [fakeMicrophoneArg(agentTone)] });
  // Agents may not manage (the default, made explicit so the test does not hang on it).
  await serverApi(env, 'lead', 'PATCH', '/v1/settings', { whoCanManage: 'leads' });
  lead = await env.openApp({ role: 'lead' });
  agent = await env.openApp({ role: 'agent' });
  await addLabSipAccount(lead.page, { user: 'agent1', line: '+12125550100', shownLine: '(212) 555-0100' });
  await addLabSipAccount(agent.page, { user: 'agent2', line: '+12125550101', shownLine: '(212) 555-0101' });
}, 90_000);
afterAll(async () => {
  await env?.close();
});

describe('block from where the call is (lead)', () => {
  it('blocks the ringing caller for 7 days; the next call from that number is rejected without ringing', async () => {
    const { page } = lead;
    const firstCall = ring(FIRST_CALLER, 'agent1');
    const incoming = page.getByRole('dialog', { name: 'Incoming call' });
    await incoming.waitFor({ timeout: 15_000 });
    expect(await incoming.textContent()).toContain('(312) 555-0142');
    await incoming.getByRole('button', { name: 'Block this number' }).click();

    const dialog = page.getByRole('dialog', { name: 'Block (312) 555-0142' });
    await dialog.waitFor();
    // The prompt offers exactly the quick choices of §7.1a.
    expect(await expiryChoices(dialog)).toEqual(['Forever', '1 day', '7 days', '30 days']);
    // A reason is required.
    await dialog.getByRole('button', { name: 'Block this number' }).click();
    await dialog.getByText('A reason is required').waitFor();
    await dialog.getByLabel('Reason').fill('Rang during the e2e test');
    await dialog.getByLabel('Expires').selectOption({ label: '7 days' });
    const blockedAt = Date.now();
    await dialog.getByRole('button', { name: 'Block this number' }).click();
    await dialog.getByText('(312) 555-0142 is blocked for the whole organization.').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Blocking declined the ringing call (sipp takes the 603 branch and succeeds).
    const first = await firstCall;
    expect(first.successful, first.screen).toBe(1);
    expect(first.timings[0]?.progressMs ?? null).not.toBeNull();

    const rule = await serverRuleFor(env, FIRST_CALLER);
    expect(rule).toMatchObject({
      kind: 'block',
      scope: 'all',
      reason: 'Rang during the e2e test',
      createdBy: 'Lee Lead',
    });
    // SPEC §2.1 has a `history` source for rules made from a call; the create request cannot carry one
    // yet, so the server records `manual` (reported to the lead).
    expect(rule?.source).toBe('history');
    const expiresAt = Date.parse(rule?.expiresAt ?? '');
    expect(Math.abs(expiresAt - (blockedAt + 7 * DAY_MS))).toBeLessThan(60_000);

    // Reject mode, so the lab's uac-reject scenario applies: 603 at once, no 180/183.
    const settingsChangedAt = Date.now();
    await serverApi(env, 'lead', 'PATCH', '/v1/settings', { inboundAction: 'reject' });
    await expect
      .poll(async () => (await lead.host.services.invoke('blocklist:get', undefined)).settings.inboundAction)
      .toBe('reject');
    await expect
      .poll(() =>
        lead.events.some((event) => event.channel === 'blocklist:changed' && event.at >= settingsChangedAt),
      )
      .toBe(true);

    let rang = false;
    const watchRinging = incoming
      .waitFor({ timeout: 20_000 })
      .then(() => (rang = true))
      .catch(() => undefined);
    const second = await runUac({
      scenario: 'uac-reject',
      caller: { callerUri: `sip:${FIRST_CALLER}@127.0.0.1` },
    });
    expect(second.successful, second.screen).toBe(1);
    expect(second.timings[0]?.progressMs ?? null).toBeNull();
    // The app decides before anything rings; a view that showed would have appeared by now.
    await Promise.race([watchRinging, page.waitForTimeout(500)]);
    expect(rang).toBe(false);
  });

  it('blocks another number forever from its history entry; the rule shows in Settings → Blocked numbers', async () => {
    const { page } = lead;
    const call = ring(HISTORY_CALLER, 'agent1');
    const incoming = page.getByRole('dialog', { name: 'Incoming call' });
    await incoming.waitFor({ timeout: 15_000 });
    await incoming.getByRole('button', { name: 'Decline' }).click();
    expect((await call).successful).toBe(1);

    const entry = page.getByTestId('history-entry').filter({ hasText: '(312) 555-0177' }).first();
    await entry.waitFor();
    await entry.getByRole('button', { name: 'Block this number: (312) 555-0177' }).click();
    const dialog = page.getByRole('dialog', { name: 'Block (312) 555-0177' });
    await dialog.getByLabel('Reason').fill('Declined caller, blocked from history');
    await dialog.getByLabel('Expires').selectOption({ label: 'Forever' });
    await dialog.getByRole('button', { name: 'Block this number' }).click();
    await dialog.getByText('(312) 555-0177 is blocked for the whole organization.').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();

    expect(await serverRuleFor(env, HISTORY_CALLER)).toMatchObject({
      reason: 'Declined caller, blocked from history',
      expiresAt: null,
      scope: 'all',
    });
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Blocked numbers' }).click();
    const row = rowOf(page, HISTORY_CALLER);
    await row.waitFor();
    expect(await row.textContent()).toContain('Declined caller, blocked from history');
    await page.getByRole('button', { name: 'Phone', exact: true }).click();
  });

  it('"Block last caller" from the tray opens the prompt for the newest inbound caller', async () => {
    const { page } = lead;
    lead.host.services.emit('tray:blockLastCaller', {});
    const dialog = page.getByRole('dialog', { name: 'Block (312) 555-0177' });
    await dialog.waitFor();
    // Already blocked: the server's answer is shown, nothing is pretended.
    await dialog.getByLabel('Reason').fill('From the tray');
    await dialog.getByRole('button', { name: 'Block this number' }).click();
    await expect.poll(() => dialog.textContent()).toMatch(/already/i);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });
});

describe('block and hang up from a live call (SPEC §7.1b, lab scenario 5)', () => {
  /** RMS of a recording's part within ±`width` Hz of `hz` (sox sinc band-pass). */
  function bandRms(file: string, hz: number, width = 60): number {
    const filtered = `${file}.${hz}.wav`;
    execFileSync('sox', [file, filtered, 'sinc', `${hz - width}-${hz + width}`]);
    return soxStats(filtered).rms;
  }

  it('the caller hears the announcement after the agent’s tone stops, then BYE; the rule reaches a second app and blocks the caller there', async () => {
    const { page } = lead;
    const clipS = soxVoicedStats(join(ANNOUNCEMENT_DIR, 'blocked-inbound.wav')).durationS;
    let byeAt: number | null = null;
    const call = baresipCall({
      from: `sip:${ABUSIVE_CALLER}@127.0.0.1`,
      target: 'sip:agent1@127.0.0.1',
      durationS: 25,
      port: 5097,
      rtpPorts: '31400-31500',
      dir: join(workDir, 'baresip'),
      // baresip says the call terminated when the BYE arrives; then it may quit.
      onLine: (line, hangUp) => {
        if (byeAt === null && /terminated/i.test(line)) {
          byeAt = Date.now();
          hangUp();
        }
      },
    });
    const incoming = page.getByRole('dialog', { name: 'Incoming call' });
    await incoming.waitFor({ timeout: 15_000 });
    await incoming.getByRole('button', { name: 'Answer' }).click();
    const blockAndHangUp = page.getByRole('button', { name: 'Block and hang up' });
    await expect.poll(() => blockAndHangUp.isEnabled(), { timeout: 15_000 }).toBe(true);
    // Let the agent's tone reach baresip for a while first.
    await page.waitForTimeout(2500);
    await blockAndHangUp.click();

    const dialog = page.getByRole('dialog', { name: 'Block (312) 555-0166' });
    await dialog.waitFor();
    expect(await expiryChoices(dialog)).toEqual(['Forever', '1 day', '7 days', '30 days']);
    const scopes = await dialog
      .getByLabel('Applies to')
      .locator('option')
      .evaluateAll((options) => options.map((option) => option.textContent));
    expect(scopes[0]).toBe('All lines');
    expect(scopes.length).toBeGreaterThan(1);
    await dialog.getByLabel('Reason').fill('Abusive caller, blocked mid-call');
    await dialog.getByLabel('Expires').selectOption({ label: '1 day' });
    await dialog.getByLabel('Applies to').selectOption('all');
    const blockedAt = Date.now();
    await dialog.getByRole('button', { name: 'Block and hang up' }).click();
    await dialog.getByText('(312) 555-0166 is blocked for the whole organization.').waitFor();

    // The rule is on the server, as chosen, and reaches the second app (another agent) within the second.
    const rule = await serverRuleFor(env, ABUSIVE_CALLER);
    expect(rule).toMatchObject({ kind: 'block', scope: 'all', reason: 'Abusive caller, blocked mid-call' });
    expect(Math.abs(Date.parse(rule?.expiresAt ?? '') - (blockedAt + DAY_MS))).toBeLessThan(60_000);
    const onSecondApp = async () =>
      (await agent.host.services.invoke('blocklist:get', undefined)).rules.some(
        (candidate) => candidate.number === ABUSIVE_CALLER,
      );
    while (!(await onSecondApp()) && Date.now() - blockedAt < 10_000)
      await new Promise((r) => setTimeout(r, 20));
    const syncedMs = Date.now() - blockedAt;
    console.log(`block and hang up: the rule reached the second app ${syncedMs} ms after the click`);
    // SPEC §5: within the second; headroom for a loaded machine (the click includes the create round trip).
    expect(syncedMs).toBeLessThan(2500);

    // baresip is hung up on (BYE) after the clip, long before its own end.
    const finished = await call;
    expect(byeAt, finished.output).not.toBeNull();
    const endedS = ((byeAt ?? Infinity) - blockedAt) / 1000;
    console.log(`block and hang up: BYE ${endedS.toFixed(2)} s after the click (clip ${clipS.toFixed(2)} s)`);
    expect(endedS).toBeGreaterThan(clipS * 0.8);
    expect(endedS).toBeLessThan(clipS + 8);
    const [recording] = finished.receivedWavs;
    expect(recording, finished.output).toBeDefined();
    // The recording: first the agent's tone, then (after it stops) the announcement, up to the BYE.
    const tail = join(workDir, 'tail.wav');
    const head = join(workDir, 'head.wav');
    execFileSync('sox', [recording ?? '', tail, 'trim', `-${(clipS + 0.3).toFixed(2)}`]);
    execFileSync('sox', [recording ?? '', head, 'trim', '0.5', '1.5']);
    const toneBefore = bandRms(head, AGENT_TONE_HZ);
    const toneAfter = bandRms(tail, AGENT_TONE_HZ);
    const announcement = soxVoicedStats(tail);
    console.log(
      `block and hang up: agent tone ${toneBefore.toFixed(4)} before, ${toneAfter.toFixed(4)} during the announcement; announcement ${announcement.durationS.toFixed(2)} s at RMS ${announcement.rms.toFixed(4)}`,
    );
    expect(toneBefore).toBeGreaterThan(0.02);
    expect(toneAfter).toBeLessThan(toneBefore / 5);
    expect(announcement.rms).toBeGreaterThan(0.01);
    expect(announcement.durationS).toBeGreaterThan(clipS * 0.8);
    // The call card (and its prompt) left with the call.
    await dialog.waitFor({ state: 'detached' });

    // The same caller tries the colleague on the second app: blocked there, it never rings.
    let rang = false;
    const watchRinging = agent.page
      .getByRole('dialog', { name: 'Incoming call' })
      .waitFor({ timeout: 8_000 })
      .then(() => (rang = true))
      .catch(() => undefined);
    // The org is in reject mode since the first test: 603 at once, nothing rings, no 180.
    const retry = await runUac({
      scenario: 'uac-reject',
      caller: { callerUri: `sip:${ABUSIVE_CALLER}@127.0.0.1` },
      toUser: 'agent2',
      timeoutS: 20,
    });
    expect(retry.successful, retry.screen).toBe(1);
    expect(retry.timings[0]?.progressMs ?? null).toBeNull();
    await Promise.race([watchRinging, agent.page.waitForTimeout(500)]);
    expect(rang).toBe(false);
  });
});

describe('block from where the call is (agent, whoCanManage leads)', () => {
  it('offers no "Block this number" on the incoming call, in history, or from the tray', async () => {
    const { page } = agent;
    const call = ring(AGENT_CALLER, 'agent2');
    const incoming = page.getByRole('dialog', { name: 'Incoming call' });
    await incoming.waitFor({ timeout: 15_000 });
    expect(await incoming.textContent()).toContain('(312) 555-0190');
    expect(await incoming.getByRole('button', { name: 'Answer' }).count()).toBe(1);
    expect(await incoming.getByRole('button', { name: 'Block this number' }).count()).toBe(0);
    await incoming.getByRole('button', { name: 'Decline' }).click();
    expect((await call).successful).toBe(1);

    const entry = page.getByTestId('history-entry').filter({ hasText: '(312) 555-0190' }).first();
    await entry.waitFor();
    expect(await entry.getByRole('button', { name: /Call back/ }).count()).toBe(1);
    expect(await entry.getByRole('button', { name: /Block this number/ }).count()).toBe(0);

    agent.host.services.emit('tray:blockLastCaller', {});
    // Give the event time to reach the page: the prompt must still not open.
    await expect
      .poll(() => agent.events.some((event) => event.channel === 'tray:blockLastCaller'))
      .toBe(true);
    await page.waitForTimeout(300);
    expect(await page.getByRole('dialog').count()).toBe(0);
  });

  it('logged no renderer errors', () => {
    const unrelated = (message: string) => !/WebSocket|getStats/i.test(message);
    expect(rendererErrors(lead).filter(unrelated)).toEqual([]);
    expect(rendererErrors(agent).filter(unrelated)).toEqual([]);
  });
});
