/**
 * SPEC §10.11 on the org server, once per database (SQLite in the unit project, PostgreSQL in the
 * integration project): a call's wrap-up by its report id — the reporter's own report or a lead,
 * the org's dispositions, §11.5 text rules with newlines allowed in the note — and the admins-only
 * CRM settings. Then the real host services against this server: a wrap-up saved while the app is
 * offline waits, and reaches the server after its call's report once the app is online.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createToken, createUser, standaloneStore } from '../../server/admin-ops';
import type { Database } from '../../server/db/database';
import type { CallReport } from '../../shared/contracts/api';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import { createMemorySecretStore } from '../../host/secrets';
import { createMainServices } from '../../host/services';
import { LocalStore } from '../../host/local-store';
import { call, errorCode, makeOrg, type TestOrg } from './server-harness';

export interface WrapUpSuiteContext {
  app: FastifyInstance;
  database: Database;
  /** The server's own clock (reports may not be dated in its future). */
  now: () => number;
}

let reportCounter = 0;

function reportOf(now: number, line: string | null): CallReport {
  reportCounter += 1;
  return {
    id: `in-wrapup-${process.pid}-${reportCounter}`,
    callId: `wrapup-call-${process.pid}-${reportCounter}`,
    direction: 'inbound',
    line,
    number: '+14155550142',
    anonymous: false,
    action: 'allow',
    why: 'no_match',
    ruleId: null,
    at: new Date(now - 60_000).toISOString(),
  };
}

function baseUrlOf(app: FastifyInstance): string {
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the server is not listening');
  return `http://127.0.0.1:${address.port}`;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function defineWrapUpTests(context: () => WrapUpSuiteContext): void {
  describe('call wrap-ups (SPEC §10.11)', () => {
    const report = async (org: TestOrg, role: 'agent' | 'lead' = 'agent') => {
      const { app, now } = context();
      const sent = reportOf(now(), org.lines[0]);
      const reply = await call(app, 'POST', '/v1/call-reports', org.tokens[role], { reports: [sent] });
      expect(reply.status).toBe(200);
      return sent;
    };
    const put = (org: TestOrg, token: string, id: string, body: unknown) =>
      call(context().app, 'PUT', `/v1/call-reports/${encodeURIComponent(id)}/wrap-up`, token, body);

    it('keeps the reporter’s wrap-up with a multi-line note, replaces it on a second PUT, and a lead reads it', async () => {
      const org = await makeOrg(context().database);
      const sent = await report(org);
      const first = await put(org, org.tokens.agent, sent.id, {
        disposition: 'Follow-up needed',
        note: 'Wants a call back.\nPrefers mornings.\tThanks',
      });
      expect(first.status, first.text).toBe(200);
      expect(first.body).toMatchObject({
        reportId: sent.id,
        disposition: 'Follow-up needed',
        note: 'Wants a call back.\nPrefers mornings.\tThanks',
        updatedBy: { id: org.userIds.agent },
      });
      const second = await put(org, org.tokens.agent, sent.id, { disposition: 'Resolved', note: '' });
      expect(second.status).toBe(200);
      const read = await call(context().app, 'GET', `/v1/call-reports/${sent.id}/wrap-up`, org.tokens.lead);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ disposition: 'Resolved', note: '' });
      const rows = await context()
        .database.kysely.selectFrom('call_wrap_ups')
        .selectAll()
        .where('org_id', '=', org.id)
        .execute();
      expect(rows).toHaveLength(1);
    });

    it('another agent may neither write nor read it; a lead may correct it; another org sees nothing', async () => {
      const { database } = context();
      const org = await makeOrg(database);
      const store = standaloneStore(database);
      const other = await createUser(store, { orgId: org.id, name: 'Second agent', role: 'agent' });
      const otherToken = (await createToken(store, other.id)).token;
      const sent = await report(org);
      const refused = await put(org, otherToken, sent.id, { disposition: 'Resolved', note: 'not mine' });
      expect(refused.status).toBe(403);
      expect(errorCode(refused)).toBe('forbidden');
      expect(
        (await call(context().app, 'GET', `/v1/call-reports/${sent.id}/wrap-up`, otherToken)).status,
      ).toBe(403);
      const byLead = await put(org, org.tokens.lead, sent.id, { disposition: 'Escalated', note: 'by lead' });
      expect(byLead.status).toBe(200);
      expect(byLead.body).toMatchObject({ updatedBy: { id: org.userIds.lead } });

      const stranger = await makeOrg(database);
      const foreign = await put(stranger, stranger.tokens.admin, sent.id, {
        disposition: 'Resolved',
        note: '',
      });
      expect(foreign.status).toBe(404);
      expect(
        (await put(org, org.tokens.agent, 'in-never-reported-1', { disposition: 'Resolved', note: '' }))
          .status,
      ).toBe(404);
    });

    it('refuses an unknown disposition (422), hostile text (400 naming the field) and unknown fields', async () => {
      const org = await makeOrg(context().database);
      const sent = await report(org);
      const unknown = await put(org, org.tokens.agent, sent.id, { disposition: 'Sold a yacht', note: '' });
      expect(unknown.status).toBe(422);
      expect(unknown.text).toContain('disposition');
      for (const note of ['bell\u0007', 'over\u202eride', 'lone \ud800 half', 'nul\u0000']) {
        const reply = await put(org, org.tokens.agent, sent.id, { disposition: 'Resolved', note });
        expect(reply.status, JSON.stringify(note)).toBe(400);
        expect(reply.text).toContain('note');
      }
      const twoLines = await put(org, org.tokens.agent, sent.id, { disposition: 'Resolved\nx', note: '' });
      expect(twoLines.status).toBe(400);
      const extra = await put(org, org.tokens.agent, sent.id, { disposition: 'Resolved', note: '', x: 1 });
      expect(extra.status).toBe(400);
      const long = await put(org, org.tokens.agent, sent.id, {
        disposition: 'Resolved',
        note: 'n'.repeat(4001),
      });
      expect(long.status).toBe(400);
    });

    it('only admins set the screen-pop URL and the dispositions; the URL must be https (http on loopback)', async () => {
      const { app } = context();
      const org = await makeOrg(context().database);
      const url = 'https://crm.example.com/search?phone={e164}&line={line}';
      const byLead = await call(app, 'PATCH', '/v1/settings', org.tokens.lead, { screenPopUrl: url });
      expect(byLead.status).toBe(403);
      const byLeadList = await call(app, 'PATCH', '/v1/settings', org.tokens.lead, {
        wrapUpDispositions: ['Sale'],
      });
      expect(byLeadList.status).toBe(403);
      const insecure = await call(app, 'PATCH', '/v1/settings', org.tokens.admin, {
        screenPopUrl: 'http://crm.example.com/?p={e164}',
      });
      expect(insecure.status).toBe(400);
      expect(insecure.text).toContain('screenPopUrl');
      const duplicate = await call(app, 'PATCH', '/v1/settings', org.tokens.admin, {
        wrapUpDispositions: ['Sale', 'sale'],
      });
      expect(duplicate.status).toBe(400);
      const saved = await call(app, 'PATCH', '/v1/settings', org.tokens.admin, {
        screenPopUrl: url,
        wrapUpDispositions: ['Sale', 'No sale', 'Call back'],
      });
      expect(saved.status, saved.text).toBe(200);
      expect(saved.body).toMatchObject({
        screenPopUrl: url,
        wrapUpDispositions: ['Sale', 'No sale', 'Call back'],
      });
      // The new list is what wrap-ups are checked against.
      const sent = await report(org);
      expect((await put(org, org.tokens.agent, sent.id, { disposition: 'Resolved', note: '' })).status).toBe(
        422,
      );
      expect((await put(org, org.tokens.agent, sent.id, { disposition: 'No sale', note: '' })).status).toBe(
        200,
      );
    });

    it('the app keeps a wrap-up saved offline, then sends it after the call’s report once online (real host services)', async () => {
      const { app } = context();
      const org = await makeOrg(context().database);
      const dir = mkdtempSync(path.join(tmpdir(), 'blockline-wrapup-host-'));
      const store = new LocalStore({ dir, log: () => undefined });
      const services = createMainServices({
        store,
        secrets: createMemorySecretStore(),
        fetch,
        now: () => new Date(context().now()),
        random: Math.random,
        appInfo: {
          host: 'browser',
          version: 'test',
          capabilities: {
            tray: false,
            nativeNotifications: false,
            osKeychain: false,
            protocolHandlers: false,
          },
        },
        log: () => undefined,
        reportRetryMs: 100,
      });
      try {
        const signIn = await services.invoke('session:signIn', {
          serverUrl: baseUrlOf(app),
          token: org.tokens.agent,
        });
        expect(signIn.ok).toBe(true);
        // Offline: the sync client is stopped, as when the network is gone.
        await services.sync.stop();
        const sent = reportOf(context().now(), org.lines[0]);
        const entry: HistoryEntry = {
          id: 'wrapup-history-1',
          direction: 'inbound',
          number: sent.number,
          display: sent.number ?? '',
          line: sent.line,
          startedAt: sent.at,
          durationSeconds: 42,
          result: 'answered',
          blockedReason: null,
          verification: 'none',
        };
        await services.invoke('history:add', entry);
        await services.invoke('calls:report', sent);
        const queued = await services.invoke('calls:wrapUp', {
          historyId: entry.id,
          reportId: sent.id,
          wrapUp: { disposition: 'Resolved', note: 'Sorted.\nNo follow-up.' },
        });
        expect(queued.queued).toBe(1);
        const kept = (await services.invoke('history:list', undefined)).find((item) => item.id === entry.id);
        expect(kept?.wrapUp).toMatchObject({ disposition: 'Resolved', note: 'Sorted.\nNo follow-up.' });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(services.wrapUps.size()).toBe(1);

        // A restart keeps what waits: a new store over the same directory still has it.
        expect(new LocalStore({ dir, log: () => undefined }).getPendingWrapUps()).toHaveLength(1);

        services.start();
        await until(() => services.wrapUps.size() === 0 && services.reports.size() === 0);
        const read = await call(app, 'GET', `/v1/call-reports/${sent.id}/wrap-up`, org.tokens.agent);
        expect(read.status).toBe(200);
        expect(read.body).toMatchObject({ disposition: 'Resolved', note: 'Sorted.\nNo follow-up.' });
      } finally {
        await services.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
