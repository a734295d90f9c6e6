/**
 * A typed client for the org server's HTTP API (shared/contracts/api.ts). Every call resolves to the
 * server's truth: `{ ok: true, value }`, or `{ ok: false, code, message }` taken from the server's error
 * envelope — a network failure is `code: 'network'`. Nothing here changes local state.
 */
import type { z } from 'zod';
import {
  errorCodeForStatus,
  API_PREFIX,
  bulkCreateResponseSchema,
  callReportsResponseSchema,
  changesResponseSchema,
  errorEnvelopeSchema,
  lineSchema,
  linesResponseSchema,
  meResponseSchema,
  snapshotResponseSchema,
  testNumberResponseSchema,
  type CallReport,
  type Role,
} from '../shared/contracts/api';
import type { WriteError } from '../shared/contracts/ipc';
import {
  auditListResponseSchema,
  devicesResponseSchema,
  fillPath,
  insightResponseSchema,
  inviteCreatedSchema,
  inviteRedeemedSchema,
  oversightRoutes,
  personSchema,
  queryString,
  statsBlockedResponseSchema,
  statsTopResponseSchema,
  usersResponseSchema,
  type AuditListQuery,
  type StatsBlockedQuery,
  type StatsTopQuery,
  type UserPatch,
} from '../shared/contracts/oversight';
import { ruleSchema, type RuleCreateInput, type RulePatch } from '../shared/rules';
import { orgSettingsSchema, type OrgSettingsPatch } from '../shared/settings';

export type FetchLike = typeof fetch;
export type ApiResult<T> = { ok: true; value: T } | WriteError;

/** The server's routes in one place, relative to the server URL. */
export const apiRoutes = {
  me: `${API_PREFIX}/me`,
  lines: `${API_PREFIX}/lines`,
  line: (number: string) => `${API_PREFIX}/lines/${encodeURIComponent(number)}`,
  snapshot: `${API_PREFIX}/sync/snapshot`,
  changes: (since: number) => `${API_PREFIX}/sync/changes?since=${since}`,
  events: `${API_PREFIX}/events`,
  rules: `${API_PREFIX}/blocked-numbers`,
  rule: (id: string) => `${API_PREFIX}/blocked-numbers/${encodeURIComponent(id)}`,
  bulkRules: `${API_PREFIX}/blocked-numbers/bulk`,
  exportCsv: `${API_PREFIX}/blocked-numbers/export.csv`,
  testNumber: (number: string, line: string | undefined) =>
    `${API_PREFIX}/test-number?${new URLSearchParams(line === undefined ? { number } : { number, line }).toString()}`,
  settings: `${API_PREFIX}/settings`,
  callReports: `${API_PREFIX}/call-reports`,
} as const;

/** The server URL without a trailing slash, so routes join cleanly. */
export function normalizeServerUrl(serverUrl: string): string {
  return serverUrl.replace(/\/+$/, '');
}

export interface OrgApiClientOptions {
  serverUrl: string;
  token: string;
  fetch: FetchLike;
  /** Per-request timeout; the SSE stream is not subject to it. */
  timeoutMs?: number;
}

export class OrgApiClient {
  readonly serverUrl: string;
  private readonly token: string;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;

  constructor(options: OrgApiClientOptions) {
    this.serverUrl = normalizeServerUrl(options.serverUrl);
    this.token = options.token;
    this.fetchImpl = options.fetch;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  url(route: string): string {
    return this.serverUrl + route;
  }

  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  me() {
    return this.request('GET', apiRoutes.me, undefined, meResponseSchema);
  }
  snapshot() {
    return this.request('GET', apiRoutes.snapshot, undefined, snapshotResponseSchema);
  }
  changes(since: number) {
    return this.request('GET', apiRoutes.changes(since), undefined, changesResponseSchema);
  }
  lines() {
    return this.request('GET', apiRoutes.lines, undefined, linesResponseSchema);
  }
  createRule(input: RuleCreateInput) {
    return this.request('POST', apiRoutes.rules, input, ruleSchema);
  }
  bulkCreateRules(entries: RuleCreateInput[], source: 'bulk' | 'import') {
    return this.request('POST', apiRoutes.bulkRules, { entries, source }, bulkCreateResponseSchema);
  }
  updateRule(id: string, patch: RulePatch) {
    return this.request('PATCH', apiRoutes.rule(id), patch, ruleSchema);
  }
  async deleteRule(id: string): Promise<ApiResult<null>> {
    const result = await this.send('DELETE', apiRoutes.rule(id), undefined);
    return result.ok ? { ok: true, value: null } : result;
  }
  testNumber(number: string, line?: string) {
    return this.request('GET', apiRoutes.testNumber(number, line), undefined, testNumberResponseSchema);
  }
  async exportCsv(): Promise<ApiResult<string>> {
    const result = await this.send('GET', apiRoutes.exportCsv, undefined);
    if (!result.ok) return result;
    return { ok: true, value: await result.value.text() };
  }
  updateSettings(patch: OrgSettingsPatch) {
    return this.request('PATCH', apiRoutes.settings, patch, orgSettingsSchema);
  }
  setLineAnnouncementMode(number: string, mode: 'early-media' | 'answer') {
    return this.request('PATCH', apiRoutes.line(number), { announcementMode: mode }, lineSchema);
  }
  postCallReports(reports: CallReport[]) {
    return this.request('POST', apiRoutes.callReports, { reports }, callReportsResponseSchema);
  }

  // Oversight (SPEC §12).
  statsBlocked(query: StatsBlockedQuery) {
    const path = oversightRoutes.statsBlocked.path + queryString(query);
    return this.request('GET', path, undefined, statsBlockedResponseSchema);
  }
  statsTop(query: StatsTopQuery) {
    return this.request(
      'GET',
      oversightRoutes.statsTop.path + queryString(query),
      undefined,
      statsTopResponseSchema,
    );
  }
  audit(query: AuditListQuery) {
    return this.request(
      'GET',
      oversightRoutes.audit.path + queryString(query),
      undefined,
      auditListResponseSchema,
    );
  }
  insight(e164: string) {
    const path = fillPath(oversightRoutes.insight.path, { e164 });
    return this.request('GET', path, undefined, insightResponseSchema);
  }
  users() {
    return this.request('GET', oversightRoutes.users.path, undefined, usersResponseSchema);
  }
  updateUser(id: string, patch: UserPatch) {
    return this.request('PATCH', fillPath(oversightRoutes.updateUser.path, { id }), patch, personSchema);
  }
  userTokens(id: string) {
    return this.request(
      'GET',
      fillPath(oversightRoutes.userTokens.path, { id }),
      undefined,
      devicesResponseSchema,
    );
  }
  async revokeUserTokens(id: string): Promise<ApiResult<null>> {
    const result = await this.send(
      'DELETE',
      fillPath(oversightRoutes.revokeUserTokens.path, { id }),
      undefined,
    );
    return result.ok ? { ok: true, value: null } : result;
  }
  async revokeToken(id: string): Promise<ApiResult<null>> {
    const result = await this.send('DELETE', fillPath(oversightRoutes.revokeToken.path, { id }), undefined);
    return result.ok ? { ok: true, value: null } : result;
  }
  createInvite(input: { name: string; role: Role }) {
    return this.request('POST', oversightRoutes.createInvite.path, input, inviteCreatedSchema);
  }
  /** Public: the invite's code is the credential; `token` is ignored by the server here. */
  redeemInvite(input: { code: string; deviceName: string }) {
    return this.request('POST', oversightRoutes.redeemInvite.path, input, inviteRedeemedSchema);
  }

  private async request<S extends z.ZodType>(
    method: string,
    route: string,
    body: unknown,
    schema: S,
  ): Promise<ApiResult<z.output<S>>> {
    const result = await this.send(method, route, body);
    if (!result.ok) return result;
    const text = await result.value.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      return {
        ok: false,
        code: 'internal',
        message: `The server sent a response that is not JSON (${method} ${route})`,
      };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      return {
        ok: false,
        code: 'internal',
        message: `The server's response to ${method} ${route} has an unexpected shape`,
        details: parsed.error.issues,
      };
    }
    return { ok: true, value: parsed.data };
  }

  private async send(method: string, route: string, body: unknown): Promise<ApiResult<Response>> {
    const headers: Record<string, string> = { ...this.authHeaders(), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // Pooled keep-alive connections to a server that has since restarted fail at once ("other side
    // closed"); a request that is safe to repeat (reads, and call reports — idempotent by id) is tried
    // again on a fresh connection.
    const attempts = method === 'GET' || route === apiRoutes.callReports ? 3 : 1;
    let response: Response | null = null;
    for (let attempt = 0; response === null; attempt++) {
      try {
        response = await this.fetchImpl(this.url(route), {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        if (attempt + 1 < attempts) continue;
        return {
          ok: false,
          code: 'network',
          message: `Cannot reach the server at ${this.serverUrl}: ${describeError(error)}`,
        };
      }
    }
    if (response.ok) return { ok: true, value: response };
    return errorFromResponse(response);
  }
}

/** Turns a non-2xx response into the server's own error, or a generic one naming the status. */
export async function errorFromResponse(response: Response): Promise<WriteError> {
  const text = await response.text().catch(() => '');
  try {
    const envelope = errorEnvelopeSchema.safeParse(JSON.parse(text));
    if (envelope.success) {
      const { code, message, details } = envelope.data.error;
      return details === undefined ? { ok: false, code, message } : { ok: false, code, message, details };
    }
  } catch {
    // not JSON: fall through to the status-based message
  }
  return {
    ok: false,
    code: errorCodeForStatus(response.status),
    message: `The server answered ${response.status} ${response.statusText}`.trim(),
  };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return error.message + cause;
  }
  return String(error);
}
