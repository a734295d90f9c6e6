/**
 * What the org knows of a caller on the ringing card (SPEC §12.3), against the real SIP lab: the call
 * rings first (the decision and the ring never wait for the server), then the card says what the org
 * knows — here that an earlier rule for the number was deleted, and that it rang other agents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { serverApi } from './ui-server-api';
import { addLabSipAccount, AGENT_ONE } from './ui-sip-account';

const CALLER = '+13125550177';
let env: UiEnv;
let lead: AppInstance;

beforeAll(async () => {
  env = await startUiEnv({ sipLab: true });
  // Blocked once, then forgiven: the rule is gone from the list, but the org remembers it.
  const rule = (await serverApi(env, 'admin', 'POST', '/v1/blocked-numbers', {
    number: CALLER,
    reason: 'Rude to agents',
  })) as Rule;
  await serverApi(env, 'lead', 'DELETE', `/v1/blocked-numbers/${rule.id}`);
  const at = new Date(Date.now() - 4 * 60_000).toISOString();
  await serverApi(env, 'agent', 'POST', '/v1/call-reports', {
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
});

describe('the ringing card', () => {
  it('rings, then shows what the org knows of the caller', async () => {
    const { page } = lead;
    await addLabSipAccount(page, AGENT_ONE);

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
