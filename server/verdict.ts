/** "Test a number" (SPEC §2.6) for the API and the admin CLI: the verdict the apps would reach now. */
import type { TestNumberResponse } from '../shared/contracts/api';
import { buildRuleIndex, testNumber } from '../shared/decision';
import type { RuleIndex } from '../shared/rule-index';
import { notFound } from './errors';
import type { Repository } from './repository';

/** How many orgs' indexes one server keeps (a 100,000-rule index is a few MB). */
const CACHED_ORGS = 32;

/** Each repository's rule indexes by org, valid for one revision: a test does not rebuild 100,000 rules. */
const indexes = new WeakMap<Repository, Map<string, { revision: number; index: RuleIndex }>>();

async function ruleIndexAt(store: Repository, orgId: string, revision: number): Promise<RuleIndex> {
  let byOrg = indexes.get(store);
  if (byOrg === undefined) {
    byOrg = new Map();
    indexes.set(store, byOrg);
  }
  const cached = byOrg.get(orgId);
  if (cached !== undefined && cached.revision === revision) return cached.index;
  // Read at or after `revision`: an index built from newer rules is kept under the older revision only
  // until the next change, which every write makes.
  const index = buildRuleIndex(await store.allRules(orgId));
  byOrg.delete(orgId);
  if (byOrg.size >= CACHED_ORGS) {
    const oldest = byOrg.keys().next().value;
    if (oldest !== undefined) byOrg.delete(oldest);
  }
  byOrg.set(orgId, { revision, index });
  return index;
}

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
  const index = await ruleIndexAt(store, orgId, org.revision);
  // The server's test has no machine-local emergency call-back window (SPEC §1.4): that is per app.
  const decision = testNumber(input, line, index, org.settings, {
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
