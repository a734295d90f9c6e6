/**
 * The demo org behind the README's start command, created through the same code as the admin CLI and
 * the API. Idempotent: a second run keeps the org, lines and rules and only (re)issues tokens.
 */
import type { Role } from '../shared/contracts/api';
import { addLine, createOrg, createToken, createUser, standaloneStore } from './admin-ops';
import type { Database } from './db/database';
import { hashToken } from './ids';
import { createRule } from './rules-service';

export const DEMO_ORG_ID = 'demo';
const DEMO_USERS: ReadonlyArray<{ id: string; name: string; role: Role }> = [
  { id: 'demo-admin', name: 'Ada Admin', role: 'admin' },
  { id: 'demo-lead', name: 'Lee Lead', role: 'lead' },
  { id: 'demo-agent', name: 'Alex Agent', role: 'agent' },
];
const DEMO_RULES = [
  { number: '+1 900 555 0100', reason: 'Premium-rate scam line', scope: 'all' },
  { number: '+44 20 7946 0958', reason: 'Repeated robocalls', scope: 'all' },
  { number: '+1900*', reason: 'Premium-rate numbers', scope: 'all' },
  { number: '(212) 555-0199', reason: 'Abusive caller', scope: '+12125550101' },
] as const;

/**
 * Callers for trying the phone (`npm run demo:call`): the first is blocked by the "+1900*" rule above
 * and hears the announcement, the second is on no list and rings.
 */
export const DEMO_CALLERS = { blocked: '+19005550123', allowed: '+14155550142' } as const;

/** The demo org's lines, and which demo user answers which on the local demo PBX (`npm start`). */
export const DEMO_LINES = { sales: '+12125550100', support: '+12125550101' } as const;

export interface DemoSeed {
  orgId: string;
  created: boolean;
  /** Bearer tokens per role: the ones given, or new ones (only hashes are stored, so new ones are shown once). */
  tokens: Record<Role, string>;
}

export async function seedDemoOrg(
  database: Database,
  tokens: Partial<Record<Role, string>> = {},
): Promise<DemoSeed> {
  const store = standaloneStore(database);
  const created = (await store.getOrg(DEMO_ORG_ID)) === null;
  if (created) {
    await createOrg(store, {
      id: DEMO_ORG_ID,
      name: 'Demo Org',
      country: 'US',
      timeZone: 'America/New_York',
    });
    for (const user of DEMO_USERS)
      await createUser(store, { id: user.id, orgId: DEMO_ORG_ID, name: user.name, role: user.role });
  }
  await addLine(store, { orgId: DEMO_ORG_ID, number: DEMO_LINES.sales, label: 'Sales' });
  await addLine(store, { orgId: DEMO_ORG_ID, number: DEMO_LINES.support, label: 'Support' });
  if (created) {
    const admin = DEMO_USERS[0];
    if (admin !== undefined) {
      for (const rule of DEMO_RULES) {
        await createRule(store, DEMO_ORG_ID, { ...rule, kind: 'block' }, { id: admin.id, name: admin.name });
      }
    }
  }
  const issued: Partial<Record<Role, string>> = {};
  for (const user of DEMO_USERS) {
    const wanted = tokens[user.role];
    if (wanted !== undefined && wanted !== '') {
      const known = await store.db
        .selectFrom('tokens')
        .select('user_id')
        .where('hash', '=', hashToken(wanted))
        .executeTakeFirst();
      if (known === undefined) await createToken(store, user.id, wanted);
      issued[user.role] = wanted;
    } else {
      issued[user.role] = (await createToken(store, user.id)).token;
    }
  }
  return {
    orgId: DEMO_ORG_ID,
    created,
    tokens: { admin: issued.admin ?? '', lead: issued.lead ?? '', agent: issued.agent ?? '' },
  };
}

/** Tokens from BLOCKLINE_DEMO_ADMIN_TOKEN / _LEAD_TOKEN / _AGENT_TOKEN, when set. */
export function demoTokensFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<Role, string>> {
  const tokens: Partial<Record<Role, string>> = {};
  if (env.BLOCKLINE_DEMO_ADMIN_TOKEN) tokens.admin = env.BLOCKLINE_DEMO_ADMIN_TOKEN;
  if (env.BLOCKLINE_DEMO_LEAD_TOKEN) tokens.lead = env.BLOCKLINE_DEMO_LEAD_TOKEN;
  if (env.BLOCKLINE_DEMO_AGENT_TOKEN) tokens.agent = env.BLOCKLINE_DEMO_AGENT_TOKEN;
  return tokens;
}
