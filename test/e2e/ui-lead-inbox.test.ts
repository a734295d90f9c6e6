/**
 * The lead inbox end to end (SPEC §7.1b, §11.4), against the real SIP lab and the real org server in
 * Chromium: an agent, who may not manage the list, answers a real call and asks a lead to block the
 * caller (and again from the history entry); the lead sees the count on the Settings tab, approves with
 * the keyboard (reason, 7 days), and the rule exists on the server and reaches the agent's app; an
 * auto-block that rests on one agent's reports is kept with one key press. Both themes, axe-clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { doctoredRtpPcap } from '../sip-lab/rtp-pcap';
import { runUac } from '../sip-lab/sipp';
import {
  rendererErrors,
  screenshot,
  seriousViolations,
  startUiEnv,
  type AppInstance,
  type UiEnv,
} from './ui-harness';
import { serverApi, serverRuleFor } from './ui-server-api';
import { copyScreenshotsToDocs } from './ui-views';
import { addLabSipAccount } from './ui-sip-account';

const DAY_MS = 24 * 60 * 60 * 1000;
const CALLER = '+13125550199';
const CALLER_SHOWN = '(312) 555-0199';
const FORGED = '+13125550160';
const FORGED_SHOWN = '(312) 555-0160';

let env: UiEnv;
let lead: AppInstance;
let agent: AppInstance;

/** One agent's app reports three calls from `number`: an auto-block resting on one user, for review. */
async function forgeOneUserAutoBlock(number: string, tag: string): Promise<void> {
  const now = Date.now();
  const reports = [100_000, 80_000, 60_000].map((ago, index) => ({
    id: `report-${tag}-${index}`,
    callId: `call-${tag}-${index}`,
    direction: 'inbound',
    line: '+12125550101',
    number,
    anonymous: false,
    action: 'allow',
    why: 'no_match',
    ruleId: null,
    at: new Date(now - ago).toISOString(),
  }));
  await serverApi(env, 'agent', 'POST', '/v1/call-reports', { reports });
}

async function openInbox(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Settings/ }).click();
  await page.getByRole('tab', { name: /^Inbox/ }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
}

beforeAll(async () => {
  env = await startUiEnv({ sipLab: true });
  await serverApi(env, 'lead', 'PATCH', '/v1/settings', {
    whoCanManage: 'leads',
    autoBlock: { enabled: true, threshold: 3, windowMinutes: 10, outsideWorkingHoursOnly: false },
  });
  lead = await env.openApp({ role: 'lead' });
  agent = await env.openApp({ role: 'agent' });
  await addLabSipAccount(agent.page, { user: 'agent2', line: '+12125550101', shownLine: '(212) 555-0101' });
  await forgeOneUserAutoBlock(FORGED, 'light');
}, 120_000);
afterAll(async () => {
  await env?.close();
});

describe('lead inbox', () => {
  it('an agent on an answered call asks a lead to block the caller, and again from history', async () => {
    const { page } = agent;
    const capture = doctoredRtpPcap({
      durationS: 30,
      cleanLeadS: 30,
      dropEvery: 0,
      lateByMs: 0,
      wobbleMs: 0,
    });
    const call = runUac({
      scenario: 'uac-quality',
      caller: { callerUri: `sip:${CALLER}@127.0.0.1` },
      toUser: 'agent2',
      variables: { hold_ms: '30000' },
      files: { 'doctored.pcap': capture.pcap },
      timeoutS: 60,
    });
    const incoming = page.getByRole('dialog', { name: 'Incoming call' });
    await incoming.waitFor({ timeout: 15_000 });
    // Agents who may not manage are not offered blocking, neither ringing nor in the call.
    expect(await incoming.getByRole('button', { name: 'Block this number' }).count()).toBe(0);
    await incoming.getByRole('button', { name: 'Answer' }).click();
    const card = page.getByTestId('in-call');
    await card.getByText(/^\d+:\d\d$/).waitFor({ timeout: 15_000 });
    expect(await card.getByRole('button', { name: 'Block and hang up' }).count()).toBe(0);

    await card.getByRole('button', { name: 'Ask a lead to block' }).click();
    const dialog = page.getByRole('dialog', { name: `Ask a lead to block ${CALLER_SHOWN}` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Send to the leads' }).click();
    await dialog.getByText('Say why, so the lead can decide').waitFor();
    await dialog.getByLabel('Why should it be blocked?').fill('Threatened the agent on the call');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'ask-lead-to-block-light');
    await dialog.getByRole('button', { name: 'Send to the leads' }).click();
    await dialog.getByText(/^Sent: the leads will see/).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    // Asking blocks nothing by itself: the call goes on until the agent hangs up.
    expect(await serverRuleFor(env, CALLER)).toBeUndefined();
    await card.getByRole('button', { name: 'Hang up' }).click();
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    expect((await call).exitCode).not.toBeNull();

    const entry = page.getByTestId('history-entry').filter({ hasText: CALLER_SHOWN }).first();
    await entry.getByRole('button', { name: `Ask a lead to block ${CALLER_SHOWN}` }).click();
    const again = page.getByRole('dialog', { name: `Ask a lead to block ${CALLER_SHOWN}` });
    await again.getByLabel('Why should it be blocked?').fill('Called back');
    await again.getByRole('button', { name: 'Send to the leads' }).click();
    await again.getByText(/already asked to block .* \(by Alex Agent\)/).waitFor();
    await again.getByRole('button', { name: 'Done' }).click();
  });

  it('the lead sees the count, approves by keyboard for 7 days; the rule is on the server and in the agent’s app', async () => {
    const { page } = lead;
    // The inbox is polled; the count on the Settings tab appears without any click.
    const settingsTab = page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: /^Settings/ });
    await expect
      .poll(() => settingsTab.textContent(), { timeout: 25_000 })
      .toBe('Settings2, 2 waiting for a lead');
    await openInbox(page);
    const request = page.getByTestId('block-request').filter({ hasText: CALLER_SHOWN });
    await request.getByText('Asked by Alex Agent').waitFor();
    expect(await request.textContent()).toContain('Threatened the agent on the call');
    const review = page.getByTestId('auto-block-review').filter({ hasText: FORGED_SHOWN });
    expect(await review.textContent()).toContain('Reported only by Alex Agent');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'lead-inbox-light');

    await request.getByRole('button', { name: 'Block…' }).focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: `Block ${CALLER_SHOWN}` });
    await expect
      .poll(() => form.getByLabel('Reason').evaluate((el) => el === document.activeElement))
      .toBe(true);
    await page.keyboard.press('End');
    await page.keyboard.type(' (approved)');
    await page.keyboard.press('Tab'); // Lines
    await page.keyboard.press('Tab'); // Expires
    await page.keyboard.press('ArrowDown'); // 1 day
    await page.keyboard.press('ArrowDown'); // 7 days
    expect(await form.getByLabel('Expires').inputValue()).toBe('7d');
    const approvedAt = Date.now();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText(`${CALLER_SHOWN} is blocked`).waitFor();

    const rule = await serverRuleFor(env, CALLER);
    expect(rule).toMatchObject({
      kind: 'block',
      scope: 'all',
      reason: 'Threatened the agent on the call (approved)',
      createdBy: 'Lee Lead',
      source: 'history',
    });
    expect(Math.abs(Date.parse(rule?.expiresAt ?? '') - (approvedAt + 7 * DAY_MS))).toBeLessThan(60_000);
    await expect
      .poll(async () =>
        (await agent.host.services.invoke('blocklist:get', undefined)).rules.some((r) => r.number === CALLER),
      )
      .toBe(true);
    await page.getByTestId('block-request').filter({ hasText: CALLER_SHOWN }).waitFor({ state: 'detached' });

    // The one-agent auto-block: kept with one key press, it becomes an ordinary rule.
    expect((await serverRuleFor(env, FORGED))?.expiresAt).not.toBeNull();
    await review.getByRole('button', { name: 'Keep' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('status').getByText(`${FORGED_SHOWN} stays blocked`).waitFor();
    await expect.poll(async () => (await serverRuleFor(env, FORGED))?.expiresAt).toBeNull();
    await page.getByRole('button', { name: /^Settings$/ }).waitFor();
    await page.getByText('No requests waiting.').waitFor();
  });

  it('shows the inbox in the dark theme, axe-clean, and copies both screenshots for the README', async () => {
    await serverApi(env, 'agent', 'POST', '/v1/block-requests', {
      number: '+13125550188',
      reason: 'Robocall asking for card details',
    });
    await forgeOneUserAutoBlock('+13125550161', 'dark');
    const dark = await env.openApp({ role: 'lead', colorScheme: 'dark' });
    await openInbox(dark.page);
    await dark.page.getByTestId('block-request').first().waitFor();
    await dark.page.getByTestId('auto-block-review').first().waitFor();
    expect(await seriousViolations(dark.page)).toEqual([]);
    await screenshot(dark.page, 'lead-inbox-dark');
    expect(rendererErrors(dark)).toEqual([]);
    expect(rendererErrors(lead)).toEqual([]);
    expect(rendererErrors(agent)).toEqual([]);
    copyScreenshotsToDocs(['lead-inbox']);
  });
});
