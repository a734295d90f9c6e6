/**
 * What the org knows of a caller on the ringing card (SPEC §12.3), against the real SIP lab: the call
 * rings first (the decision and the ring never wait for the server), then the card says what the org
 * knows — here that an earlier rule for the number was deleted, and that it rang other agents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_SIP_PASSWORD, startLab, type Lab } from '../sip-lab/lab';
import { runUac } from '../sip-lab/sipp';
import type { Rule } from '../../shared/rules';
import {
  rendererErrors,
  screenshot,
  seriousViolations,
  startUiEnv,
  type AppInstance,
  type UiEnv,
} from './ui-harness';

const CALLER = '+13125550177';
let lab: Lab;
let env: UiEnv;
let lead: AppInstance;

async function api(method: string, path: string, token: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${env.serverUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

beforeAll(async () => {
  lab = await startLab();
  env = await startUiEnv();
  // Blocked once, then forgiven: the rule is gone from the list, but the org remembers it.
  const rule = (await api('POST', '/v1/blocked-numbers', env.tokens.admin, {
    number: CALLER,
    reason: 'Rude to agents',
  })) as Rule;
  await api('DELETE', `/v1/blocked-numbers/${rule.id}`, env.tokens.lead);
  const at = new Date(Date.now() - 4 * 60_000).toISOString();
  await api('POST', '/v1/call-reports', env.tokens.agent, {
    reports: [
      {
        id: 'ring-insight-1',
        callId: 'ring-insight-call-1',
        direction: 'inbound',
        line: '+12125550100',
        number: CALLER,
        anonymous: false,
        action: 'allow',
        why: 'no_match',
        ruleId: null,
        at,
      },
    ],
  });
  lead = await env.openApp({ role: 'lead' });
});
afterAll(async () => {
  await env?.close();
  await lab?.stop();
});

describe('the ringing card', () => {
  it('rings, then shows what the org knows of the caller', async () => {
    const { page } = lead;
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Phone' }).click();
    await page.getByRole('button', { name: 'Add SIP account' }).click();
    const form = page.getByRole('form', { name: 'New SIP account' });
    await form.getByLabel('Server WebSocket URL').fill('ws://127.0.0.1:8080');
    await form.getByLabel('SIP address (user)').fill('sip:agent1@127.0.0.1');
    await form.getByLabel('Line number (E.164)').fill('+12125550100');
    await form.getByLabel('Password').fill(LAB_SIP_PASSWORD);
    await form.getByLabel('Display name').fill('Agent One');
    await form.getByRole('button', { name: 'Save account' }).click();
    await page.getByRole('button', { name: 'Phone', exact: true }).click();
    await page
      .getByRole('status', { name: 'Lines' })
      .getByText('(212) 555-0100: registered')
      .waitFor({ timeout: 15_000 });

    const caller = runUac({
      scenario: 'uac-ring',
      caller: { callerUri: `sip:${CALLER}@127.0.0.1`, callerName: 'Caller' },
    });
    const incoming = page.getByRole('dialog', { name: 'Incoming call' });
    await incoming.waitFor({ timeout: 15_000 });
    const insight = incoming.getByTestId('number-insight');
    await insight.waitFor({ timeout: 5_000 });
    const text = (await insight.textContent()) ?? '';
    expect(text).toContain('Was blocked by Ada Admin: Rude to agents, rule deleted');
    expect(text).toContain('by Lee Lead');
    // The agent who saw it 4 minutes ago; and this app too when its own report of this call reached
    // the server before the card asked (both orders happen: the report and the question race).
    expect(text).toMatch(/Rang (1 agent [45] min ago|2 agents in [45] min)/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'incoming-call-insight-light');
    await incoming.getByRole('button', { name: 'Decline' }).click();
    await caller.catch(() => undefined);
    expect(rendererErrors(lead)).toEqual([]);
  });
});
