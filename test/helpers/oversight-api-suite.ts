/**
 * The oversight API (SPEC §12), run once per database like the main API suite: on SQLite (unit project)
 * and on a real PostgreSQL (integration project). The dashboard's numbers are checked against call
 * reports this suite posts itself.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database';
import type {
  AuditListResponse,
  InsightResponse,
  StatsBlockedResponse,
  StatsTopResponse,
} from '../../shared/contracts/oversight';
import type { Rule } from '../../shared/rules';
import { call, errorCode, makeOrg, type TestOrg } from './server-harness';
import { startSuiteServer, type SuiteDatabase, type SuiteServer } from './suite-server';

/** Tuesday 2030-01-08 12:00 in New York (17:00 UTC). */
const TUESDAY_NOON_NY = Date.parse('2030-01-08T17:00:00Z');
const SATURDAY_NOON_NY = Date.parse('2030-01-05T17:00:00Z');

type Role = 'admin' | 'lead' | 'agent';

export function defineOversightApiSuite(label: string, provide: () => Promise<SuiteDatabase>): void {
  describe(`oversight API on ${label}`, () => {
    let server: SuiteServer;
    let database: Database;
    let app: FastifyInstance;
    const clock = { ms: TUESDAY_NOON_NY };
    let reportCounter = 0;

    beforeAll(async () => {
      server = await startSuiteServer(provide, { now: () => clock.ms });
      ({ database, app } = server);
    });
    afterAll(async () => {
      await server?.close();
    });

    const add = async (org: TestOrg, body: Record<string, unknown>, role: Role = 'lead') => {
      const reply = await call(app, 'POST', '/v1/blocked-numbers', org.tokens[role], body);
      expect(reply.status).toBe(201);
      return reply.body as Rule;
    };

    interface ReportInput {
      number: string | null;
      at: string;
      action?: 'block' | 'allow';
      why?: string;
      ruleId?: string | null;
      callId?: string;
      direction?: 'inbound' | 'outbound';
      verstat?: string | null;
      role?: Role;
    }
    const report = async (org: TestOrg, input: ReportInput) => {
      reportCounter += 1;
      const reply = await call(app, 'POST', '/v1/call-reports', org.tokens[input.role ?? 'agent'], {
        reports: [
          {
            id: `oversight-${reportCounter}`,
            callId: input.callId ?? `call-${reportCounter}`,
            direction: input.direction ?? 'inbound',
            line: org.lines[0],
            number: input.number,
            anonymous: input.number === null,
            action: input.action ?? 'block',
            why: input.why ?? 'rule',
            ruleId: input.ruleId ?? null,
            at: input.at,
            verstat: input.verstat ?? null,
          },
        ],
      });
      expect(reply.status).toBe(200);
      return reply.body as { accepted: number };
    };
    const blocked = async (org: TestOrg, query: string, role: Role = 'lead') => {
      const reply = await call(app, 'GET', `/v1/stats/blocked?${query}`, org.tokens[role]);
      expect(reply.status, reply.text).toBe(200);
      return reply.body as StatsBlockedResponse;
    };
    const top = async (org: TestOrg, query: string) => {
      const reply = await call(app, 'GET', `/v1/stats/top?${query}`, org.tokens.admin);
      expect(reply.status, reply.text).toBe(200);
      return reply.body as StatsTopResponse;
    };

    it('shows the dashboard to leads and admins only, and the insight to everyone', async () => {
      const org = await makeOrg(database);
      const routes = [
        '/v1/stats/blocked?from=2030-01-01&to=2030-01-07',
        '/v1/stats/top?from=2030-01-01&to=2030-01-07',
        '/v1/audit',
      ];
      for (const route of routes) {
        const agent = await call(app, 'GET', route, org.tokens.agent);
        expect([route, agent.status, errorCode(agent)]).toEqual([route, 403, 'forbidden']);
        for (const role of ['lead', 'admin'] as const) {
          expect([route, role, (await call(app, 'GET', route, org.tokens[role])).status]).toEqual([
            route,
            role,
            200,
          ]);
        }
        expect((await call(app, 'GET', route, null)).status).toBe(401);
      }
      // An org whose agents may manage the list still keeps the oversight views from them.
      await call(app, 'PATCH', '/v1/settings', org.tokens.admin, { whoCanManage: 'everyone' });
      expect((await call(app, 'GET', '/v1/audit', org.tokens.agent)).status).toBe(403);
      const insight = await call(app, 'GET', '/v1/numbers/%2B12125550142/insight', org.tokens.agent);
      expect(insight.status).toBe(200);
      expect((await call(app, 'GET', '/v1/numbers/12345/insight', org.tokens.agent)).status).toBe(400);
    });

    it('counts blocked calls per day, hour and why in the org time zone, from the reports posted', async () => {
      const org = await makeOrg(database);
      const number = await add(org, { number: '+12125550111', reason: 'Scam' });
      const prefix = await add(org, { number: '+1900*', reason: 'Premium rate' });
      // Monday 2030-01-07 22:30 in New York is already Tuesday 03:30 UTC: it counts on Monday.
      const mondayLate = '2030-01-08T03:30:00Z';
      const tuesday = '2030-01-08T15:10:00Z';
      await report(org, { number: '+12125550111', ruleId: number.id, at: mondayLate });
      await report(org, { number: '+12125550111', ruleId: number.id, at: tuesday });
      // One attempt seen by three agents counts once (a minute later: the same caller and line within
      // seconds would be the attempt before, SPEC §4.2).
      for (const role of ['admin', 'lead', 'agent'] as const)
        await report(org, {
          number: '+12125550111',
          ruleId: number.id,
          at: '2030-01-08T15:11:00Z',
          callId: 'shared-attempt',
          role,
        });
      await report(org, { number: '+19005550123', ruleId: prefix.id, at: tuesday });
      await report(org, { number: '+19005550124', ruleId: prefix.id, at: tuesday });
      await report(org, { number: null, why: 'anonymous', at: tuesday });
      await report(org, {
        number: '+13125550000',
        why: 'failed_verification',
        at: tuesday,
        verstat: 'TN-Validation-Failed',
      });
      // Not blocked, or not inbound: not on the dashboard.
      await report(org, { number: '+13125550001', action: 'allow', why: 'no_match', at: tuesday });
      await report(org, { number: '+12125550111', ruleId: number.id, at: tuesday, direction: 'outbound' });

      const days = await blocked(org, 'from=2030-01-06&to=2030-01-08');
      expect(days.timeZone).toBe('America/New_York');
      expect(days.buckets.map((bucket) => [bucket.start, bucket.total])).toEqual([
        ['2030-01-06', 0],
        ['2030-01-07', 1],
        ['2030-01-08', 6],
      ]);
      expect(days.buckets[2]?.counts).toEqual({
        number: 2,
        prefix: 2,
        anonymous: 1,
        verification: 1,
        auto: 0,
        unknown: 0,
      });
      expect(days.totals).toEqual({
        number: 3,
        prefix: 2,
        anonymous: 1,
        verification: 1,
        auto: 0,
        unknown: 0,
      });
      expect(days.total).toBe(7);
      // Monday (0) at 22:00 local, Tuesday (1) at 10:00 local.
      expect(days.hourOfWeek[0]?.[22]).toBe(1);
      expect(days.hourOfWeek[1]?.[10]).toBe(6);
      expect(days.hourOfWeek.flat().reduce((sum, count) => sum + count, 0)).toBe(7);

      const hours = await blocked(org, 'from=2030-01-07&to=2030-01-07&bucket=hour');
      expect(hours.buckets).toHaveLength(24);
      expect(hours.buckets.filter((bucket) => bucket.total > 0).map((bucket) => bucket.start)).toEqual([
        '2030-01-07T22',
      ]);

      const ranked = await top(org, 'from=2030-01-06&to=2030-01-08&limit=2');
      expect(ranked.trendBucket).toBe('day');
      expect(ranked.numbers).toEqual([
        { number: '+12125550111', count: 3, trend: [0, 1, 2] },
        { number: '+13125550000', count: 1, trend: [0, 0, 1] },
      ]);
      expect(ranked.rules.map((rule) => [rule.number, rule.reason, rule.count, rule.deleted])).toEqual([
        ['+12125550111', 'Scam', 3, false],
        ['+1900*', 'Premium rate', 2, false],
      ]);

      // Deleted rules and pruned raw reports leave the rollups as they were.
      expect((await call(app, 'DELETE', `/v1/blocked-numbers/${prefix.id}`, org.tokens.lead)).status).toBe(
        204,
      );
      await database.kysely.deleteFrom('call_reports').where('org_id', '=', org.id).execute();
      await database.kysely.deleteFrom('call_attempts').where('org_id', '=', org.id).execute();
      expect((await blocked(org, 'from=2030-01-06&to=2030-01-08')).total).toBe(7);
      const after = await top(org, 'from=2030-01-06&to=2030-01-08');
      expect(after.rules.find((rule) => rule.number === '+1900*')).toMatchObject({
        deleted: true,
        reason: null,
        count: 2,
      });
    });

    it('sums whole months and edge days alike for a long range, with weekly trends', async () => {
      const org = await makeOrg(database);
      const rule = await add(org, { number: '+12125550112', reason: 'Long range' });
      const days = [
        '2029-11-20T17:00:00Z',
        '2029-12-01T17:00:00Z',
        '2029-12-31T17:00:00Z',
        '2030-01-02T17:00:00Z',
      ];
      for (const at of days) await report(org, { number: '+12125550112', ruleId: rule.id, at });
      const ranked = await top(org, 'from=2029-11-15&to=2030-01-05');
      expect(ranked.trendBucket).toBe('week');
      expect(ranked.numbers[0]).toMatchObject({ number: '+12125550112', count: 4 });
      expect(ranked.numbers[0]?.trend.reduce((sum, count) => sum + count, 0)).toBe(4);
      expect(ranked.numbers[0]?.trend).toHaveLength(8);
      expect((await top(org, 'from=2029-12-01&to=2029-12-31')).numbers[0]?.count).toBe(2);
      expect((await top(org, 'from=2029-11-21&to=2029-12-31')).numbers[0]?.count).toBe(2);
      const bad = await call(app, 'GET', '/v1/stats/blocked?from=2030-01-05&to=2030-01-01', org.tokens.lead);
      expect([bad.status, errorCode(bad)]).toEqual([400, 'bad_request']);
      const long = await call(app, 'GET', '/v1/stats/top?from=2028-01-01&to=2030-01-01', org.tokens.lead);
      expect(long.status).toBe(400);
      const malformed = await call(app, 'GET', '/v1/stats/top?from=yesterday&to=2030-01-01', org.tokens.lead);
      expect([malformed.status, errorCode(malformed)]).toEqual([400, 'validation_failed']);
    });

    it("finds the true top number even when it is never among any month's own top ones", async () => {
      const org = await makeOrg(database);
      const rows = (month: string, prefix: string) => [
        ...Array.from({ length: 54 }, (_, i) => ({
          org_id: org.id,
          month,
          dimension: 'number',
          key: `+1${prefix}555${String(1000 + i)}`,
          count: 11,
        })),
        { org_id: org.id, month, dimension: 'number', key: '+13125550000', count: 10 },
      ];
      await database.kysely
        .insertInto('stats_top_monthly')
        .values([...rows('2030-01', '212'), ...rows('2030-02', '646')])
        .execute();
      const ranked = await top(org, 'from=2030-01-01&to=2030-02-28&limit=2');
      expect(ranked.numbers.map((entry) => [entry.number, entry.count])).toEqual([
        ['+13125550000', 20],
        ['+12125551000', 11],
      ]);
    });

    it('shows auto-block events and counts the calls their rules block as auto-block', async () => {
      const org = await makeOrg(database);
      await call(app, 'PATCH', '/v1/settings', org.tokens.admin, {
        autoBlock: { enabled: true, threshold: 2, windowMinutes: 5, outsideWorkingHoursOnly: true },
      });
      clock.ms = SATURDAY_NOON_NY;
      const at = new Date(clock.ms).toISOString();
      // Two users' reports, far enough apart to be two attempts (§4.2): an ordinary auto-block (§11.4).
      for (const [index, role] of (['lead', 'agent'] as const).entries()) {
        await report(org, {
          number: '+12125550113',
          action: 'allow',
          why: 'no_match',
          at: new Date(clock.ms - (1 - index) * 30_000).toISOString(),
          callId: `burst-${index}`,
          role,
        });
      }
      const rules = (await call(app, 'GET', '/v1/blocked-numbers', org.tokens.agent)).body as {
        items: Rule[];
      };
      const auto = rules.items.find((rule) => rule.source === 'auto');
      expect(auto?.number).toBe('+12125550113');
      // The next call from the number, a minute on, is blocked by the auto-block rule.
      clock.ms += 60_000;
      await report(org, {
        number: '+12125550113',
        ruleId: auto?.id ?? null,
        at: new Date(clock.ms).toISOString(),
      });
      const stats = await blocked(org, 'from=2030-01-05&to=2030-01-05');
      expect(stats.totals.auto).toBe(1);
      expect(stats.autoBlocks).toEqual([
        { at, ruleId: auto?.id, number: '+12125550113', reason: auto?.reason },
      ]);
      clock.ms = TUESDAY_NOON_NY;
    });

    it('keeps orgs apart in the dashboard, the audit and the insight', async () => {
      const orgA = await makeOrg(database);
      const orgB = await makeOrg(database);
      const rule = await add(orgA, { number: '+12125550114', reason: 'A only' });
      await report(orgA, {
        number: '+12125550114',
        ruleId: rule.id,
        at: '2030-01-08T15:00:00Z',
        verstat: 'TN-Validation-Passed',
      });
      expect((await blocked(orgB, 'from=2030-01-08&to=2030-01-08')).total).toBe(0);
      expect((await top(orgB, 'from=2030-01-08&to=2030-01-08')).numbers).toEqual([]);
      const audit = (await call(app, 'GET', '/v1/audit?number=%2B12125550114', orgB.tokens.admin))
        .body as AuditListResponse;
      expect(audit.items).toEqual([]);
      const insight = (await call(app, 'GET', '/v1/numbers/%2B12125550114/insight', orgB.tokens.agent))
        .body as InsightResponse;
      expect(insight).toMatchObject({
        rules: [],
        lastHour: { agents: 0, attempts: 0 },
        lastVerification: null,
      });
      // A person filter naming another org's user finds nothing either.
      const foreign = (await call(app, 'GET', `/v1/audit?person=${orgA.userIds.lead}`, orgB.tokens.admin))
        .body as AuditListResponse;
      expect(foreign.items).toEqual([]);
    });

    it('filters the audit by person, action, number (any format) and time, with cursor paging', async () => {
      const org = await makeOrg(database);
      clock.ms = Date.parse('2030-02-01T15:00:00Z');
      const first = await add(org, { number: '(212) 555-0115', reason: 'spam' }, 'lead');
      clock.ms += 60_000;
      await call(app, 'PATCH', `/v1/blocked-numbers/${first.id}`, org.tokens.admin, { reason: 'robocaller' });
      clock.ms = Date.parse('2030-02-03T15:00:00Z');
      const second = await add(org, { number: '+12125550116', reason: 'other' }, 'admin');
      clock.ms += 1000;
      await call(app, 'DELETE', `/v1/blocked-numbers/${second.id}`, org.tokens.lead);
      clock.ms += 1000;
      await call(app, 'PATCH', '/v1/settings', org.tokens.admin, { blockAnonymous: true });
      const audit = async (query: string) => {
        const reply = await call(app, 'GET', `/v1/audit?${query}`, org.tokens.lead);
        expect(reply.status, reply.text).toBe(200);
        return reply.body as AuditListResponse;
      };
      // From 2030 on: the org's lines were added (by the admin command line, in real time) before.
      const everything = await audit('from=2030-01-01T00:00:00Z');
      expect(everything.items.map((entry) => entry.action)).toEqual([
        'settings.updated',
        'rule.deleted',
        'rule.created',
        'rule.updated',
        'rule.created',
      ]);
      expect(everything.actors.map((actor) => actor.id).sort()).toEqual(
        [org.userIds.admin, org.userIds.lead].sort(),
      );
      const byNumber = await audit(`number=${encodeURIComponent('212.555.0115')}`);
      expect(byNumber.items.map((entry) => [entry.action, entry.number])).toEqual([
        ['rule.updated', '+12125550115'],
        ['rule.created', '+12125550115'],
      ]);
      expect(byNumber.items[0]).toMatchObject({
        before: { reason: 'spam' },
        after: { reason: 'robocaller' },
      });
      expect((await audit(`person=${org.userIds.admin}`)).items.map((entry) => entry.action)).toEqual([
        'settings.updated',
        'rule.created',
        'rule.updated',
      ]);
      expect((await audit('action=rule')).items).toHaveLength(4);
      expect((await audit('action=rule.deleted')).items.map((entry) => entry.number)).toEqual([
        '+12125550116',
      ]);
      const february1 = await audit(`from=2030-02-01T00:00:00Z&to=2030-02-02T00:00:00Z`);
      expect(february1.items.map((entry) => entry.action)).toEqual(['rule.updated', 'rule.created']);
      // Pages of two, then one, each starting where the last ended.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: AuditListResponse = await audit(
          `from=2030-01-01T00:00:00Z&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
        );
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((entry) => entry.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual(everything.items.map((entry) => entry.id));
      const bad = await call(app, 'GET', '/v1/audit?number=hello', org.tokens.lead);
      expect([bad.status, errorCode(bad)]).toEqual([422, 'unprocessable']);
      const badCursor = await call(app, 'GET', '/v1/audit?cursor=nonsense', org.tokens.lead);
      expect(badCursor.status).toBe(400);
      clock.ms = TUESDAY_NOON_NY;
    });

    it('invites: admins only, a code redeemed once for a working token with the invited role; expired and unknown codes refused', async () => {
      const org = await makeOrg(database);
      const other = await makeOrg(database);
      for (const role of ['lead', 'agent'] as const) {
        const refused = await call(app, 'POST', '/v1/invites', org.tokens[role], {
          name: 'Sam',
          role: 'agent',
        });
        expect([role, refused.status]).toEqual([role, 403]);
      }
      const created = await call(app, 'POST', '/v1/invites', org.tokens.admin, {
        name: 'Sam Agent',
        role: 'lead',
      });
      expect(created.status).toBe(201);
      const invite = created.body as { code: string; url: string; expiresAt: string };
      expect(invite.code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{1,4})+$/);
      expect(Date.parse(invite.expiresAt) - clock.ms).toBe(7 * 86_400_000);
      const link = new URL(invite.url);
      expect(link.protocol).toBe('blockline:');
      expect(link.searchParams.get('code')).toBe(invite.code);
      expect(link.searchParams.get('server')).toMatch(/^http:\/\/(localhost|127\.0\.0\.1)/);

      // Typed by a person: lower case, spaces instead of dashes.
      const typed = invite.code.toLowerCase().replace(/-/g, ' ');
      const redeemed = await call(app, 'POST', '/v1/invites/redeem', null, {
        code: typed,
        deviceName: 'Sam laptop',
      });
      expect(redeemed.status, redeemed.text).toBe(200);
      const { token } = redeemed.body as { token: string };
      const me = await call(app, 'GET', '/v1/me', token);
      expect(me.body).toMatchObject({ user: { name: 'Sam Agent', role: 'lead' }, org: { id: org.id } });
      const again = await call(app, 'POST', '/v1/invites/redeem', null, {
        code: invite.code,
        deviceName: 'Other',
      });
      expect([again.status, errorCode(again)]).toEqual([409, 'conflict']);

      // Two devices racing with one code: one account.
      const race = (
        await call(app, 'POST', '/v1/invites', org.tokens.admin, { name: 'Racer', role: 'agent' })
      ).body as { code: string };
      const replies = await Promise.all(
        [1, 2, 3].map((n) =>
          call(app, 'POST', '/v1/invites/redeem', null, { code: race.code, deviceName: `d${n}` }),
        ),
      );
      expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409, 409]);

      const late = (await call(app, 'POST', '/v1/invites', org.tokens.admin, { name: 'Late', role: 'agent' }))
        .body as { code: string };
      clock.ms += 7 * 86_400_000 + 1000;
      const expired = await call(app, 'POST', '/v1/invites/redeem', null, {
        code: late.code,
        deviceName: 'x',
      });
      expect([expired.status, errorCode(expired)]).toEqual([422, 'unprocessable']);
      clock.ms = TUESDAY_NOON_NY;
      const unknown = await call(app, 'POST', '/v1/invites/redeem', null, {
        code: 'ZZZZ-ZZZZ-ZZZZ',
        deviceName: 'x',
      });
      expect([unknown.status, errorCode(unknown)]).toEqual([404, 'not_found']);
      const garbage = await call(app, 'POST', '/v1/invites/redeem', null, {
        code: 'not a code!!',
        deviceName: 'x',
      });
      expect(garbage.status).toBe(404);

      const audit = (await call(app, 'GET', '/v1/audit?action=user', org.tokens.admin))
        .body as AuditListResponse;
      expect(audit.items.map((entry) => entry.action).sort()).toEqual(
        ['user.invited', 'user.invited', 'user.invited', 'user.joined', 'user.joined'].sort(),
      );
      expect(
        ((await call(app, 'GET', '/v1/audit?action=user', other.tokens.admin)).body as AuditListResponse)
          .items,
      ).toEqual([]);
    });

    it('tells what the org knows of a number: rules before (deleted, expired), agents rung, verification', async () => {
      const org = await makeOrg(database);
      clock.ms = Date.parse('2030-03-01T15:00:00Z');
      const old = await add(org, { number: '+12125550117', reason: 'abusive' }, 'lead');
      await call(app, 'DELETE', `/v1/blocked-numbers/${old.id}`, org.tokens.admin);
      clock.ms += 60_000;
      await add(
        org,
        { number: '+1212555*', reason: 'whole exchange', expiresAt: '2030-03-02T00:00:00Z' },
        'admin',
      );
      clock.ms = Date.parse('2030-03-03T15:00:00Z');
      await app.blockline.sweepExpired();
      const current = await add(
        org,
        { number: '+12125550117', reason: 'again', expiresAt: '2030-05-03T00:00:00Z' },
        'lead',
      );
      const recent = (minutes: number) => new Date(clock.ms - minutes * 60_000).toISOString();
      await report(org, {
        number: '+12125550117',
        action: 'allow',
        why: 'no_match',
        at: recent(90),
        role: 'admin',
      });
      await report(org, {
        number: '+12125550117',
        action: 'allow',
        why: 'no_match',
        at: recent(10),
        role: 'agent',
        verstat: 'TN-Validation-Passed',
      });
      await report(org, {
        number: '+12125550117',
        action: 'allow',
        why: 'no_match',
        at: recent(5),
        role: 'lead',
        callId: 'x1',
      });
      await report(org, {
        number: '+12125550117',
        action: 'allow',
        why: 'no_match',
        at: recent(5),
        role: 'agent',
        callId: 'x1',
      });

      const adminName = (
        (await call(app, 'GET', '/v1/me', org.tokens.admin)).body as { user: { name: string } }
      ).user.name;
      const reply = await call(app, 'GET', '/v1/numbers/%2B12125550117/insight', org.tokens.agent);
      expect(reply.status).toBe(200);
      const insight = reply.body as InsightResponse;
      expect(insight.rules.map((rule) => [rule.number, rule.status, rule.reason, rule.endedBy])).toEqual([
        ['+12125550117', 'active', 'again', null],
        ['+1212555*', 'expired', 'whole exchange', null],
        ['+12125550117', 'deleted', 'abusive', adminName],
      ]);
      expect(insight.rules[0]).toMatchObject({ ruleId: current.id, expiresAt: '2030-05-03T00:00:00.000Z' });
      expect(insight.lastHour).toEqual({ agents: 2, attempts: 2, firstAt: recent(10), lastAt: recent(5) });
      expect(insight.lastVerification).toEqual({ verstat: 'TN-Validation-Passed', at: recent(10) });
      clock.ms = TUESDAY_NOON_NY;
    });
  });
}
