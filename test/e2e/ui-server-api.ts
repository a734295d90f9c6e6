/** The org server's API as the UI e2e tests use it to set up and check what the app did. */
import { listRulesResponseSchema, type Role } from '../../shared/contracts/api';
import type { Rule } from '../../shared/rules';
import type { UiEnv } from './ui-harness';

/**
 * Calls the org server's API as the demo user of `role`: the reply's JSON, or null for 204. A refusal
 * throws with the status and the server's reply, so a set-up step cannot fail quietly.
 */
export async function serverApi(
  env: UiEnv,
  role: Role,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${env.serverUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${env.tokens[role]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

/** The server's rule for exactly `number` (the list as a lead reads it), if there is one. */
export async function serverRuleFor(env: UiEnv, number: string): Promise<Rule | undefined> {
  const list = listRulesResponseSchema.parse(
    await serverApi(env, 'lead', 'GET', '/v1/blocked-numbers?limit=1000'),
  );
  return list.items.find((rule) => rule.number === number);
}
