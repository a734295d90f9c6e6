/**
 * Settings → Phone steps of the UI e2e tests that call through the SIP lab: adding one of the lab's SIP
 * accounts the way a person does, and waiting for its line to register at the lab's Kamailio.
 */
import type { Locator, Page } from 'playwright-core';
import { KAMAILIO_WS_URL, LAB_SIP_DOMAIN, LAB_SIP_PASSWORD } from '../sip-lab/lab';

/** Settings → Phone → Add SIP account; resolves with the empty "New SIP account" form. */
export async function openNewSipAccountForm(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('tab', { name: 'Phone' }).click();
  await page.getByRole('button', { name: 'Add SIP account' }).click();
  return page.getByRole('form', { name: 'New SIP account' });
}

/** Back to the Phone view; waits (up to 15 s) until its Lines status says `shownLine` is registered. */
export async function waitForLineRegistered(page: Page, shownLine: string): Promise<void> {
  await page.getByRole('button', { name: 'Phone', exact: true }).click();
  await page
    .getByRole('status', { name: 'Lines' })
    .getByText(`${shownLine}: registered`)
    .waitFor({ timeout: 15_000 });
}

export interface LabSipAccount {
  /** The lab's SIP user, e.g. `agent1`. */
  user: string;
  /** The account's line, in E.164 and as the app shows it: `+12125550100`, `(212) 555-0100`. */
  line: string;
  shownLine: string;
  /** Filled in only when given (the field is optional). */
  displayName?: string;
}

/**
 * Adds a lab SIP account (Kamailio's WebSocket, the lab's password) in Settings → Phone, waits until
 * the account list shows it saved, then until its line is registered.
 */
export async function addLabSipAccount(page: Page, account: LabSipAccount): Promise<void> {
  const sipUri = `sip:${account.user}@${LAB_SIP_DOMAIN}`;
  const form = await openNewSipAccountForm(page);
  await form.getByLabel('Server WebSocket URL').fill(KAMAILIO_WS_URL);
  await form.getByLabel('SIP address (user)').fill(sipUri);
  await form.getByLabel('Line number (E.164)').fill(account.line);
  await form.getByLabel('Password').fill(LAB_SIP_PASSWORD);
  if (account.displayName !== undefined) await form.getByLabel('Display name').fill(account.displayName);
  await form.getByRole('button', { name: 'Save account' }).click();
  await page.getByText(`${sipUri} · line`).waitFor();
  await waitForLineRegistered(page, account.shownLine);
}

/** The lab's agent1 on the demo org's Sales line, with the display name the phone tests give it. */
export const AGENT_ONE: LabSipAccount = {
  user: 'agent1',
  line: '+12125550100',
  shownLine: '(212) 555-0100',
  displayName: 'Agent One',
};
