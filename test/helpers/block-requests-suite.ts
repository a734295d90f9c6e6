/**
 * "Ask a lead to block" (SPEC §7.1b) against the real server, part of the shared API suite (SQLite and
 * PostgreSQL): agents ask, only leads and admins list and resolve, orgs stay apart, hostile text and
 * emergency numbers are refused, and an approval makes a rule that syncs like any other.
 */
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { buildServer } from '../../server/app';
import type { Database } from '../../server/db/database';
import type { BlockRequest } from '../../shared/contracts/block-requests';
import type { ChangesResponse } from '../../shared/contracts/api';
import type { Rule } from '../../shared/rules';
import { call, errorCode, makeOrg, type TestOrg } from './server-harness';

export interface BlockRequestSuiteContext {
  app: FastifyInstance;
  database: Database;
  now: () => number;
}

interface Created {
  request: BlockRequest;
  alreadyAsked: boolean;
}

export function defineBlockRequestTests(context: () => BlockRequestSuiteContext): void {
  const ask = (org: TestOrg, role: 'admin' | 'lead' | 'agent', body: unknown) =>
    call(context().app, 'POST', '/v1/block-requests', org.tokens[role], body);
  const inbox = (org: TestOrg, role: 'admin' | 'lead' | 'agent') =>
    call(context().app, 'GET', '/v1/block-requests', org.tokens[role]);
  const resolve = (org: TestOrg, role: 'admin' | 'lead' | 'agent', id: string, body: unknown) =>
    call(context().app, 'POST', `/v1/block-requests/${id}`, org.tokens[role], body);

  it('an agent asks; only leads and admins see and approve it; the rule is made, synced and audited', async () => {
    const { app, database, now } = context();
    const org = await makeOrg(database);
    const before = (await call(app, 'GET', '/v1/sync/changes?since=0', org.tokens.agent))
      .body as ChangesResponse;

    const asked = await ask(org, 'agent', { number: '(303) 555-0147 x 12', reason: '  Abusive caller  ' });
    expect(asked.status).toBe(201);
    const { request } = asked.body as Created;
    expect(request).toMatchObject({
      number: '+13035550147',
      reason: 'Abusive caller',
      status: 'open',
      requestedBy: { id: org.userIds.agent },
      resolvedBy: null,
      ruleId: null,
    });
    // Asking again for the same number (anyone, any spelling) returns the open request.
    const again = await ask(org, 'lead', { number: '+1 303-555-0147', reason: 'Same one' });
    expect([again.status, (again.body as Created).alreadyAsked, (again.body as Created).request.id]).toEqual([
      200,
      true,
      request.id,
    ]);
    // Asking changes no rule: the change log does not move.
    const after = (await call(app, 'GET', '/v1/sync/changes?since=0', org.tokens.agent))
      .body as ChangesResponse;
    expect(after.revision).toBe(before.revision);

    const agentList = await inbox(org, 'agent');
    expect([agentList.status, errorCode(agentList)]).toEqual([403, 'forbidden']);
    const agentResolves = await resolve(org, 'agent', request.id, { decision: 'approve' });
    expect([agentResolves.status, errorCode(agentResolves)]).toEqual([403, 'forbidden']);

    const listed = (await inbox(org, 'lead')).body as { items: BlockRequest[] };
    expect(listed.items.map((item) => [item.id, item.requestedBy.name])).toEqual([
      [request.id, expect.stringMatching(/^agent /)],
    ]);
    expect(((await inbox(org, 'admin')).body as { items: BlockRequest[] }).items).toHaveLength(1);

    const expiresAt = new Date(now() + 7 * 86_400_000).toISOString();
    const approved = await resolve(org, 'lead', request.id, {
      decision: 'approve',
      scope: org.lines[0],
      expiresAt,
    });
    expect(approved.status).toBe(200);
    const { rule, request: resolved } = approved.body as { rule: Rule; request: BlockRequest };
    expect(rule).toMatchObject({
      number: '+13035550147',
      kind: 'block',
      scope: org.lines[0],
      reason: 'Abusive caller',
      expiresAt,
      source: 'history',
    });
    expect(resolved).toMatchObject({
      status: 'approved',
      resolvedBy: { id: org.userIds.lead },
      ruleId: rule.id,
    });
    // Every app hears of the rule through the change log; the inbox is empty; a second decision is refused.
    const synced = (await call(app, 'GET', `/v1/sync/changes?since=${after.revision}`, org.tokens.agent))
      .body as ChangesResponse;
    expect(synced.changes).toEqual([expect.objectContaining({ type: 'rule_upserted', rule })]);
    expect(((await inbox(org, 'lead')).body as { items: unknown[] }).items).toEqual([]);
    const twice = await resolve(org, 'admin', request.id, { decision: 'dismiss' });
    expect([twice.status, errorCode(twice)]).toEqual([409, 'conflict']);

    const audit = (await call(app, 'GET', '/v1/audit', org.tokens.lead)).body as {
      items: Array<{ action: string; actor: { id: string } | null; target: string | null }>;
    };
    const actions = audit.items.map((entry) => [entry.action, entry.actor?.id, entry.target]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['block_request.created', org.userIds.agent, request.id],
        ['block_request.approved', org.userIds.lead, request.id],
        ['rule.created', org.userIds.lead, rule.id],
      ]),
    );
  });

  it('a dismissed request makes no rule; an approved one for a number already blocked points at that rule', async () => {
    const { app, database } = context();
    const org = await makeOrg(database);
    const first = ((await ask(org, 'agent', { number: '+12125557701', reason: 'Rude' })).body as Created)
      .request;
    const dismissed = await resolve(org, 'lead', first.id, { decision: 'dismiss' });
    expect(dismissed.body).toMatchObject({ rule: null, request: { status: 'dismissed', ruleId: null } });
    const rules = (await call(app, 'GET', '/v1/blocked-numbers', org.tokens.agent)).body as { items: Rule[] };
    expect(rules.items).toEqual([]);

    const existing = (
      await call(app, 'POST', '/v1/blocked-numbers', org.tokens.lead, {
        number: '+12125557702',
        reason: 'Known',
      })
    ).body as Rule;
    const second = ((await ask(org, 'agent', { number: '+12125557702', reason: 'Again' })).body as Created)
      .request;
    const approved = await resolve(org, 'admin', second.id, { decision: 'approve', reason: 'Lead says so' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      rule: { id: existing.id, reason: 'Known' },
      request: { status: 'approved', ruleId: existing.id },
    });
  });

  it('orgs are isolated: another org neither sees nor resolves the request', async () => {
    const { database } = context();
    const a = await makeOrg(database);
    const b = await makeOrg(database);
    const { request } = (await ask(a, 'agent', { number: '+12125557710', reason: 'Spam' })).body as Created;
    expect(((await inbox(b, 'lead')).body as { items: unknown[] }).items).toEqual([]);
    const foreign = await resolve(b, 'admin', request.id, { decision: 'approve' });
    expect([foreign.status, errorCode(foreign)]).toEqual([404, 'not_found']);
    expect(((await inbox(a, 'lead')).body as { items: BlockRequest[] }).items.map((item) => item.id)).toEqual(
      [request.id],
    );
    // The same number in another org is that org's own request.
    const inB = await ask(b, 'agent', { number: '+12125557710', reason: 'Spam' });
    expect([inB.status, (inB.body as Created).request.id === request.id]).toEqual([201, false]);
  });

  it('refuses emergency numbers, invalid numbers and hostile text (§11.5) with the field named, never a 500', async () => {
    const { database } = context();
    const org = await makeOrg(database);
    for (const number of ['911', '112', '9-1-1']) {
      const reply = await ask(org, 'agent', { number, reason: 'no' });
      expect([number, reply.status, errorCode(reply)]).toEqual([number, 422, 'emergency_number']);
    }
    const invalid = await ask(org, 'agent', { number: '12', reason: 'short' });
    expect([invalid.status, errorCode(invalid)]).toEqual([422, 'unprocessable']);
    const hostile = [
      'Spam\u0000caller',
      'Spam \u001b[31mred',
      'Spam\ncaller',
      'Spam \u202egnp.exe',
      'Spam \u2066x\u2069',
      'Spam \ud800',
    ];
    for (const reason of hostile) {
      const reply = await ask(org, 'agent', { number: '+12125557720', reason });
      const issues = (reply.body as { error?: { details?: { issues?: Array<{ path: unknown[] }> } } }).error
        ?.details?.issues;
      expect([JSON.stringify(reason), reply.status, issues?.[0]?.path]).toEqual([
        JSON.stringify(reason),
        400,
        ['reason'],
      ]);
    }
    const { request } = (await ask(org, 'agent', { number: '+12125557721', reason: 'שיחת \u200fספאם' }))
      .body as Created;
    expect(request.reason).toBe('שיחת \u200fספאם');
    const hostileApproval = await resolve(org, 'lead', request.id, {
      decision: 'approve',
      reason: 'x\u0000',
    });
    expect([hostileApproval.status, errorCode(hostileApproval)]).toEqual([400, 'validation_failed']);
    const empty = await ask(org, 'agent', { number: '+12125557722', reason: '   ' });
    expect(empty.status).toBe(400);
  });

  it('caps asking per token, however the token is spelled', async () => {
    const { database, now } = context();
    const org = await makeOrg(database);
    const app = await buildServer({
      db: database,
      now,
      sweepIntervalMs: false,
      rateLimit: { writesPerMinute: 100, authFailuresPerMinute: 100, blockRequestsPerMinute: 3 },
    });
    try {
      const spellings = ['Bearer', 'bearer', 'BEARER', 'Bearer '];
      const statuses: number[] = [];
      for (const [index, scheme] of spellings.entries()) {
        const reply = await app.inject({
          method: 'POST',
          url: '/v1/block-requests',
          headers: { authorization: `${scheme} ${org.tokens.agent}` },
          payload: { number: `+1212555773${index}`, reason: 'Spam' },
        });
        statuses.push(reply.statusCode);
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
      // Another member's budget is their own.
      const lead = await call(app, 'POST', '/v1/block-requests', org.tokens.lead, {
        number: '+12125557739',
        reason: 'Spam',
      });
      expect(lead.status).toBe(201);
    } finally {
      await app.close();
    }
  });
}
