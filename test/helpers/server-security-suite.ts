/**
 * The org server under attack (SPEC §11), part of the shared API suite: it runs on SQLite and on
 * PostgreSQL. Each test does what an attacker would: many streams, one token spelled many ways, many
 * bad tokens, a revoked token that keeps listening, hostile text, secrets in URLs.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import pino from 'pino';
import { expect, it } from 'vitest';
import { createToken, standaloneStore } from '../../server/admin-ops';
import { buildServer, type ServerOptions } from '../../server/app';
import { openDatabase, type Database } from '../../server/db/database';
import { listTokens, revokeTokens, setUserDisabled } from '../../server/people-service';
import {
  call,
  endsWithin,
  errorCode,
  listening,
  makeOrg,
  openEvents,
  type EventStream,
} from './server-harness';

export interface SecuritySuiteContext {
  database: Database;
  /** The suite's database URL: a second connection plays the admin CLI writing from another process. */
  url: string;
  now: () => number;
}

/** Many requests each, on a machine that may be busy. */
const SLOW = { timeout: 120_000 };

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Percent-encodes text for a URL. A lone surrogate has no UTF-8 form: it goes as the bytes of its code
 * unit (WTF-8), as a hostile client would send it, and cannot arrive as itself.
 */
function inUrl(text: string): string {
  return [...text]
    .map((char) => {
      try {
        return encodeURIComponent(char);
      } catch {
        const unit = char.charCodeAt(0);
        const bytes = [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)];
        return bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
      }
    })
    .join('');
}

const hasLoneSurrogate = (text: string) =>
  /[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

export function defineSecurityTests(context: () => SecuritySuiteContext): void {
  async function withServer<T>(
    options: Partial<ServerOptions>,
    work: (app: FastifyInstance, baseUrl: string) => Promise<T>,
  ): Promise<T> {
    const { database, now } = context();
    const app = await buildServer({
      db: database,
      now,
      rateLimit: false,
      sweepIntervalMs: false,
      ...options,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      return await work(app, listening(app));
    } finally {
      await app.close();
    }
  }

  it(
    '§11.1 caps event streams per token (its oldest close first) and per server (429, connection closed)',
    SLOW,
    async () => {
      const { database } = context();
      const org = await makeOrg(database);
      await withServer({ streamLimits: { perToken: 3, perServer: 6 } }, async (app, baseUrl) => {
        const own: EventStream[] = [];
        for (let i = 0; i < 5; i += 1) own.push(await openEvents(baseUrl, org.tokens.agent));
        // The agent's two oldest streams were closed to make room; the three newest stay.
        expect(await endsWithin(own[0] as EventStream, 2000)).toBe(true);
        expect(await endsWithin(own[1] as EventStream, 2000)).toBe(true);
        for (const stream of own.slice(2)) expect(await endsWithin(stream, 50)).toBe(false);
        const lead = [];
        for (let i = 0; i < 3; i += 1) lead.push(await openEvents(baseUrl, org.tokens.lead));
        // The server is full: 100 more attempts from another token are refused, each connection closed.
        const refused = await Promise.all(
          Array.from({ length: 100 }, () =>
            fetch(`${baseUrl}/v1/events`, { headers: { authorization: `Bearer ${org.tokens.admin}` } }),
          ),
        );
        expect(new Set(refused.map((response) => response.status))).toEqual(new Set([429]));
        expect(refused[0]?.headers.get('connection')).toBe('close');
        const body = (await refused[0]?.json()) as { error: { code: string } };
        expect(body.error.code).toBe('rate_limited');
        for (const response of refused.slice(1)) await response.body?.cancel();
        const started = Date.now();
        const me = await call(app, 'GET', '/v1/me', org.tokens.lead);
        expect(me.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(500);
        for (const stream of [...own, ...lead]) stream.close();
      });
    },
  );

  it(
    '§11.1 keys rate limits on the token, however its header is spelled, and limits reads too',
    SLOW,
    async () => {
      const { database } = context();
      const org = await makeOrg(database);
      const token = org.tokens.lead;
      await withServer(
        { rateLimit: { writesPerMinute: 4, authFailuresPerMinute: 1000, readsPerMinute: 3 } },
        async (app) => {
          const spellings = [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`, `Bearer\t${token}`];
          const statuses: number[] = [];
          for (const [index, authorization] of [...spellings, `Bearer ${token} `].entries()) {
            const reply = await app.inject({
              method: 'POST',
              url: '/v1/blocked-numbers',
              headers: { authorization },
              payload: { number: `+1212555${7100 + index}`, reason: 'spelled' },
            });
            statuses.push(reply.statusCode);
          }
          expect(statuses).toEqual([201, 201, 201, 201, 429]);
          for (const path of [
            '/v1/blocked-numbers',
            '/v1/sync/snapshot',
            '/v1/test-number?number=2125550000',
          ]) {
            const reads: number[] = [];
            for (const authorization of [
              `Bearer ${token}`,
              `bearer ${token}`,
              `BEARER  ${token}`,
              `Bearer ${token}`,
            ]) {
              reads.push(
                (await app.inject({ method: 'GET', url: path, headers: { authorization } })).statusCode,
              );
            }
            expect([path, reads]).toEqual([path, [200, 200, 200, 429]]);
          }
          // Another token of the same org has its own budget.
          expect((await call(app, 'GET', '/v1/blocked-numbers', org.tokens.agent)).status).toBe(200);
        },
      );
    },
  );

  it(
    '§11.2 bad tokens slow down the client that sends them, never a valid token behind the same address',
    SLOW,
    async () => {
      const { database } = context();
      const org = await makeOrg(database);
      await withServer({ rateLimit: { writesPerMinute: 1000, authFailuresPerMinute: 5 } }, async (app) => {
        const bad = [];
        for (let i = 0; i < 30; i += 1) bad.push((await call(app, 'GET', '/v1/me', `bl_guess_${i}`)).status);
        expect(bad.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
        expect(new Set(bad.slice(5))).toEqual(new Set([429]));
        // Everyone else behind the address (the TLS proxy) still gets in.
        for (const role of ['admin', 'lead', 'agent'] as const) {
          expect((await call(app, 'GET', '/v1/me', org.tokens[role])).status).toBe(200);
        }
        // Without TRUST_PROXY, X-Forwarded-For is ignored: a new value each time does not reset the count.
        const spoofed = await call(app, 'GET', '/v1/me', 'bl_guess_x', undefined, {
          'x-forwarded-for': '203.0.113.9',
        });
        expect(spoofed.status).toBe(429);
      });
      await withServer(
        { rateLimit: { writesPerMinute: 1000, authFailuresPerMinute: 5 }, trustProxy: true },
        async (app) => {
          const from = (address: string, token: string) =>
            call(app, 'GET', '/v1/me', token, undefined, { 'x-forwarded-for': address });
          for (let i = 0; i < 6; i += 1) await from('198.51.100.7', `bl_guess_${i}`);
          expect((await from('198.51.100.7', 'bl_guess_again')).status).toBe(429);
          // Behind a trusted proxy, another client's mistake is its own: 401, not 429.
          expect((await from('198.51.100.8', 'bl_typo')).status).toBe(401);
          expect((await from('198.51.100.7', org.tokens.agent)).status).toBe(200);
        },
      );
    },
  );

  it(
    '§11.3 a revoked token and a disabled user lose REST and their open streams within a second, whoever wrote it',
    SLOW,
    async () => {
      const { database, url } = context();
      const org = await makeOrg(database);
      // The admin CLI: another connection to the same database, which cannot notify the server.
      const cli = await openDatabase(url);
      const cliStore = standaloneStore(cli);
      try {
        await withServer({}, async (app, baseUrl) => {
          const phone = await createToken(cliStore, org.userIds.agent, undefined, 'Front desk PC');
          const laptop = await createToken(cliStore, org.userIds.agent, undefined, 'Laptop');
          expect((await call(app, 'GET', '/v1/me', phone.token)).status).toBe(200);
          let tokens = await listTokens(cliStore, org.userIds.agent);
          // The last use is recorded beside the request, not in it.
          for (
            let i = 0;
            i < 50 && tokens.find((token) => token.id === phone.id)?.lastUsedAt == null;
            i += 1
          ) {
            await settle(20);
            tokens = await listTokens(cliStore, org.userIds.agent);
          }
          expect(tokens.map((token) => token.deviceName)).toHaveLength(3);
          expect(tokens.map((token) => token.deviceName)).toEqual(
            expect.arrayContaining([null, 'Front desk PC', 'Laptop']),
          );
          expect(tokens.find((token) => token.id === phone.id)?.lastUsedAt).not.toBeNull();
          expect(JSON.stringify(tokens)).not.toContain(phone.token);

          const phoneStream = await openEvents(baseUrl, phone.token);
          const laptopStream = await openEvents(baseUrl, laptop.token);
          const revokedAt = Date.now();
          expect(await revokeTokens(cliStore, { id: phone.id })).toEqual({ revoked: 1 });
          expect(await endsWithin(phoneStream, 1000)).toBe(true);
          expect(Date.now() - revokedAt).toBeLessThanOrEqual(1000);
          expect((await call(app, 'GET', '/v1/me', phone.token)).status).toBe(401);
          expect(await endsWithin(laptopStream, 100)).toBe(false);

          const leadStream = await openEvents(baseUrl, org.tokens.lead);
          expect(await setUserDisabled(cliStore, org.userIds.lead, true)).toMatchObject({ disabled: true });
          expect(await endsWithin(leadStream, 1000)).toBe(true);
          const disabled = await call(app, 'GET', '/v1/me', org.tokens.lead);
          expect([disabled.status, errorCode(disabled)]).toEqual([401, 'unauthorized']);
          await expect(openEvents(baseUrl, org.tokens.lead)).rejects.toThrow(/401/);
          await setUserDisabled(cliStore, org.userIds.lead, false);
          expect((await call(app, 'GET', '/v1/me', org.tokens.lead)).status).toBe(200);

          // All of a user's tokens at once.
          expect(await revokeTokens(cliStore, { userId: org.userIds.agent })).toEqual({ revoked: 2 });
          expect(await endsWithin(laptopStream, 1000)).toBe(true);
          expect((await call(app, 'GET', '/v1/me', org.tokens.agent)).status).toBe(401);

          const audit = await call(app, 'GET', '/v1/audit', org.tokens.lead);
          const actions = (audit.body as { items: Array<{ action: string }> }).items.map(
            (item) => item.action,
          );
          expect(actions).toEqual(expect.arrayContaining(['token.revoked', 'user.disabled', 'user.enabled']));
        });
      } finally {
        await cli.close();
      }
    },
  );

  it(
    '§6.4 the audit log is for leads and admins: agents get 403 even where everyone may manage',
    SLOW,
    async () => {
      const { database } = context();
      const org = await makeOrg(database);
      await withServer({}, async (app) => {
        await call(app, 'PATCH', '/v1/settings', org.tokens.lead, { whoCanManage: 'everyone' });
        const agent = await call(app, 'GET', '/v1/audit', org.tokens.agent);
        expect([agent.status, errorCode(agent)]).toEqual([403, 'forbidden']);
        expect((await call(app, 'GET', '/v1/audit', org.tokens.lead)).status).toBe(200);
        expect((await call(app, 'GET', '/v1/audit', org.tokens.admin)).status).toBe(200);
      });
    },
  );

  it(
    '§11.6 no token in the URL, and none in the logs: query values and headers are redacted',
    SLOW,
    async () => {
      const { database } = context();
      const org = await makeOrg(database);
      let logged = '';
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged += chunk.toString('utf8');
          done();
        },
      });
      await withServer({ logger: pino({ level: 'info' }, sink) }, async (app) => {
        const query = await call(app, 'GET', `/v1/events?access_token=${org.tokens.lead}`, null);
        expect(query.status).toBe(401);
        const withHeader = await call(
          app,
          'GET',
          `/v1/events?access_token=${org.tokens.lead}`,
          org.tokens.agent,
        );
        expect([withHeader.status, errorCode(withHeader)]).toEqual([400, 'validation_failed']);
        expect(
          (await call(app, 'GET', `/v1/test-number?number=${org.tokens.admin}`, org.tokens.agent)).status,
        ).toBe(200);
        expect((await call(app, 'GET', '/v1/me', org.tokens.agent)).status).toBe(200);
      });
      expect(logged).toContain('"url":"/v1/events?access_token=[redacted]"');
      expect(logged).toContain('"url":"/v1/me"');
      for (const token of Object.values(org.tokens)) expect(logged).not.toContain(token);
    },
  );

  it(
    '§11.5 hostile text is refused with 400 naming the field on every route, never 500; numbers ignore it, LRM/RLM stay',
    SLOW,
    async () => {
      const { database, now } = context();
      const org = await makeOrg(database);
      const token = org.tokens.lead;
      const hostile: Array<[string, string]> = [
        ['NUL', 'Spam\u0000caller'],
        ['ANSI escape', 'Spam \u001b[31mred\u001b[0m'],
        ['DEL', 'Spam\u007f'],
        ['C1 CSI', 'Spam\u009b2J'],
        ['newline', 'Spam\ncaller'],
        ['RLO override', 'Spam \u202egnp.exe'],
        ['isolate', 'Spam \u2066x\u2069'],
        ['lone high surrogate', 'Spam \ud800'],
        ['lone low surrogate', 'Spam \udc00 x'],
      ];
      await withServer({}, async (app) => {
        const created = await call(app, 'POST', '/v1/blocked-numbers', token, {
          number: '+12125557300',
          reason: 'ok',
        });
        const ruleId = (created.body as { id: string }).id;
        const report = (field: string, value: string) => ({
          reports: [
            {
              id: 'report-hostile-1',
              callId: 'call-hostile-1',
              direction: 'inbound',
              line: org.lines[0],
              number: '+12125557301',
              anonymous: false,
              action: 'allow',
              why: 'no_rule',
              ruleId: null,
              at: new Date(now()).toISOString(),
              [field]: value,
            },
          ],
        });
        for (const [name, text] of hostile) {
          const attempts: Array<[string, Promise<Awaited<ReturnType<typeof call>>>, string]> = [
            [
              'create reason',
              call(app, 'POST', '/v1/blocked-numbers', token, { number: '+12125557302', reason: text }),
              'reason',
            ],
            [
              'edit reason',
              call(app, 'PATCH', `/v1/blocked-numbers/${ruleId}`, token, { reason: text }),
              'reason',
            ],
            ['search', call(app, 'GET', `/v1/blocked-numbers?search=${inUrl(text)}`, token), 'search'],
            ['cursor', call(app, 'GET', `/v1/blocked-numbers?cursor=${inUrl(text)}`, token), 'cursor'],
            ['audit cursor', call(app, 'GET', `/v1/audit?cursor=${inUrl(text)}`, token), 'cursor'],
            ['rule id', call(app, 'DELETE', `/v1/blocked-numbers/${inUrl(text)}`, token), 'id'],
            [
              'report call id',
              call(app, 'POST', '/v1/call-reports', token, report('callId', text)),
              'callId',
            ],
            ['report why', call(app, 'POST', '/v1/call-reports', token, report('why', text)), 'why'],
            [
              'report verstat',
              call(app, 'POST', '/v1/call-reports', token, report('verstat', text)),
              'verstat',
            ],
          ];
          for (const [where, pending, field] of attempts) {
            const reply = await pending;
            const inUrlOnly = where === 'search' || where.includes('cursor') || where === 'rule id';
            if (inUrlOnly && hasLoneSurrogate(text)) {
              // Decoded as U+FFFD or refused: either way harmless, and never a 500.
              expect([name, where, reply.status < 500]).toEqual([name, where, true]);
              continue;
            }
            const issues = (reply.body as { error?: { details?: { issues?: Array<{ path: unknown[] }> } } })
              .error?.details?.issues;
            expect([name, where, reply.status, errorCode(reply)]).toEqual([
              name,
              where,
              400,
              'validation_failed',
            ]);
            expect([name, where, issues?.some((issue) => issue.path.includes(field))]).toEqual([
              name,
              where,
              true,
            ]);
          }
          // A cursor that decodes to hostile text is refused as well (no 500 from the database).
          const forged = Buffer.from(JSON.stringify([text, text]), 'utf8').toString('base64url');
          const cursor = await call(app, 'GET', `/v1/blocked-numbers?sort=number&cursor=${forged}`, token);
          expect([name, cursor.status]).toEqual([name, 400]);
          // Bulk: the entry is refused, the others go in.
          const bulk = await call(app, 'POST', '/v1/blocked-numbers/bulk', token, {
            entries: [{ number: '+12125557303', reason: text }],
          });
          expect([name, (bulk.body as { results: Array<{ status: string }> }).results[0]?.status]).toEqual([
            name,
            'invalid',
          ]);
        }
        // Ordinary marks and scripts are text, and come back exactly as sent.
        for (const [index, reason] of [
          'שיחת \u200fספאם\u200e',
          'مكالمة مزعجة \u200f',
          'Tab\tseparated',
          'Emoji 📞 ok',
        ].entries()) {
          const ok = await call(app, 'POST', '/v1/blocked-numbers', token, {
            number: `+1212555740${index}`,
            reason,
          });
          expect([reason, ok.status]).toEqual([reason, 201]);
          expect((ok.body as { reason: string }).reason).toBe(reason);
        }
        // Numbers are not text: the text rule does not apply to them (§1.1a has the number parser ignore
        // invisible characters; whether it accepts this one is the parser's answer, never a 400).
        const wrapped = await call(app, 'POST', '/v1/blocked-numbers', token, {
          number: '\u202a+1 (212) 555-7410\u202c',
          reason: 'pasted from a right-to-left page',
        });
        expect(wrapped.status).not.toBe(400);
        const tested = await call(
          app,
          'GET',
          `/v1/test-number?number=${inUrl('\u200e212 555 7410\u202c')}`,
          token,
        );
        expect(tested.status).toBe(200);
      });
    },
  );

  it(
    '§4.2/§11.4 one call ringing several agents counts once; one user cannot forge policy; reports may not come from the future',
    SLOW,
    async () => {
      const { database, now } = context();
      const org = await makeOrg(database);
      await withServer(
        { rateLimit: { writesPerMinute: 1000, authFailuresPerMinute: 1000, reportsPerMinute: 1000 } },
        async (app) => {
          const enabled = await call(app, 'PATCH', '/v1/settings', org.tokens.admin, {
            autoBlock: { enabled: true, threshold: 3, windowMinutes: 10, outsideWorkingHoursOnly: false },
          });
          expect(enabled.status).toBe(200);
          let sequence = 0;
          const report = (number: string, callId: string, atMs: number, line = org.lines[0]) => ({
            id: `report-${org.id}-${(sequence += 1)}`,
            callId,
            direction: 'inbound',
            line,
            number,
            anonymous: false,
            action: 'allow',
            why: 'no_match',
            ruleId: null,
            at: new Date(atMs).toISOString(),
          });
          const post = (role: 'admin' | 'lead' | 'agent', reports: unknown[]) =>
            call(app, 'POST', '/v1/call-reports', org.tokens[role], { reports });
          const rulesFor = async (number: string) =>
            (
              (await call(app, 'GET', '/v1/blocked-numbers?limit=1000', org.tokens.lead)).body as {
                items: Array<{ number: string; expiresAt: string | null; source: string; id: string }>;
              }
            ).items.filter((rule) => rule.number === number);
          const t = now();

          // A queue rings three agents, each leg with its own Call-ID, within two seconds: one attempt.
          // Three such calls a minute apart reach the threshold; three users saw them: an ordinary auto-block.
          for (const [index, offset] of [-180_000, -120_000, -60_000].entries()) {
            for (const [leg, role] of (['admin', 'lead', 'agent'] as const).entries()) {
              expect(
                (
                  await post(role, [
                    report('+12125558100', `queue-${index}-leg-${leg}`, t + offset + leg * 700),
                  ])
                ).status,
              ).toBe(200);
            }
            const rules = await rulesFor('+12125558100');
            expect([index, rules.length]).toEqual([index, index < 2 ? 0 : 1]);
          }
          expect((await rulesFor('+12125558100'))[0]).toMatchObject({ source: 'auto', expiresAt: null });

          // One agent posts made-up reports: a temporary rule (24 h), waiting for a lead.
          const forged = [0, 1, 2, 3, 4].map((i) =>
            report('+12125558200', `forged-${i}`, t - 200_000 + i * 30_000),
          );
          expect((await post('agent', forged)).status).toBe(200);
          const [temporary] = await rulesFor('+12125558200');
          expect(temporary?.source).toBe('auto');
          expect(Date.parse(temporary?.expiresAt ?? '') - t).toBe(24 * 3_600_000);
          const agentReviews = await call(app, 'GET', '/v1/auto-block-reviews', org.tokens.agent);
          expect(agentReviews.status).toBe(403);
          const reviews = (await call(app, 'GET', '/v1/auto-block-reviews', org.tokens.lead)).body as {
            items: Array<{ rule: { id: string }; reporter: { id: string } }>;
          };
          expect(reviews.items).toEqual([
            expect.objectContaining({
              rule: expect.objectContaining({ id: temporary?.id }),
              reporter: expect.objectContaining({ id: org.userIds.agent }),
            }),
          ]);
          const agentKeeps = await call(
            app,
            'POST',
            `/v1/auto-block-reviews/${temporary?.id}`,
            org.tokens.agent,
            { decision: 'keep' },
          );
          expect(agentKeeps.status).toBe(403);
          const kept = await call(app, 'POST', `/v1/auto-block-reviews/${temporary?.id}`, org.tokens.lead, {
            decision: 'keep',
          });
          expect(kept.body).toMatchObject({ rule: { id: temporary?.id, expiresAt: null } });
          expect(
            ((await call(app, 'GET', '/v1/auto-block-reviews', org.tokens.lead)).body as { items: unknown[] })
              .items,
          ).toEqual([]);

          // Another forgery, dropped with one click.
          const again = [0, 1, 2].map((i) =>
            report('+12125558300', `forged-b-${i}`, t - 100_000 + i * 20_000),
          );
          await post('agent', again);
          const [dropMe] = await rulesFor('+12125558300');
          expect(dropMe?.expiresAt).not.toBeNull();
          const dropped = await call(app, 'POST', `/v1/auto-block-reviews/${dropMe?.id}`, org.tokens.admin, {
            decision: 'drop',
          });
          expect(dropped.body).toEqual({ rule: null });
          expect(await rulesFor('+12125558300')).toEqual([]);

          // One user's evidence, then a second user's app reports the same attempts: an ordinary rule.
          const lone = [0, 1, 2].map((i) => report('+12125558400', `lone-${i}`, t - 100_000 + i * 20_000));
          await post('agent', lone);
          expect((await rulesFor('+12125558400'))[0]?.expiresAt).not.toBeNull();
          await post('lead', [report('+12125558400', 'lone-1', t - 80_000)]);
          expect((await rulesFor('+12125558400'))[0]?.expiresAt).toBeNull();

          // Reports from the future are refused, naming the field; a little clock skew and old queued reports are fine.
          const future = await post('agent', [report('+12125558500', 'future-1', t + 3_600_000)]);
          expect([future.status, errorCode(future)]).toEqual([422, 'unprocessable']);
          expect(
            (future.body as { error: { details: { issues: Array<{ path: unknown[] }> } } }).error.details
              .issues[0]?.path,
          ).toEqual(['reports', 0, 'at']);
          expect((await post('agent', [report('+12125558500', 'skew-1', t + 60_000)])).status).toBe(200);
          expect((await post('agent', [report('+12125558500', 'queued-1', t - 2 * 86_400_000)])).status).toBe(
            200,
          );
        },
      );
      // The report rate per token is capped.
      await withServer(
        { rateLimit: { writesPerMinute: 1000, authFailuresPerMinute: 1000, reportsPerMinute: 2 } },
        async (app) => {
          const statuses = [];
          for (let i = 0; i < 3; i += 1) {
            const reply = await call(app, 'POST', '/v1/call-reports', org.tokens.agent, {
              reports: [
                {
                  id: `rate-${org.id}-${i}`,
                  callId: `rate-${i}`,
                  direction: 'outbound',
                  line: null,
                  number: null,
                  anonymous: false,
                  action: 'allow',
                  why: 'no_match',
                  ruleId: null,
                  at: new Date(now()).toISOString(),
                },
              ],
            });
            statuses.push(reply.status);
          }
          expect(statuses).toEqual([200, 200, 429]);
        },
      );
    },
  );

  it(
    '§11 no unbounded work: test-number reuses its index until the list changes; old reports roll up and go, counts and hits stay',
    SLOW,
    async () => {
      const { database } = context();
      const org = await makeOrg(database);
      const clock = { ms: Date.parse('2031-03-10T12:00:00Z') };
      await withServer({ now: () => clock.ms, rateLimit: false }, async (app) => {
        const rule = (
          await call(app, 'POST', '/v1/blocked-numbers', org.tokens.lead, {
            number: '+12125559300',
            reason: 'r',
          })
        ).body as { id: string };
        const store = app.blockline.store;
        let builds = 0;
        const allRules = store.allRules.bind(store);
        store.allRules = async (...args) => {
          builds += 1;
          return allRules(...args);
        };
        const test = async (number: string) =>
          (
            (await call(app, 'GET', `/v1/test-number?number=${number}`, org.tokens.agent)).body as {
              action: string;
            }
          ).action;
        for (let i = 0; i < 20; i += 1) expect(await test('2125559300')).toBe('block');
        expect(builds).toBe(1);
        await call(app, 'POST', '/v1/blocked-numbers', org.tokens.lead, {
          number: '+12125559301',
          reason: 'new',
        });
        expect(await test('2125559301')).toBe('block');
        expect(builds).toBe(2);

        // Reports queued offline for a long time, and recent ones.
        const report = (id: string, atMs: number) => ({
          id: `${org.id}-${id}`,
          callId: `${org.id}-${id}`,
          direction: 'inbound',
          line: org.lines[0],
          number: '+12125559300',
          anonymous: false,
          action: 'block',
          why: 'rule',
          ruleId: rule.id,
          at: new Date(atMs).toISOString(),
        });
        const day = 86_400_000;
        const sent = await call(app, 'POST', '/v1/call-reports', org.tokens.agent, {
          reports: [
            report('old-1', clock.ms - 100 * day),
            report('old-2', clock.ms - 100 * day + 60_000),
            report('recent', clock.ms - 2 * day),
            report('today', clock.ms - 60_000),
          ],
        });
        expect(sent.body).toEqual({ accepted: 4, duplicates: 0 });
        const counts = async () =>
          database.kysely
            .selectFrom('call_daily_counts')
            .select(['day', 'attempts', 'action'])
            .where('org_id', '=', org.id)
            .orderBy('day')
            .execute();
        const attempts = async () =>
          (
            await database.kysely
              .selectFrom('call_attempts')
              .select('call_id')
              .where('org_id', '=', org.id)
              .execute()
          ).length;

        // Received today, so the raw reports stay; finished days are counted once, today is not yet.
        // (Other tests' orgs share the database: what they reported is rolled up too.)
        expect((await app.blockline.pruneReports()).rolledUp).toBeGreaterThanOrEqual(3);
        expect(await app.blockline.pruneReports()).toMatchObject({ rolledUp: 0 });
        const days = (await counts()).map((row) => [row.day, Number(row.attempts), row.action]);
        expect(days).toEqual([
          [new Date(clock.ms - 100 * day).toISOString().slice(0, 10), 2, 'block'],
          [new Date(clock.ms - 2 * day).toISOString().slice(0, 10), 1, 'block'],
        ]);
        // Attempts older than the 90 days go (they were rolled up); newer ones and today's stay.
        expect(await attempts()).toBe(2);

        // Ninety-one days on, every raw report and attempt has gone; the counts and the hit counter stay.
        clock.ms += 91 * day;
        await app.blockline.pruneReports();
        expect(await attempts()).toBe(0);
        const reports = await database.kysely
          .selectFrom('call_reports')
          .select('id')
          .where('org_id', '=', org.id)
          .execute();
        expect(reports).toEqual([]);
        expect((await counts()).reduce((sum, row) => sum + Number(row.attempts), 0)).toBe(4);
        const list = (await call(app, 'GET', '/v1/blocked-numbers?sort=hits', org.tokens.lead)).body as {
          items: Array<{ id: string; hitCount: number }>;
        };
        expect(list.items.find((item) => item.id === rule.id)?.hitCount).toBe(4);
      });
    },
  );

  it(
    'fuzz: random and truncated bodies, params and queries on every route of the OpenAPI document never give a 5xx',
    SLOW,
    async () => {
      const { database } = context();
      const org = await makeOrg(database);
      await withServer({}, async (app) => {
        const doc = (await call(app, 'GET', '/v1/openapi.json', null)).body as {
          paths: Record<string, Record<string, unknown>>;
        };
        const rule = (
          await call(app, 'POST', '/v1/blocked-numbers', org.tokens.lead, {
            number: '+12125559500',
            reason: 'fuzz',
          })
        ).body as { id: string };
        const samples: Record<string, unknown> = {
          '/v1/blocked-numbers': {
            number: '+12125559501',
            reason: 'fuzz sample',
            scope: 'all',
            kind: 'block',
          },
          '/v1/blocked-numbers/bulk': { entries: [{ number: '+12125559502', reason: 'x' }], source: 'bulk' },
          '/v1/blocked-numbers/{id}': { reason: 'edited', expiresAt: null },
          '/v1/settings': { blockAnonymous: true, autoBlock: { threshold: 4 } },
          '/v1/lines/{number}': { announcementMode: 'answer' },
          '/v1/call-reports': {
            reports: [
              {
                id: 'fuzz-report-1',
                callId: 'fuzz-call',
                direction: 'inbound',
                line: null,
                number: '+12125559503',
                anonymous: false,
                action: 'allow',
                why: 'no_match',
                ruleId: null,
                at: new Date(0).toISOString(),
              },
            ],
          },
          '/v1/auto-block-reviews/{ruleId}': { decision: 'drop' },
          '/v1/block-requests': { number: '+12125559504', reason: 'fuzz sample' },
          '/v1/block-requests/{id}': { decision: 'approve', scope: 'all', expiresAt: null },
          '/v1/call-reports/{id}/wrap-up': { disposition: 'Resolved', note: 'line one\nline two' },
        };
        const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
          Object.keys(methods).map((method) => ({
            path,
            method: method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
          })),
        );
        // The event stream answers a valid request with a stream that never ends: its refusals are fuzzed.
        const fuzzed = routes.filter((route) => route.path !== '/v1/events');
        expect(fuzzed.length).toBeGreaterThanOrEqual(15);
        const text = fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom(
            '\u0000',
            '%00',
            '../..',
            '\ud800',
            '\u202e',
            '9'.repeat(400),
            'NaN',
            '-1',
            rule.id,
            org.lines[0],
          ),
        );
        const body = (sample: unknown) =>
          fc.oneof(
            fc.jsonValue().map((value) => JSON.stringify(value)),
            fc.nat({ max: 400 }).map((cut) => JSON.stringify(sample ?? {}).slice(0, cut)),
            fc.string({ unit: 'binary' }),
            fc.constant(JSON.stringify(sample ?? {})),
          );
        const failures: string[] = [];
        for (const route of fuzzed) {
          await fc
            .assert(
              fc.asyncProperty(
                fc.array(text, { minLength: 1, maxLength: 2 }),
                fc.dictionary(
                  fc.constantFrom(
                    'since',
                    'cursor',
                    'limit',
                    'search',
                    'sort',
                    'order',
                    'number',
                    'line',
                    'scope',
                    'kind',
                    'x',
                  ),
                  text,
                  { maxKeys: 3 },
                ),
                body(samples[route.path]),
                fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
                fc.constantFrom<'lead' | 'agent' | null>('lead', 'agent', null),
                async (params, query, payload, contentType, role) => {
                  let index = 0;
                  const path = route.path.replace(/\{[^}]+\}/g, () =>
                    encodeURIComponent(
                      (params[index++ % params.length] ?? '').replace(/[\ud800-\udfff]/g, 'x'),
                    ),
                  );
                  const search = new URLSearchParams(
                    Object.fromEntries(
                      Object.entries(query).map(([key, value]) => [
                        key,
                        value.replace(/[\ud800-\udfff]/g, 'x'),
                      ]),
                    ),
                  ).toString();
                  const reply = await app.inject({
                    method: route.method,
                    url: search === '' ? path : `${path}?${search}`,
                    headers: {
                      ...(role === null ? {} : { authorization: `Bearer ${org.tokens[role]}` }),
                      ...(route.method === 'GET' || route.method === 'DELETE'
                        ? {}
                        : { 'content-type': contentType }),
                    },
                    ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload }),
                  });
                  if (reply.statusCode >= 500)
                    failures.push(
                      `${route.method} ${path}?${search} ${payload.slice(0, 200)} → ${reply.statusCode} ${reply.body.slice(0, 200)}`,
                    );
                  return reply.statusCode < 500;
                },
              ),
              { numRuns: 40, seed: 11 },
            )
            .catch(() => undefined);
        }
        expect(failures).toEqual([]);
      });
    },
  );
}
