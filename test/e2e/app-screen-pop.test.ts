/**
 * SPEC §10.11 (issue 13, scenario 7) through the real product in the SIP lab: the org server with the
 * admin's screen-pop URL (a tiny loopback page this test serves and which records every visit), the
 * browser host with the built renderer in Debian's Chromium registered as agent1, and baresip calling.
 *
 * 1. A host that opens URLs itself (Electron's `shell.openExternal`, stubbed here: the Electron binary
 *    cannot run in this lab): an allowed call rings → the host service is asked exactly once, with the
 *    templated URL and the caller's number; a blocked call asks nothing.
 * 2. The browser host (a page cannot open a window by itself): the ring card shows the link and the
 *    Answer click opens it — the loopback page records exactly one visit with the caller's number; a
 *    blocked call opens nothing. After the call the agent's wrap-up (a disposition and a two-line
 *    note) is kept in the history and is on the server.
 *
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project e2e test/e2e/app-screen-pop.test.ts'
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CALLERS, DEMO_ORG_ID } from '../../server/demo';
import { baresipCall, type BaresipCallResult } from '../sip-lab/baresip';
import { startLabAppStack, type LabAppStack } from './lab-app-stack';
import type { RunningApp } from './real-app';

const TOKENS = { admin: 'e2e-admin-token-0013', lead: 'e2e-lead-token-0013', agent: 'e2e-agent-token-0013' };
/** Not on the demo org's list: these ring. */
const ALLOWED_FIRST = '+14155550142';
const ALLOWED_SECOND = '+14155550143';
/** The demo list's "+1900*" rule blocks it. */
const BLOCKED = DEMO_CALLERS.blocked;
const canRun =
  existsSync('/usr/bin/chromium') && existsSync('/usr/sbin/kamailio') && existsSync('/usr/bin/baresip');

describe.skipIf(!canRun)(
  `screen-pop and wrap-up on real calls${canRun ? '' : ' (SKIPPED: chromium, kamailio or baresip is not installed)'}`,
  () => {
    let stack: LabAppStack;
    let crm: Server;
    let crmOrigin: string;
    const visits: string[] = [];
    let app: RunningApp | null = null;

    async function api(method: 'GET' | 'PATCH', route: string, token: string, body?: unknown) {
      const response = await fetch(`${stack.serverUrl}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? null : (JSON.parse(text) as unknown), text };
    }

    const expectedUrl = (number: string) =>
      `${crmOrigin}/visit?p=${encodeURIComponent(number)}&dir=inbound&line=%2B12125550100`;

    /** The blocked caller's attempt as the server has it, once the app's report arrived. */
    const blockedAttempts = async () =>
      (
        await stack.database.kysely
          .selectFrom('call_attempts')
          .select('call_id')
          .where('org_id', '=', DEMO_ORG_ID)
          .where('number', '=', BLOCKED)
          .where('action', '=', 'block')
          .execute()
      ).length;

    function call(from: string, durationS: number, port: number): Promise<BaresipCallResult> {
      return baresipCall({
        from: `sip:${from}@127.0.0.1`,
        target: 'sip:agent1@127.0.0.1',
        durationS,
        port,
      });
    }

    beforeAll(async () => {
      stack = await startLabAppStack({ name: 'screen-pop', tokens: TOKENS });
      crm = createServer((request, response) => {
        // The browser's own favicon request is not a visit.
        if ((request.url ?? '').startsWith('/visit')) visits.push(request.url ?? '');
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<title>CRM</title>CRM');
      });
      await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
      const crmAddress = crm.address();
      if (typeof crmAddress !== 'object' || crmAddress === null) throw new Error('the CRM page is not up');
      crmOrigin = `http://127.0.0.1:${crmAddress.port}`;
      const settings = await api('PATCH', '/v1/settings', TOKENS.admin, {
        screenPopUrl: `${crmOrigin}/visit?p={e164}&dir={direction}&line={line}`,
        // A blocked caller is refused at once (603): no announcement to wait for.
        inboundAction: 'reject',
      });
      expect(settings.status, settings.text).toBe(200);
    }, 150_000);

    afterAll(async () => {
      await app?.close().catch(() => undefined);
      await new Promise((resolve) => crm?.close(resolve));
      await stack?.close();
    });

    it('a host that opens URLs (Electron’s shell.openExternal stubbed): asked exactly once for an allowed call, never for a blocked one', async () => {
      const opened: string[] = [];
      app = await stack.startApp(TOKENS.agent, 'host-electron-like', {
        native: { openExternal: (url) => void opened.push(url) },
      });
      const { page } = app;
      const ringing = call(ALLOWED_FIRST, 8, 5096);
      await page.getByTestId('incoming-call').waitFor({ timeout: 10_000 });
      await expect.poll(() => opened, { timeout: 5000 }).toEqual([expectedUrl(ALLOWED_FIRST)]);
      await page.getByRole('button', { name: 'Decline' }).click();
      await ringing;

      const before = await blockedAttempts();
      const blocked = await call(BLOCKED, 4, 5097);
      expect(blocked.output).not.toMatch(/180 Ringing/);
      await expect.poll(blockedAttempts, { timeout: 10_000, interval: 200 }).toBe(before + 1);
      expect(await page.getByTestId('incoming-call').count()).toBe(0);
      expect(opened).toEqual([expectedUrl(ALLOWED_FIRST)]);
      // The page itself opened nothing either.
      expect(visits).toEqual([]);
      await app.close();
      app = null;
    }, 90_000);

    it('the browser host: the ring card links the page, Answer opens it once; a blocked call opens nothing; the wrap-up is kept and on the server', async () => {
      app = await stack.startApp(TOKENS.agent, 'host-browser');
      const { page } = app;
      const context = page.context();
      const ringing = call(ALLOWED_SECOND, 20, 5098);
      const incoming = page.getByTestId('incoming-call');
      await incoming.waitFor({ timeout: 10_000 });
      const link = incoming.getByTestId('screen-pop-link');
      await expect.poll(() => link.getAttribute('href')).toBe(expectedUrl(ALLOWED_SECOND));
      expect(visits).toEqual([]);

      const popup = context.waitForEvent('page', { timeout: 10_000 });
      await incoming.getByRole('button', { name: 'Answer' }).click();
      const tab = await popup;
      await tab.waitForLoadState();
      await expect.poll(() => visits, { timeout: 10_000 }).toHaveLength(1);
      expect(`${crmOrigin}${visits[0] ?? ''}`).toBe(expectedUrl(ALLOWED_SECOND));
      await tab.close();

      const card = page.getByTestId('in-call');
      await card.getByRole('button', { name: 'Hang up' }).waitFor({ timeout: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await card.getByRole('button', { name: 'Hang up' }).click();
      await ringing;

      // Wrap-up: a disposition from the org's list and a note of two lines.
      const form = page.getByTestId('wrap-up');
      await form.waitFor({ timeout: 5000 });
      await form.getByLabel('Disposition').selectOption('Follow-up needed');
      await form.getByLabel('Note').fill('Asked about the invoice.\nCall back on Monday.');
      await form.getByRole('button', { name: 'Save wrap-up' }).click();
      await expect.poll(() => form.count(), { timeout: 5000 }).toBe(0);
      const entry = page.getByTestId('history-entry').first();
      await expect
        .poll(() => entry.getByTestId('history-wrap-up').textContent())
        .toContain('Follow-up needed');
      const kept = await page.evaluate(async () => {
        const bridge = Reflect.get(window, 'blockline') as {
          invoke(channel: 'history:list', request: undefined): Promise<Array<{ wrapUp?: unknown }>>;
        };
        return (await bridge.invoke('history:list', undefined))[0]?.wrapUp;
      });
      expect(kept).toMatchObject({
        disposition: 'Follow-up needed',
        note: 'Asked about the invoice.\nCall back on Monday.',
      });

      // On the server, by the call's report, readable by the agent who took it.
      await expect
        .poll(
          async () =>
            (
              await stack.database.kysely
                .selectFrom('call_wrap_ups')
                .select(['report_id', 'disposition', 'note'])
                .where('org_id', '=', DEMO_ORG_ID)
                .execute()
            ).map((row) => [row.disposition, row.note]),
          { timeout: 10_000, interval: 200 },
        )
        .toEqual([['Follow-up needed', 'Asked about the invoice.\nCall back on Monday.']]);
      const row = await stack.database.kysely
        .selectFrom('call_wrap_ups')
        .select('report_id')
        .executeTakeFirstOrThrow();
      const read = await api(
        'GET',
        `/v1/call-reports/${encodeURIComponent(row.report_id)}/wrap-up`,
        TOKENS.agent,
      );
      expect(read.status, read.text).toBe(200);

      // A blocked call: no ring card, no link, no visit.
      const before = await blockedAttempts();
      await call(BLOCKED, 4, 5099);
      await expect.poll(blockedAttempts, { timeout: 10_000, interval: 200 }).toBe(before + 1);
      expect(await page.getByTestId('screen-pop-link').count()).toBe(0);
      expect(visits).toHaveLength(1);
      expect(app.pageErrors.filter((message) => /\[phone\]/.test(message))).toEqual([]);
    }, 120_000);
  },
);
