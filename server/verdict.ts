/** "Test a number" (SPEC §2.6) for the API and the admin CLI: the verdict the apps would reach now. */
import type { TestNumberResponse } from '../shared/contracts/api';
import { buildRuleIndex, testNumber } from '../shared/decision';
import { notFound } from './errors';
import type { Repository } from './repository';

export async function testNumberForOrg(
  store: Repository,
  orgId: string,
  input: string,
  line: string | null,
): Promise<TestNumberResponse> {
  const org = await store.getOrg(orgId);
  if (org === null) throw notFound('the org');
  if (line !== null) {
    const lines = await store.listLines(orgId);
    if (!lines.some((known) => known.number === line)) throw notFound(`the line ${line}`);
  }
  const rules = await store.allRules(orgId);
  // The server's test has no machine-local emergency call-back window (SPEC §1.4): that is per app.
  const decision = testNumber(input, line, buildRuleIndex(rules), org.settings, {
    nowMs: store.now(),
    lastEmergencyCallAtMs: null,
  });
  const { verdict } = decision;
  return {
    input,
    number: decision.number,
    line,
    action: verdict.action,
    why: verdict.why,
    rule: 'rule' in verdict ? verdict.rule : null,
    explanation: decision.explanation,
  };
}
