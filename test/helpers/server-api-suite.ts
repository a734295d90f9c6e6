/**
 * The org-server API suite, run once per database: on SQLite (unit project) and on a real PostgreSQL
 * (integration project). Each test makes its own orgs, so tests share one database and one server.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server/app';
import type { Database } from '../../server/db/database';
import type { BulkCreateResponse, Change, ChangesResponse, Line, Snapshot } from '../../shared/contracts/api';
import { changeSchema, MAX_BULK_ENTRIES, snapshotResponseSchema } from '../../shared/contracts/api';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings, type OrgSettings } from '../../shared/settings';
import { OrgApiClient } from '../../host/api-client';
import { messageForField } from '../../renderer/stores/settings';
import { fieldOfError } from '../../renderer/settings/errors';
import { Repository } from '../../server/repository';
import { defineBlockRequestTests } from './block-requests-suite';
import { defineAnnouncementTests } from './server-announcements-suite';
import { defineSecurityTests } from './server-security-suite';
import { defineWrapUpTests } from './server-wrap-up-suite';
import { call, errorCode, listening, makeOrg, openEvents, type Reply, type TestOrg } from './server-harness';
import { startSuiteServer, type SuiteDatabase, type SuiteServer } from './suite-server';

/** A Monday 12:00 in New York (inside default working hours), in ms. */
const MONDAY_NOON_NY = Date.parse('2030-01-07T17:00:00Z');
/** A Saturday 12:00 in New York (outside default working hours). */
const SATURDAY_NOON_NY = Date.parse('2030-01-05T17:00:00Z');

export function defineServerApiSuite(label: string, provide: () => Promise<SuiteDatabase>): void {
  describe(`org server API on ${label}`, () => {
    let server: SuiteServer;
    let database: Database;
    let app: FastifyInstance;
    const clock = { ms: MONDAY_NOON_NY };

    beforeAll(async () => {
      server = await startSuiteServer(provide, { now: () => clock.ms });
      ({ database, app } = server);
    });

    afterAll(async () => {
      await server?.close();
    });

    defineSecurityTests(() => ({ database, url: server.url, now: () => clock.ms }));
    defineBlockRequestTests(() => ({ app, database, now: () => clock.ms }));
    defineAnnouncementTests(() => ({ app, database }));
    defineWrapUpTests(() => ({ app, database, now: () => clock.ms }));

    const add = (org: TestOrg, body: Record<string, unknown>, role: 'admin' | 'lead' | 'agent' = 'lead') =>
      call(app, 'POST', '/v1/blocked-numbers', org.tokens[role], body);

    it('serves health, readiness and a valid OpenAPI 3 document generated from the schemas', async () => {
      expect((await call(app, 'GET', '/healthz', null)).status).toBe(200);
      expect((await call(app, 'GET', '/readyz', null)).status).toBe(200);
      const doc = await call(app, 'GET', '/v1/openapi.json', null);
      expect(doc.status).toBe(200);
      const spec = doc.body as { openapi: string; paths: Record<string, unknown> };
      expect(spec.openapi).toMatch(/^3\./);
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining([
          '/v1/blocked-numbers',
          '/v1/blocked-numbers/bulk',
          '/v1/sync/changes',
          '/v1/events',
        ]),
      );
      await expect(SwaggerParser.validate(structuredClone(doc.body) as never)).resolves.toBeTruthy();
    });

    it('requires a valid, unrevoked bearer token and answers with the envelope', async () => {
      const org = await makeOrg(database);
      const none = await call(app, 'GET', '/v1/me', null);
      expect([none.status, errorCode(none)]).toEqual([401, 'unauthorized']);
      const wrong = await call(app, 'GET', '/v1/me', 'bl_not-a-token');
      expect([wrong.status, errorCode(wrong)]).toEqual([401, 'unauthorized']);
      const me = await call(app, 'GET', '/v1/me', org.tokens.agent);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        user: { role: 'agent' },
        org: { id: org.id, defaultCountry: 'US' },
        canManage: false,
      });
      const { revokeToken, standaloneStore } = await import('../../server/admin-ops');
      await revokeToken(standaloneStore(database), org.tokens.agent);
      expect((await call(app, 'GET', '/v1/me', org.tokens.agent)).status).toBe(401);
      // A token in the query string is never accepted (it would end up in logs).
      expect((await call(app, 'GET', `/v1/me?access_token=${org.tokens.lead}`, null)).status).toBe(401);
    });

    it('creates a rule from any number format, then refuses duplicates, emergency and invalid numbers', async () => {
      const org = await makeOrg(database);
      const created = await add(org, { number: '(212) 555-1234', reason: '  Scam  ' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        number: '+12125551234',
        scope: 'all',
        kind: 'block',
        reason: 'Scam',
        source: 'manual',
      });

      const duplicate = await add(org, { number: '+1 212-555-1234', reason: 'again' });
      expect([duplicate.status, errorCode(duplicate)]).toEqual([409, 'already_blocked']);
      const onLine = await add(org, { number: '212.555.1234', reason: 'line', scope: org.lines[0] });
      expect([onLine.status, errorCode(onLine)]).toEqual([409, 'already_blocked']);
      expect(JSON.stringify(onLine.body)).toContain('all lines');
      const exception = await add(org, {
        number: '2125551234',
        reason: 'vip',
        kind: 'allow',
        scope: org.lines[1],
      });
      expect(exception.status).toBe(201);

      for (const number of ['911', '9-1-1', 'tel:112']) {
        const emergency = await add(org, { number, reason: 'nope' });
        expect([emergency.status, errorCode(emergency)]).toEqual([422, 'emergency_number']);
      }
      const invalid = await add(org, { number: 'hello', reason: 'x' });
      expect([invalid.status, errorCode(invalid)]).toEqual([422, 'unprocessable']);
      const wideprefix = await add(org, { number: '+1*', reason: 'x' });
      expect(errorCode(wideprefix)).toBe('unprocessable');
      const prefix = await add(org, { number: '900*', reason: 'premium' });
      expect(prefix.body).toMatchObject({ number: '+1900*' });
      const unknownLine = await add(org, { number: '+12125559999', reason: 'x', scope: '+12125550199' });
      expect([unknownLine.status, errorCode(unknownLine)]).toEqual([422, 'unprocessable']);
      const past = await add(org, { number: '+12125559998', reason: 'x', expiresAt: '2000-01-01T00:00:00Z' });
      expect(past.status).toBe(422);
    });

    it('50 parallel adds of one number create exactly one rule and 49 already_blocked', async () => {
      const org = await makeOrg(database);
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          add(org, { number: '+12125557777', reason: `try ${i}` }, i % 2 ? 'lead' : 'admin'),
        ),
      );
      expect(replies.filter((reply) => reply.status === 201)).toHaveLength(1);
      const refused = replies.filter((reply) => reply.status === 409);
      expect(refused).toHaveLength(49);
      expect(refused.every((reply) => errorCode(reply) === 'already_blocked')).toBe(true);
      const list = await call(app, 'GET', '/v1/blocked-numbers', org.tokens.agent);
      expect((list.body as { total: number }).total).toBe(1);
      const changes = await call(app, 'GET', '/v1/sync/changes?since=0', org.tokens.agent);
      const ruleChanges = (changes.body as ChangesResponse).changes.filter(
        (change) => change.type === 'rule_upserted',
      );
      expect(ruleChanges).toHaveLength(1);
    });

    it('bulk add: one result per entry, valid ones created, over the limit refused with 413', async () => {
      const org = await makeOrg(database);
      expect((await add(org, { number: '+12125550001', reason: 'existing' })).status).toBe(201);
      const entries = [
        { number: '+12125550002', reason: 'ok' },
        { number: 'not a number', reason: 'bad' },
        { number: '+12125550001', reason: 'dup of existing' },
        { number: '911', reason: 'emergency' },
        { number: '212-555-0002', reason: 'dup within request' },
        { number: '+12125550003', reason: 'ok on a line', scope: org.lines[0] },
        { number: '+12125550004' },
        { number: '+12125550005', reason: 'unknown field', color: 'red' },
        { number: '+12125550006', reason: 'unknown line', scope: '+12125550188' },
        'not an object',
      ];
      const reply = await call(app, 'POST', '/v1/blocked-numbers/bulk', org.tokens.lead, { entries });
      expect(reply.status).toBe(200);
      const { results } = reply.body as BulkCreateResponse;
      expect(results.map((result) => result.status)).toEqual([
        'created',
        'invalid',
        'already_blocked',
        'emergency',
        'already_blocked',
        'created',
        'invalid',
        'invalid',
        'invalid',
        'invalid',
      ]);
      expect(results.map((result) => result.index)).toEqual(entries.map((_, index) => index));
      expect(results[1]).toMatchObject({ reason: 'not_a_number' });
      expect(results[8]).toMatchObject({ reason: 'unknown_line' });
      const created = results.flatMap((result) => (result.status === 'created' ? [result.rule] : []));
      expect(created.every((rule) => rule.source === 'bulk')).toBe(true);
      const list = await call(app, 'GET', '/v1/blocked-numbers?limit=100', org.tokens.agent);
      expect((list.body as { total: number }).total).toBe(3);

      const tooMany = Array.from({ length: MAX_BULK_ENTRIES + 1 }, (_, i) => ({
        number: `+1212556${String(i).padStart(4, '0')}`,
        reason: 'many',
      }));
      const over = await call(app, 'POST', '/v1/blocked-numbers/bulk', org.tokens.lead, { entries: tooMany });
      expect([over.status, errorCode(over)]).toEqual([413, 'payload_too_large']);
      const atLimit = await call(app, 'POST', '/v1/blocked-numbers/bulk', org.tokens.lead, {
        entries: tooMany.slice(0, MAX_BULK_ENTRIES),
        source: 'import',
      });
      expect(atLimit.status).toBe(200);
      const statuses = (atLimit.body as BulkCreateResponse).results.map((result) => result.status);
      expect(statuses.filter((status) => status === 'created').length).toBeGreaterThan(400);
    });

    it('enforces whoCanManage on every write for every role', async () => {
      type Write = (org: TestOrg, token: string, ruleId: string) => Promise<Reply>;
      let sequence = 1000;
      const nextNumber = () => `+1212555${(sequence += 1)}`;
      const writes: Record<string, Write> = {
        create: (org, token) =>
          call(app, 'POST', '/v1/blocked-numbers', token, { number: nextNumber(), reason: 'x' }),
        bulk: (org, token) =>
          call(app, 'POST', '/v1/blocked-numbers/bulk', token, {
            entries: [{ number: nextNumber(), reason: 'x' }],
          }),
        patch: (org, token, ruleId) =>
          call(app, 'PATCH', `/v1/blocked-numbers/${ruleId}`, token, { reason: 'edited' }),
        delete: (org, token, ruleId) => call(app, 'DELETE', `/v1/blocked-numbers/${ruleId}`, token),
        settings: (org, token) => call(app, 'PATCH', '/v1/settings', token, { blockAnonymous: true }),
        line: (org, token) =>
          call(app, 'PATCH', `/v1/lines/${encodeURIComponent(org.lines[0])}`, token, {
            announcementMode: 'answer',
          }),
      };
      for (const whoCanManage of ['leads', 'everyone'] as const) {
        const org = await makeOrg(database);
        await call(app, 'PATCH', '/v1/settings', org.tokens.admin, { whoCanManage });
        for (const role of ['admin', 'lead', 'agent'] as const) {
          const allowed = role !== 'agent' || whoCanManage === 'everyone';
          const me = await call(app, 'GET', '/v1/me', org.tokens[role]);
          expect((me.body as { canManage: boolean }).canManage).toBe(allowed);
          for (const [name, write] of Object.entries(writes)) {
            const target = await add(org, { number: nextNumber(), reason: 'target' }, 'admin');
            const reply = await write(org, org.tokens[role], (target.body as Rule).id);
            const outcome = `${whoCanManage}/${role}/${name}: ${reply.status}`;
            if (allowed) expect(reply.status, outcome).toBeLessThan(300);
            else expect([reply.status, errorCode(reply)], outcome).toEqual([403, 'forbidden']);
          }
        }
        // Agents never change who may manage, even when everyone manages the list.
        const agentChange = await call(app, 'PATCH', '/v1/settings', org.tokens.agent, {
          whoCanManage: 'everyone',
        });
        expect(agentChange.status).toBe(403);
      }
    });

    it('keeps orgs apart: another org sees and changes nothing (404/403 only)', async () => {
      const orgA = await makeOrg(database);
      const orgB = await makeOrg(database);
      const rule = (await add(orgA, { number: '+12125553333', reason: 'A only' })).body as Rule;
      const b = orgB.tokens.admin;
      const attempts: Reply[] = [
        await call(app, 'PATCH', `/v1/blocked-numbers/${rule.id}`, b, { reason: 'hijack' }),
        await call(app, 'DELETE', `/v1/blocked-numbers/${rule.id}`, b),
      ];
      for (const attempt of attempts) expect([403, 404]).toContain(attempt.status);
      const listB = await call(app, 'GET', '/v1/blocked-numbers?search=2125553333', b);
      expect((listB.body as { total: number }).total).toBe(0);
      const snapshotB = (await call(app, 'GET', '/v1/sync/snapshot', b)).body as Snapshot;
      expect(snapshotB.rules.some((known) => known.id === rule.id)).toBe(false);
      const verdictB = await call(app, 'GET', '/v1/test-number?number=%2B12125553333', b);
      expect(verdictB.body).toMatchObject({ action: 'allow' });
      const auditB = await call(app, 'GET', '/v1/audit', b);
      expect(JSON.stringify(auditB.body)).not.toContain(rule.id);
      const csvB = await call(app, 'GET', '/v1/blocked-numbers/export.csv', b);
      expect(csvB.text).not.toContain('+12125553333');
      // B's admin creating the same number makes B's own rule; A's is untouched.
      expect((await add(orgB, { number: '+12125553333', reason: 'B too' }, 'admin')).status).toBe(201);
      const stillA = await call(app, 'GET', '/v1/blocked-numbers', orgA.tokens.agent);
      expect((stillA.body as { items: Rule[] }).items.map((known) => known.reason)).toEqual(['A only']);
    });

    it('lists with search in any format or by reason, sort, filters and cursor paging', async () => {
      const org = await makeOrg(database);
      const numbers = ['+12125550010', '+12125550011', '+12125550012', '+12125550013', '+12125550014'];
      for (const [index, number] of numbers.entries()) {
        clock.ms += 1000;
        await add(org, {
          number,
          reason: index === 2 ? 'Robocall Burst' : `reason ${index}`,
          scope: index === 4 ? org.lines[0] : 'all',
        });
      }
      const get = async (query: string) =>
        (await call(app, 'GET', `/v1/blocked-numbers?${query}`, org.tokens.agent)).body as {
          items: Rule[];
          nextCursor: string | null;
          total: number;
        };
      expect((await get('search=(212)%20555-0012')).items.map((rule) => rule.number)).toEqual([
        '+12125550012',
      ]);
      expect((await get('search=robocall')).items.map((rule) => rule.number)).toEqual(['+12125550012']);
      expect((await get('sort=number&order=asc')).items.map((rule) => rule.number)).toEqual(numbers);
      expect((await get('sort=created&order=desc')).items[0]?.number).toBe('+12125550014');
      expect(
        (await get(`scope=${encodeURIComponent(org.lines[0])}`)).items.map((rule) => rule.number),
      ).toEqual(['+12125550014']);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await get(`sort=number&order=asc&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
        expect(page.total).toBe(5);
        seen.push(...page.items.map((rule) => rule.number));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual(numbers);
      const badCursor = await call(app, 'GET', '/v1/blocked-numbers?cursor=zzz', org.tokens.agent);
      expect([badCursor.status, errorCode(badCursor)]).toEqual([400, 'bad_request']);
    });

    it('edits reason and expiry, deletes, audits and logs each change with its own revision', async () => {
      const org = await makeOrg(database);
      const rule = (await add(org, { number: '+12125554444', reason: 'first' })).body as Rule;
      const patched = await call(app, 'PATCH', `/v1/blocked-numbers/${rule.id}`, org.tokens.lead, {
        reason: 'second',
        expiresAt: new Date(clock.ms + 86_400_000).toISOString(),
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ reason: 'second', number: '+12125554444' });
      const numberChange = await call(app, 'PATCH', `/v1/blocked-numbers/${rule.id}`, org.tokens.lead, {
        number: '+12125550000',
      });
      expect(numberChange.status).toBe(400);
      expect((await call(app, 'DELETE', `/v1/blocked-numbers/${rule.id}`, org.tokens.lead)).status).toBe(204);
      expect((await call(app, 'DELETE', `/v1/blocked-numbers/${rule.id}`, org.tokens.lead)).status).toBe(404);
      const { changes, revision } = (await call(app, 'GET', '/v1/sync/changes?since=2', org.tokens.agent))
        .body as ChangesResponse;
      expect(changes.map((change) => change.type)).toEqual([
        'rule_upserted',
        'rule_upserted',
        'rule_deleted',
      ]);
      expect(changes.map((change) => change.revision)).toEqual([3, 4, 5]);
      expect(revision).toBe(5);
      for (const change of changes) expect(changeSchema.safeParse(change).success).toBe(true);
      const audit = (await call(app, 'GET', '/v1/audit?limit=10', org.tokens.admin)).body as {
        items: Array<{ action: string; actor: { name: string } | null; before: unknown; after: unknown }>;
      };
      const actions = audit.items.map((entry) => entry.action);
      expect(actions).toEqual(expect.arrayContaining(['rule.created', 'rule.updated', 'rule.deleted']));
      const update = audit.items.find((entry) => entry.action === 'rule.updated');
      expect(update?.before).toMatchObject({ reason: 'first' });
      expect(update?.after).toMatchObject({ reason: 'second' });
      expect(update?.actor?.name).toBe('lead ' + update?.actor?.name.split(' ')[1]);
    });

    it('answers 410 snapshot_required beyond the retained log, then the snapshot brings the client up to date', async () => {
      const org = await makeOrg(database);
      const small = await buildServer({
        db: database,
        now: () => clock.ms,
        rateLimit: false,
        sweepIntervalMs: false,
        changeRetention: 5,
      });
      try {
        for (let i = 0; i < 12; i += 1) {
          expect(
            (
              await call(small, 'POST', '/v1/blocked-numbers', org.tokens.lead, {
                number: `+1212555${2000 + i}`,
                reason: 'r',
              })
            ).status,
          ).toBe(201);
        }
        const stale = await call(small, 'GET', '/v1/sync/changes?since=1', org.tokens.agent);
        expect([stale.status, errorCode(stale)]).toEqual([410, 'snapshot_required']);
        const ahead = await call(small, 'GET', '/v1/sync/changes?since=999', org.tokens.agent);
        expect(ahead.status).toBe(410);
        const snap = (await call(small, 'GET', '/v1/sync/snapshot', org.tokens.agent)).body as Snapshot;
        expect(snap.rules).toHaveLength(12);
        // The database-built JSON matches the contract and the list endpoint rule for rule.
        expect(snapshotResponseSchema.safeParse(snap).success).toBe(true);
        const listed = (await call(small, 'GET', '/v1/blocked-numbers?limit=100', org.tokens.agent)).body as {
          items: Rule[];
        };
        const byId = (a: Rule, b: Rule) => a.id.localeCompare(b.id);
        expect([...snap.rules].sort(byId)).toEqual([...listed.items].sort(byId));
        expect(new Set(snap.rules.map((rule) => rule.id)).size).toBe(12);
        for (const [accept, encoding, decode] of [
          ['br;q=1, gzip;q=0.5', 'gzip', gunzipSync],
          ['br', 'br', brotliDecompressSync],
        ] as const) {
          const compressed = await small.inject({
            method: 'GET',
            url: '/v1/sync/snapshot',
            headers: { authorization: `Bearer ${org.tokens.agent}`, 'accept-encoding': accept },
          });
          expect(compressed.headers['content-encoding']).toBe(encoding);
          expect(JSON.parse(decode(compressed.rawPayload).toString('utf8'))).toEqual(snap);
        }
        expect(snap.lines.map((line) => line.number)).toEqual(org.lines);
        const recent = await call(
          small,
          'GET',
          `/v1/sync/changes?since=${snap.revision - 3}`,
          org.tokens.agent,
        );
        expect((recent.body as ChangesResponse).changes).toHaveLength(3);
        const current = await call(small, 'GET', `/v1/sync/changes?since=${snap.revision}`, org.tokens.agent);
        expect(current.body).toEqual({ revision: snap.revision, changes: [] });
      } finally {
        await small.close();
      }
    });

    it('pushes changes over SSE and resumes after a dropped connection with no missed or repeated revision', async () => {
      const org = await makeOrg(database);
      const baseUrl = listening(app);
      const first = await openEvents(baseUrl, org.tokens.agent, { since: 0 });
      await first.waitFor((changes) => changes.length === 2); // the two lines_updated of the fixture
      for (let i = 0; i < 3; i += 1) await add(org, { number: `+1212555${3000 + i}`, reason: 'live' });
      await first.waitFor((changes) => changes.length === 5);
      first.close();
      await first.ended;
      const lastSeen = first.ids[first.ids.length - 1] ?? 0;
      // Written while the client is away, and while it reconnects.
      for (let i = 3; i < 6; i += 1) await add(org, { number: `+1212555${3000 + i}`, reason: 'missed' });
      // Commits racing the reconnection land both in the backlog read and in the live feed: sent once.
      let written = 0;
      const writer = (async () => {
        for (let i = 0; i < 30; i += 1) {
          await add(org, { number: `+1212555${3010 + i}`, reason: 'racing' });
          written += 1;
        }
      })();
      while (written < 2) await new Promise((resolve) => setTimeout(resolve, 2));
      const second = await openEvents(baseUrl, org.tokens.agent, { lastEventId: lastSeen });
      await writer;
      await add(org, { number: '+12125553008', reason: 'after' });
      await second.waitFor((changes) => changes.length >= 34);
      await new Promise((resolve) => setTimeout(resolve, 200));
      second.close();
      const all = [...first.ids, ...second.ids];
      expect(all).toEqual(Array.from({ length: 39 }, (_, i) => i + 1));
      const gone = await fetch(`${baseUrl}/v1/events?since=999`, {
        headers: { authorization: `Bearer ${org.tokens.agent}` },
      });
      expect(gone.status).toBe(410);
    });

    it('call reports are idempotent, count each call attempt once and advance hit counters', async () => {
      const org = await makeOrg(database);
      const rule = (await add(org, { number: '+12125556666', reason: 'hits' })).body as Rule;
      // Two call attempts a minute apart (legs of one call arrive within seconds of each other).
      const report = (id: string, callId: string) => ({
        id,
        callId,
        direction: 'inbound',
        line: org.lines[0],
        number: '+12125556666',
        anonymous: false,
        action: 'block',
        why: 'rule',
        ruleId: rule.id,
        at: new Date(clock.ms - (callId === 'call-a' ? 60_000 : 0)).toISOString(),
      });
      const first = await call(app, 'POST', '/v1/call-reports', org.tokens.agent, {
        reports: [report('report-0001', 'call-a'), report('report-0002', 'call-a')],
      });
      expect(first.body).toEqual({ accepted: 2, duplicates: 0 });
      const again = await call(app, 'POST', '/v1/call-reports', org.tokens.lead, {
        reports: [report('report-0001', 'call-a'), report('report-0003', 'call-b')],
      });
      expect(again.body).toEqual({ accepted: 1, duplicates: 1 });
      const list = (await call(app, 'GET', '/v1/blocked-numbers?sort=hits', org.tokens.agent)).body as {
        items: Rule[];
      };
      expect(list.items[0]).toMatchObject({ id: rule.id, hitCount: 2 });
      const { changes } = (await call(app, 'GET', '/v1/sync/changes?since=3', org.tokens.agent))
        .body as ChangesResponse;
      expect(
        changes
          .filter((change) => change.type === 'rule_hits')
          .map((change) => 'hitCount' in change && change.hitCount),
      ).toEqual([1, 2]);
    });

    it('auto-blocks a caller that three agents all saw: counted once per attempt, and only outside working hours', async () => {
      const reportsFor = (org: TestOrg, attempt: number, number: string) =>
        (['admin', 'lead', 'agent'] as const).map((role) =>
          call(app, 'POST', '/v1/call-reports', org.tokens[role], {
            reports: [
              {
                id: `${org.id}-${number}-${attempt}-${role}`,
                callId: `${number}-attempt-${attempt}`,
                direction: 'inbound',
                line: org.lines[0],
                number,
                anonymous: false,
                action: 'allow',
                why: 'no_match',
                ruleId: null,
                at: new Date(clock.ms).toISOString(),
              },
            ],
          }),
        );
      const autoRules = async (org: TestOrg) =>
        (
          (await call(app, 'GET', '/v1/blocked-numbers', org.tokens.agent)).body as { items: Rule[] }
        ).items.filter((rule) => rule.source === 'auto');

      const org = await makeOrg(database);
      const enable = await call(app, 'PATCH', '/v1/settings', org.tokens.admin, {
        autoBlock: { enabled: true, threshold: 3, windowMinutes: 5, outsideWorkingHoursOnly: true },
      });
      expect(enable.status).toBe(200);
      clock.ms = SATURDAY_NOON_NY;
      for (const attempt of [1, 2]) {
        await Promise.all(reportsFor(org, attempt, '+12125558888'));
        clock.ms += 30_000;
      }
      // Six reports, but two call attempts: below the threshold of three.
      expect(await autoRules(org)).toHaveLength(0);
      await Promise.all(reportsFor(org, 3, '+12125558888'));
      const [auto] = await autoRules(org);
      expect(auto).toMatchObject({ number: '+12125558888', scope: 'all', kind: 'block', source: 'auto' });
      expect(auto?.reason).toMatch(/auto/i);
      const { changes } = (await call(app, 'GET', '/v1/sync/changes?since=0', org.tokens.agent))
        .body as ChangesResponse;
      expect(changes.some((change) => change.type === 'rule_upserted' && change.rule.source === 'auto')).toBe(
        true,
      );

      // The same burst inside working hours (Monday noon in New York) blocks nothing.
      clock.ms = MONDAY_NOON_NY;
      for (const attempt of [1, 2, 3, 4]) {
        await Promise.all(reportsFor(org, attempt + 10, '+12125558889'));
        clock.ms += 30_000;
      }
      expect((await autoRules(org)).map((rule) => rule.number)).toEqual(['+12125558888']);

      // A caller already covered by an all-lines prefix rule, or excepted, is not auto-blocked again.
      clock.ms = SATURDAY_NOON_NY + 3_600_000;
      expect((await add(org, { number: '+1212777*', reason: 'range already blocked' })).status).toBe(201);
      expect((await add(org, { number: '+12125556666', reason: 'trusted', kind: 'allow' })).status).toBe(201);
      for (const attempt of [1, 2, 3, 4]) {
        await Promise.all(reportsFor(org, attempt + 20, '+12127770001'));
        await Promise.all(reportsFor(org, attempt + 30, '+12125556666'));
        clock.ms += 30_000;
      }
      expect((await autoRules(org)).map((rule) => rule.number)).toEqual(['+12125558888']);
    });

    it('removes expired rules and syncs the removal', async () => {
      const org = await makeOrg(database);
      const rule = (
        await add(org, {
          number: '+12125559191',
          reason: 'temporary',
          expiresAt: new Date(clock.ms + 60_000).toISOString(),
        })
      ).body as Rule;
      await add(org, { number: '+12125559192', reason: 'permanent' });
      expect(await app.blockline.sweepExpired()).toBe(0);
      clock.ms += 120_000;
      expect(await app.blockline.sweepExpired()).toBeGreaterThanOrEqual(1);
      const snap = (await call(app, 'GET', '/v1/sync/snapshot', org.tokens.agent)).body as Snapshot;
      expect(snap.rules.map((known) => known.number)).toEqual(['+12125559192']);
      const { changes } = (await call(app, 'GET', '/v1/sync/changes?since=4', org.tokens.agent))
        .body as ChangesResponse;
      expect(changes).toEqual([
        expect.objectContaining({ type: 'rule_deleted', ruleId: rule.id, number: '+12125559191' }),
      ]);
    });

    it('tests a number, exports CSV, changes settings and lines, each syncing', async () => {
      const org = await makeOrg(database);
      const rule = (await add(org, { number: '+12125557070', reason: 'Known scammer, "the bank"' }))
        .body as Rule;
      const blocked = await call(
        app,
        'GET',
        '/v1/test-number?number=212-555-7070&line=%2B12125550100',
        org.tokens.agent,
      );
      expect(blocked.body).toMatchObject({
        action: 'block',
        why: 'rule',
        number: '+12125557070',
        rule: { id: rule.id },
      });
      const allowed = await call(app, 'GET', '/v1/test-number?number=212-555-7071', org.tokens.agent);
      expect(allowed.body).toMatchObject({ action: 'allow', rule: null });
      const emergency = await call(app, 'GET', '/v1/test-number?number=911', org.tokens.agent);
      expect(emergency.body).toMatchObject({ action: 'allow', why: 'emergency' });

      const csv = await call(app, 'GET', '/v1/blocked-numbers/export.csv', org.tokens.agent);
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.text.split('\r\n')[0]).toBe('number,reason,scope,kind,expiresAt');
      expect(csv.text).toContain('+12125557070,"Known scammer, ""the bank""",all,block,');

      const settings = await call(app, 'PATCH', '/v1/settings', org.tokens.lead, {
        blockAnonymous: true,
        psapWindowMinutes: 30,
      });
      expect(settings.body).toMatchObject({ blockAnonymous: true, psapWindowMinutes: 30 });
      const tooShort = await call(app, 'PATCH', '/v1/settings', org.tokens.lead, { psapWindowMinutes: 5 });
      expect(tooShort.status).toBe(400);
      const line = await call(
        app,
        'PATCH',
        `/v1/lines/${encodeURIComponent(org.lines[1])}`,
        org.tokens.lead,
        { announcementMode: 'answer' },
      );
      expect(line.body).toEqual({
        number: org.lines[1],
        label: 'Support',
        announcementMode: 'answer',
        pbxAutoAnswer: false,
      });
      const unknownLine = await call(app, 'PATCH', '/v1/lines/%2B12125550177', org.tokens.lead, {
        announcementMode: 'answer',
      });
      expect(unknownLine.status).toBe(404);
      const { changes } = (await call(app, 'GET', '/v1/sync/changes?since=3', org.tokens.agent))
        .body as ChangesResponse;
      expect(changes.map((change: Change) => change.type)).toEqual(['settings_updated', 'lines_updated']);
      const lines = (await call(app, 'GET', '/v1/lines', org.tokens.agent)).body;
      expect(lines).toEqual({
        lines: [
          { number: org.lines[0], label: 'Sales', announcementMode: 'early-media', pbxAutoAnswer: false },
          { number: org.lines[1], label: 'Support', announcementMode: 'answer', pbxAutoAnswer: false },
        ],
      });
    });

    it('lets only admins turn on auto-answer when the PBX asks, per line, off by default (SPEC §10.4)', async () => {
      const org = await makeOrg(database);
      const path = `/v1/lines/${encodeURIComponent(org.lines[0])}`;
      const byLead = await call(app, 'PATCH', path, org.tokens.lead, { pbxAutoAnswer: true });
      expect([byLead.status, errorCode(byLead)]).toEqual([403, 'forbidden']);
      const byAgent = await call(app, 'PATCH', path, org.tokens.agent, { pbxAutoAnswer: true });
      expect(byAgent.status).toBe(403);
      const notBoolean = await call(app, 'PATCH', path, org.tokens.admin, { pbxAutoAnswer: 'yes' });
      expect(notBoolean.status).toBe(400);
      const empty = await call(app, 'PATCH', path, org.tokens.admin, {});
      expect(empty.status).toBe(400);
      const byAdmin = await call(app, 'PATCH', path, org.tokens.admin, { pbxAutoAnswer: true });
      expect(byAdmin.body).toEqual({
        number: org.lines[0],
        label: 'Sales',
        announcementMode: 'early-media',
        pbxAutoAnswer: true,
      });
      // A lead still sets the announcement mode, and it leaves auto-answer as the admin set it.
      const mode = await call(app, 'PATCH', path, org.tokens.lead, { announcementMode: 'answer' });
      expect(mode.body).toMatchObject({ announcementMode: 'answer', pbxAutoAnswer: true });
      const lines = (await call(app, 'GET', '/v1/lines', org.tokens.agent)).body as { lines: Line[] };
      expect(lines.lines.map((line) => line.pbxAutoAnswer)).toEqual([true, false]);
      const { changes } = (await call(app, 'GET', '/v1/sync/changes?since=0', org.tokens.agent))
        .body as ChangesResponse;
      const lastLines = changes.filter((change: Change) => change.type === 'lines_updated').at(-1);
      expect(lastLines).toMatchObject({ lines: [{ pbxAutoAnswer: true }, { pbxAutoAnswer: false }] });
    });

    it('names the refused field in typed details that the app reads, through the real client and server', async () => {
      const org = await makeOrg(database);
      const client = new OrgApiClient({ serverUrl: listening(app), token: org.tokens.lead, fetch });
      const tooShort = await client.updateSettings({ psapWindowMinutes: 5 });
      expect(tooShort.ok).toBe(false);
      if (tooShort.ok) return;
      expect(tooShort.code).toBe('validation_failed');
      expect(tooShort.details?.issues?.[0]?.path).toEqual(['psapWindowMinutes']);
      const psapMessage = messageForField(tooShort, 'psapWindowMinutes');
      expect(psapMessage).not.toBe(tooShort.message);
      expect(psapMessage).toMatch(/15/);
      expect(messageForField(tooShort, 'blockAnonymous')).toBe(tooShort.message);

      const threshold = await client.updateSettings({ autoBlock: { threshold: 1 } });
      expect(threshold.ok).toBe(false);
      if (threshold.ok) return;
      expect(messageForField(threshold, 'autoBlock.threshold')).not.toBe(threshold.message);
      expect(messageForField(threshold, 'autoBlock.windowMinutes')).toBe(threshold.message);

      const hours = await client.updateSettings({
        autoBlock: {
          workingHours: {
            ...defaultOrgSettings().autoBlock.workingHours,
            mon: { start: '18:00', end: '09:00' },
          },
        },
      });
      expect(hours.ok).toBe(false);
      if (hours.ok) return;
      expect(messageForField(hours, 'autoBlock.workingHours')).toBe(
        'working hours must end after they start',
      );

      const ruleFields = ['number', 'reason', 'scope', 'kind', 'expiresAt'] as const;
      const longReason = await client.createRule({ number: '+12125556161', reason: 'x'.repeat(1000) });
      expect(!longReason.ok && fieldOfError(longReason, ruleFields, 'number')).toBe('reason');
      const unknownLine = await client.createRule({
        number: '+12125556161',
        reason: 'x',
        scope: '+12125550199',
      });
      expect(!unknownLine.ok && unknownLine.code).toBe('unprocessable');
      expect(!unknownLine.ok && fieldOfError(unknownLine, ruleFields, 'number')).toBe('scope');
      const past = await client.createRule({
        number: '+12125556161',
        reason: 'x',
        expiresAt: '2000-01-01T00:00:00.000Z',
      });
      expect(!past.ok && fieldOfError(past, ruleFields, 'number')).toBe('expiresAt');
    });

    it('migrates stored settings: new fields take defaults, unknown and refused ones are kept and logged, nothing reset', async () => {
      const org = await makeOrg(database);
      const defaults = defaultOrgSettings();
      const { psapWindowMinutes: _added, ...older } = defaults;
      const stored = {
        ...older,
        blockAnonymous: true,
        inboundAction: 'reject',
        futureFlag: { kept: true },
        autoBlock: { ...defaults.autoBlock, enabled: true, threshold: 1, futureKnob: 7 },
      };
      await database.kysely
        .updateTable('orgs')
        .set({ settings: JSON.stringify(stored) })
        .where('id', '=', org.id)
        .execute();

      const logged: Array<{ level: string; fields: string[]; message: string }> = [];
      const sink = (level: string) => (object: { fields: string[] }, message: string) =>
        logged.push({ level, fields: object.fields, message });
      const repository = new Repository(database, {
        now: Date.now,
        changeRetention: 100,
        onCommitted: () => undefined,
        log: { info: sink('info'), warn: sink('warn'), error: sink('error') } as never,
      });
      expect((await repository.getOrg(org.id))?.settings).toMatchObject({ blockAnonymous: true });
      expect(logged).toEqual([
        expect.objectContaining({ level: 'info', fields: ['psapWindowMinutes'] }),
        expect.objectContaining({ level: 'warn', fields: ['autoBlock.futureKnob', 'futureFlag'] }),
        expect.objectContaining({ level: 'error', fields: ['autoBlock.threshold'] }),
      ]);

      const served = (await call(app, 'GET', '/v1/settings', org.tokens.agent)).body as OrgSettings;
      expect(served).toEqual({
        ...defaults,
        blockAnonymous: true,
        inboundAction: 'reject',
        autoBlock: { ...defaults.autoBlock, enabled: true },
      });
      const saved = await call(app, 'PATCH', '/v1/settings', org.tokens.lead, { logBlockedInbound: true });
      expect(saved.body).toMatchObject({
        blockAnonymous: true,
        inboundAction: 'reject',
        logBlockedInbound: true,
      });
      const row = await database.kysely
        .selectFrom('orgs')
        .select('settings')
        .where('id', '=', org.id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(row.settings)).toEqual({
        ...stored,
        psapWindowMinutes: defaults.psapWindowMinutes,
        logBlockedInbound: true,
      });
      const threshold = await call(app, 'PATCH', '/v1/settings', org.tokens.lead, {
        autoBlock: { threshold: 9 },
      });
      expect((threshold.body as OrgSettings).autoBlock.threshold).toBe(9);
      const after = await database.kysely
        .selectFrom('orgs')
        .select('settings')
        .where('id', '=', org.id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(after.settings)).toMatchObject({
        futureFlag: { kept: true },
        autoBlock: { threshold: 9, futureKnob: 7, enabled: true },
      });
    });

    it('answers malformed JSON, wrong types, unknown fields and huge bodies with a 4xx envelope, never 500', async () => {
      const org = await makeOrg(database);
      const token = org.tokens.lead;
      const json = { 'content-type': 'application/json' };
      const cases: Array<[string, Promise<Reply>]> = [
        ['malformed JSON', call(app, 'POST', '/v1/blocked-numbers', token, '{"number": "+1212', json)],
        [
          'wrong types',
          call(app, 'POST', '/v1/blocked-numbers', token, { number: 12125551234, reason: ['x'] }),
        ],
        [
          'unknown field',
          call(app, 'POST', '/v1/blocked-numbers', token, {
            number: '+12125551234',
            reason: 'x',
            admin: true,
          }),
        ],
        ['null body', call(app, 'POST', '/v1/blocked-numbers', token, 'null', json)],
        ['empty body', call(app, 'POST', '/v1/blocked-numbers', token, '', json)],
        ['array body', call(app, 'POST', '/v1/blocked-numbers/bulk', token, '[1,2]', json)],
        [
          'huge body',
          call(app, 'POST', '/v1/blocked-numbers', token, {
            number: '+12125551234',
            reason: 'x'.repeat(2 * 1024 * 1024),
          }),
        ],
        [
          'bad settings type',
          call(app, 'PATCH', '/v1/settings', token, { autoBlock: { threshold: 'many' } }),
        ],
        ['unknown setting', call(app, 'PATCH', '/v1/settings', token, { nope: 1 })],
        ['bad query', call(app, 'GET', '/v1/blocked-numbers?limit=-4', token)],
        ['unknown query', call(app, 'GET', '/v1/blocked-numbers?color=red', token)],
        ['bad since', call(app, 'GET', '/v1/sync/changes?since=abc', token)],
        ['bad report', call(app, 'POST', '/v1/call-reports', token, { reports: [{ id: 'x' }] })],
        [
          'text body',
          call(app, 'POST', '/v1/blocked-numbers', token, 'number=1', { 'content-type': 'text/plain' }),
        ],
        ['unknown route', call(app, 'GET', '/v1/nothing-here', token)],
        [
          'prototype pollution',
          call(
            app,
            'POST',
            '/v1/blocked-numbers',
            token,
            '{"number":"+12125551234","reason":"x","__proto__":{"admin":true}}',
            json,
          ),
        ],
      ];
      for (const [name, pending] of cases) {
        const reply = await pending;
        expect(reply.status, name).toBeGreaterThanOrEqual(400);
        expect(reply.status, name).toBeLessThan(500);
        expect(errorCode(reply), `${name}: ${reply.text.slice(0, 200)}`).not.toBeNull();
      }
      expect((await cases[6]?.[1])?.status).toBe(413);
      expect(errorCode(await (cases[1]?.[1] as Promise<Reply>))).toBe('validation_failed');
    });

    it('rate-limits writes and failed authentication with 429', async () => {
      const org = await makeOrg(database);
      const limited = await buildServer({
        db: database,
        now: () => clock.ms,
        sweepIntervalMs: false,
        rateLimit: { writesPerMinute: 3, authFailuresPerMinute: 3 },
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i += 1) {
          statuses.push(
            (
              await call(limited, 'POST', '/v1/blocked-numbers', org.tokens.lead, {
                number: `+1212555${4000 + i}`,
                reason: 'r',
              })
            ).status,
          );
        }
        expect(statuses).toEqual([201, 201, 201, 429]);
        const reads = await call(limited, 'GET', '/v1/blocked-numbers', org.tokens.lead);
        expect(reads.status).toBe(200);
        const failures: Reply[] = [];
        for (let i = 0; i < 4; i += 1) failures.push(await call(limited, 'GET', '/v1/me', `bl_wrong${i}`));
        expect(failures.map((reply) => reply.status)).toEqual([401, 401, 401, 429]);
        expect(errorCode(failures[3] as Reply)).toBe('rate_limited');
      } finally {
        await limited.close();
      }
    });

    it('ends SSE streams when the server closes (graceful shutdown)', async () => {
      const org = await makeOrg(database);
      const instance = await buildServer({
        db: database,
        now: () => clock.ms,
        rateLimit: false,
        sweepIntervalMs: false,
        heartbeatMs: 50,
      });
      await instance.listen({ port: 0, host: '127.0.0.1' });
      const stream = await openEvents(listening(instance), org.tokens.agent);
      await new Promise((resolve) => setTimeout(resolve, 180));
      expect(stream.heartbeats).toBeGreaterThanOrEqual(2);
      await instance.close();
      await stream.ended;
      expect(instance.blockline.streams.size).toBe(0);
    });
  });
}
