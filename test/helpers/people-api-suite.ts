/**
 * People (SPEC §12.4) over the API, run once per database like the oversight suite: admins list people
 * and devices, change roles, disable and enable, revoke one device or all (open streams close within a
 * second); the last admin stays; leads and agents are refused; orgs stay apart; every change audited.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, standaloneStore } from '../../server/admin-ops';
import type { Database } from '../../server/db/database';
import type { AuditListResponse, Device, Person } from '../../shared/contracts/oversight';
import { call, endsWithin, errorCode, listening, makeOrg, openEvents, type TestOrg } from './server-harness';
import { startSuiteServer, type SuiteDatabase, type SuiteServer } from './suite-server';

const SLOW = { timeout: 60_000 };
type RouteCall = ['GET' | 'PATCH' | 'DELETE', string, Record<string, unknown>?];

export function definePeopleApiSuite(label: string, provide: () => Promise<SuiteDatabase>): void {
  describe(`people API on ${label}`, () => {
    let server: SuiteServer;
    let database: Database;
    let app: FastifyInstance;
    let baseUrl: string;

    beforeAll(async () => {
      server = await startSuiteServer(provide, { accessPollMs: 100 });
      ({ database, app } = server);
      baseUrl = listening(app);
    });
    afterAll(async () => {
      await server?.close();
    });

    const people = async (org: TestOrg) => {
      const reply = await call(app, 'GET', '/v1/users', org.tokens.admin);
      expect(reply.status).toBe(200);
      return (reply.body as { users: Person[] }).users;
    };
    const devices = async (org: TestOrg, userId: string) => {
      const reply = await call(app, 'GET', `/v1/users/${userId}/tokens`, org.tokens.admin);
      expect(reply.status).toBe(200);
      return (reply.body as { devices: Device[] }).devices;
    };
    const patch = (org: TestOrg, userId: string, body: Record<string, unknown>) =>
      call(app, 'PATCH', `/v1/users/${userId}`, org.tokens.admin, body);

    it('is for admins only: leads and agents are refused every People route', async () => {
      const org = await makeOrg(database);
      const agentToken = (await call(app, 'GET', `/v1/users/${org.userIds.agent}/tokens`, org.tokens.admin))
        .body as { devices: Device[] };
      const routes: RouteCall[] = [
        ['GET', '/v1/users'],
        ['PATCH', `/v1/users/${org.userIds.agent}`, { role: 'lead' }],
        ['GET', `/v1/users/${org.userIds.agent}/tokens`],
        ['DELETE', `/v1/users/${org.userIds.agent}/tokens`],
        ['DELETE', `/v1/tokens/${agentToken.devices[0]?.id ?? 'x'}`],
      ];
      for (const [method, path, body] of routes) {
        for (const role of ['lead', 'agent'] as const) {
          const reply = await call(app, method, path, org.tokens[role], body);
          expect([method, path, role, reply.status, errorCode(reply)]).toEqual([
            method,
            path,
            role,
            403,
            'forbidden',
          ]);
        }
        expect((await call(app, method, path, null, body)).status).toBe(401);
      }
      // Nothing was changed by the refused requests.
      expect((await people(org)).find((person) => person.id === org.userIds.agent)).toMatchObject({
        role: 'agent',
        devices: 1,
      });
    });

    it('lists people with role, status and devices, never a secret', async () => {
      const org = await makeOrg(database);
      const store = standaloneStore(database);
      const laptop = await createToken(store, org.userIds.agent, undefined, 'Laptop');
      const list = await people(org);
      expect(list.map((person) => [person.id, person.role, person.disabled]).sort()).toEqual(
        [
          [org.userIds.admin, 'admin', false],
          [org.userIds.agent, 'agent', false],
          [org.userIds.lead, 'lead', false],
        ].sort(),
      );
      expect(list.find((person) => person.id === org.userIds.agent)?.devices).toBe(2);
      const agentDevices = await devices(org, org.userIds.agent);
      expect(agentDevices).toHaveLength(2);
      for (const device of agentDevices) {
        expect(Object.keys(device).sort()).toEqual(['createdAt', 'deviceName', 'id', 'lastUsedAt']);
      }
      expect(agentDevices.find((device) => device.id === laptop.id)?.deviceName).toBe('Laptop');
      const everything = JSON.stringify([list, agentDevices]);
      for (const token of [...Object.values(org.tokens), laptop.token])
        expect(everything).not.toContain(token);
    });

    it('changes roles and refuses to demote or disable the last active admin (409 last_admin)', async () => {
      const org = await makeOrg(database);
      const promoted = await patch(org, org.userIds.lead, { role: 'admin' });
      expect([promoted.status, (promoted.body as Person).role]).toEqual([200, 'admin']);
      // Two admins: one may step down; then the other is the last.
      const demoted = await patch(org, org.userIds.admin, { role: 'lead' });
      expect([demoted.status, (demoted.body as Person).role]).toEqual([200, 'lead']);
      const secondAdmin = org.userIds.lead;
      const tokenOfSecond = org.tokens.lead;
      for (const body of [{ role: 'agent' }, { disabled: true }, { role: 'lead', disabled: true }]) {
        const refused = await call(app, 'PATCH', `/v1/users/${secondAdmin}`, tokenOfSecond, body);
        expect([refused.status, errorCode(refused)]).toEqual([409, 'last_admin']);
        expect((refused.body as { error: { message: string } }).error.message).toMatch(/only active admin/);
      }
      // A disabled admin does not count as the other admin.
      expect(
        (await call(app, 'PATCH', `/v1/users/${org.userIds.admin}`, tokenOfSecond, { role: 'admin' })).status,
      ).toBe(200);
      expect(
        (await call(app, 'PATCH', `/v1/users/${org.userIds.admin}`, tokenOfSecond, { disabled: true }))
          .status,
      ).toBe(200);
      const still = await call(app, 'PATCH', `/v1/users/${secondAdmin}`, tokenOfSecond, { role: 'agent' });
      expect([still.status, errorCode(still)]).toEqual([409, 'last_admin']);
      const empty = await call(app, 'PATCH', `/v1/users/${org.userIds.agent}`, tokenOfSecond, {});
      expect(empty.status).toBe(400);
      const badRole = await call(app, 'PATCH', `/v1/users/${org.userIds.agent}`, tokenOfSecond, {
        role: 'owner',
      });
      expect(badRole.status).toBe(400);
      const audit = (await call(app, 'GET', '/v1/audit?action=user', tokenOfSecond))
        .body as AuditListResponse;
      const roleChanges = audit.items.filter((entry) => entry.action === 'user.role_changed');
      expect(roleChanges).toHaveLength(3);
      expect(
        roleChanges.map((entry) => [(entry.before as Person).role, (entry.after as Person).role]),
      ).toEqual(
        expect.arrayContaining([
          ['lead', 'admin'],
          ['admin', 'lead'],
          ['lead', 'admin'],
        ]),
      );
      expect(
        audit.items.some((entry) => entry.action === 'user.disabled' && entry.target === org.userIds.admin),
      ).toBe(true);
    });

    it(
      'disabling a person refuses their token and closes their stream within a second; enabling lets them back',
      SLOW,
      async () => {
        const org = await makeOrg(database);
        const stream = await openEvents(baseUrl, org.tokens.agent);
        const disabledAt = Date.now();
        const reply = await patch(org, org.userIds.agent, { disabled: true });
        expect([reply.status, (reply.body as Person).disabled]).toEqual([200, true]);
        expect(await endsWithin(stream, 1000)).toBe(true);
        expect(Date.now() - disabledAt).toBeLessThanOrEqual(1500);
        expect((await call(app, 'GET', '/v1/me', org.tokens.agent)).status).toBe(401);
        expect((await people(org)).find((person) => person.id === org.userIds.agent)?.disabled).toBe(true);
        expect((await patch(org, org.userIds.agent, { disabled: false })).status).toBe(200);
        expect((await call(app, 'GET', '/v1/me', org.tokens.agent)).status).toBe(200);
        const audit = (await call(app, 'GET', '/v1/audit?action=user', org.tokens.admin))
          .body as AuditListResponse;
        expect(audit.items.map((entry) => entry.action)).toEqual(['user.enabled', 'user.disabled']);
        expect(audit.items[0]?.actor?.id).toBe(org.userIds.admin);
      },
    );

    it(
      'revokes one device (its stream closes within a second, the other stays), then all',
      SLOW,
      async () => {
        const org = await makeOrg(database);
        const laptop = await createToken(standaloneStore(database), org.userIds.agent, undefined, 'Laptop');
        const laptopStream = await openEvents(baseUrl, laptop.token);
        const deskStream = await openEvents(baseUrl, org.tokens.agent);
        const revokedAt = Date.now();
        expect((await call(app, 'DELETE', `/v1/tokens/${laptop.id}`, org.tokens.admin)).status).toBe(204);
        expect(await endsWithin(laptopStream, 1000)).toBe(true);
        expect(Date.now() - revokedAt).toBeLessThanOrEqual(1500);
        expect(await endsWithin(deskStream, 200)).toBe(false);
        expect((await call(app, 'GET', '/v1/me', laptop.token)).status).toBe(401);
        expect((await call(app, 'GET', '/v1/me', org.tokens.agent)).status).toBe(200);
        expect((await devices(org, org.userIds.agent)).map((device) => device.deviceName)).toEqual([null]);
        const again = await call(app, 'DELETE', `/v1/tokens/${laptop.id}`, org.tokens.admin);
        expect([again.status, errorCode(again)]).toEqual([404, 'not_found']);

        expect(
          (await call(app, 'DELETE', `/v1/users/${org.userIds.agent}/tokens`, org.tokens.admin)).status,
        ).toBe(204);
        expect(await endsWithin(deskStream, 1000)).toBe(true);
        expect((await call(app, 'GET', '/v1/me', org.tokens.agent)).status).toBe(401);
        expect(await devices(org, org.userIds.agent)).toEqual([]);
        expect((await people(org)).find((person) => person.id === org.userIds.agent)?.devices).toBe(0);
        const audit = (await call(app, 'GET', '/v1/audit?action=token', org.tokens.admin))
          .body as AuditListResponse;
        expect(audit.items.map((entry) => [entry.action, entry.target, entry.actor?.id])).toEqual([
          ['token.revoked', org.userIds.agent, org.userIds.admin],
          ['token.revoked', org.userIds.agent, org.userIds.admin],
        ]);
      },
    );

    it("keeps orgs apart: another org's admin finds none of this org's people or devices", async () => {
      const orgA = await makeOrg(database);
      const orgB = await makeOrg(database);
      const deviceA = (await devices(orgA, orgA.userIds.agent))[0]?.id ?? '';
      expect((await people(orgB)).map((person) => person.id)).not.toContain(orgA.userIds.agent);
      const attempts: RouteCall[] = [
        ['PATCH', `/v1/users/${orgA.userIds.agent}`, { disabled: true }],
        ['PATCH', `/v1/users/${orgA.userIds.admin}`, { role: 'agent' }],
        ['GET', `/v1/users/${orgA.userIds.agent}/tokens`],
        ['DELETE', `/v1/users/${orgA.userIds.agent}/tokens`],
        ['DELETE', `/v1/tokens/${deviceA}`],
      ];
      for (const [method, path, body] of attempts) {
        const reply = await call(app, method, path, orgB.tokens.admin, body);
        expect([method, path, reply.status, errorCode(reply)]).toEqual([method, path, 404, 'not_found']);
      }
      expect((await call(app, 'GET', '/v1/me', orgA.tokens.agent)).status).toBe(200);
      expect((await people(orgA)).find((person) => person.id === orgA.userIds.admin)?.role).toBe('admin');
    });
  });
}
