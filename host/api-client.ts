/**
 * A typed client for the org server's HTTP API (shared/contracts/api.ts). Every call resolves to the
 * server's truth: `{ ok: true, value }`, or `{ ok: false, code, message }` taken from the server's error
 * envelope — a network failure is `code: 'network'`. Nothing here changes local state.
 */
import type { z } from 'zod';
import {
  apiRoutes,
  errorCodeForStatus,
  routePath,
  bulkCreateResponseSchema,
  callReportsResponseSchema,
  changesResponseSchema,
  errorEnvelopeSchema,
  fieldIssuesOf,
  lineSchema,
  type LinePatch,
  linesResponseSchema,
  meResponseSchema,
  snapshotResponseSchema,
  testNumberResponseSchema,
  autoBlockReviewsResponseSchema,
  reviewDecisionResponseSchema,
  type ApiRoute,
  type CallReport,
  type ReviewDecision,
  type Role,
} from '../shared/contracts/api';
import {
  blockRequestsResponseSchema,
  createBlockRequestResponseSchema,
  resolveBlockRequestResponseSchema,
  type CreateBlockRequest,
  type ResolveBlockRequest,
} from '../shared/contracts/block-requests';
import type { WriteError } from '../shared/contracts/ipc';
import {
  auditListResponseSchema,
  devicesResponseSchema,
  insightResponseSchema,
  inviteCreatedSchema,
  inviteRedeemedSchema,
  personSchema,
  statsBlockedResponseSchema,
  statsTopResponseSchema,
  usersResponseSchema,
  type AuditListQuery,
  type StatsBlockedQuery,
  type StatsTopQuery,
  type UserPatch,
} from '../shared/contracts/oversight';
import {
  announcementInfoSchema,
  type AnnouncementInfo,
  type AnnouncementKind,
} from '../shared/announcements';
import { wrapUpResponseSchema, type WrapUp } from '../shared/contracts/wrap-up';
import { ruleSchema, type RuleCreateInput, type RulePatch } from '../shared/rules';
import { orgSettingsSchema, type OrgSettingsPatch } from '../shared/settings';

export type FetchLike = typeof fetch;
export type ApiResult<T> = { ok: true; value: T } | WriteError;

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

  /** The absolute URL of a path on the server (`routePath` fills a route's parameters). */
  url(path: string): string {
    return this.serverUrl + path;
  }

  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  me() {
    return this.request(apiRoutes.me, apiRoutes.me.path, undefined, meResponseSchema);
  }
  snapshot() {
    return this.request(apiRoutes.snapshot, apiRoutes.snapshot.path, undefined, snapshotResponseSchema);
  }
  changes(since: number) {
    const path = routePath(apiRoutes.changes, {}, { since });
    return this.request(apiRoutes.changes, path, undefined, changesResponseSchema);
  }
  lines() {
    return this.request(apiRoutes.lines, apiRoutes.lines.path, undefined, linesResponseSchema);
  }
  createRule(input: RuleCreateInput) {
    return this.request(apiRoutes.createRule, apiRoutes.createRule.path, input, ruleSchema);
  }
  bulkCreateRules(entries: RuleCreateInput[], source: 'bulk' | 'import') {
    const route = apiRoutes.bulkCreateRules;
    return this.request(route, route.path, { entries, source }, bulkCreateResponseSchema);
  }
  updateRule(id: string, patch: RulePatch) {
    return this.request(apiRoutes.updateRule, routePath(apiRoutes.updateRule, { id }), patch, ruleSchema);
  }
  async deleteRule(id: string): Promise<ApiResult<null>> {
    const result = await this.send(apiRoutes.deleteRule, routePath(apiRoutes.deleteRule, { id }), undefined);
    return result.ok ? { ok: true, value: null } : result;
  }
  testNumber(number: string, line?: string) {
    const path = routePath(apiRoutes.testNumber, {}, { number, line });
    return this.request(apiRoutes.testNumber, path, undefined, testNumberResponseSchema);
  }
  async exportCsv(): Promise<ApiResult<string>> {
    const result = await this.send(apiRoutes.exportCsv, apiRoutes.exportCsv.path, undefined);
    if (!result.ok) return result;
    return { ok: true, value: await result.value.text() };
  }
  updateSettings(patch: OrgSettingsPatch) {
    return this.request(apiRoutes.updateSettings, apiRoutes.updateSettings.path, patch, orgSettingsSchema);
  }
  setLineAnnouncementMode(number: string, mode: 'early-media' | 'answer') {
    return this.updateLine(number, { announcementMode: mode });
  }
  updateLine(number: string, patch: LinePatch) {
    const path = routePath(apiRoutes.updateLine, { number });
    return this.request(apiRoutes.updateLine, path, patch, lineSchema);
  }
  /** Uploads an announcement recording: the file itself is the body, with its content type. */
  async putAnnouncement(
    kind: AnnouncementKind,
    audio: Uint8Array,
    contentType: string,
  ): Promise<ApiResult<AnnouncementInfo>> {
    const route = apiRoutes.putAnnouncement;
    const path = routePath(route, { kind });
    const result = await this.send(route, path, { raw: audio, contentType });
    if (!result.ok) return result;
    const parsed = announcementInfoSchema.safeParse(await result.value.json().catch(() => null));
    if (!parsed.success)
      return {
        ok: false,
        code: 'internal',
        message: `The server's response to PUT ${path} has an unexpected shape`,
      };
    return { ok: true, value: parsed.data };
  }
  /** The audio the apps play for an org announcement (404 `not_found` while the built-in one is in use). */
  async announcementAudio(
    kind: AnnouncementKind,
  ): Promise<ApiResult<{ version: string | null; audio: Uint8Array }>> {
    const result = await this.send(
      apiRoutes.getAnnouncement,
      routePath(apiRoutes.getAnnouncement, { kind }),
      undefined,
    );
    if (!result.ok) return result;
    const audio = new Uint8Array(await result.value.arrayBuffer());
    return { ok: true, value: { version: result.value.headers.get('x-announcement-version'), audio } };
  }
  async deleteAnnouncement(kind: AnnouncementKind): Promise<ApiResult<null>> {
    const route = apiRoutes.deleteAnnouncement;
    const result = await this.send(route, routePath(route, { kind }), undefined);
    return result.ok ? { ok: true, value: null } : result;
  }
  postCallReports(reports: CallReport[]) {
    const route = apiRoutes.callReports;
    return this.request(route, route.path, { reports }, callReportsResponseSchema);
  }
  // The lead inbox: auto-blocks waiting for review and agents' block requests (SPEC §11.4, §7.1b).
  autoBlockReviews() {
    const route = apiRoutes.autoBlockReviews;
    return this.request(route, route.path, undefined, autoBlockReviewsResponseSchema);
  }
  decideAutoBlockReview(ruleId: string, decision: ReviewDecision) {
    const route = apiRoutes.decideAutoBlockReview;
    return this.request(route, routePath(route, { ruleId }), { decision }, reviewDecisionResponseSchema);
  }
  blockRequests() {
    const route = apiRoutes.blockRequests;
    return this.request(route, route.path, undefined, blockRequestsResponseSchema);
  }
  createBlockRequest(input: CreateBlockRequest) {
    const route = apiRoutes.createBlockRequest;
    return this.request(route, route.path, input, createBlockRequestResponseSchema);
  }
  resolveBlockRequest(id: string, resolution: ResolveBlockRequest) {
    const route = apiRoutes.resolveBlockRequest;
    return this.request(route, routePath(route, { id }), resolution, resolveBlockRequestResponseSchema);
  }

  // Oversight (SPEC §12).
  statsBlocked(query: StatsBlockedQuery) {
    const route = apiRoutes.statsBlocked;
    return this.request(route, routePath(route, {}, query), undefined, statsBlockedResponseSchema);
  }
  statsTop(query: StatsTopQuery) {
    const route = apiRoutes.statsTop;
    return this.request(route, routePath(route, {}, query), undefined, statsTopResponseSchema);
  }
  audit(query: AuditListQuery) {
    const route = apiRoutes.audit;
    return this.request(route, routePath(route, {}, query), undefined, auditListResponseSchema);
  }
  insight(e164: string) {
    const route = apiRoutes.insight;
    return this.request(route, routePath(route, { number: e164 }), undefined, insightResponseSchema);
  }
  users() {
    const route = apiRoutes.users;
    return this.request(route, route.path, undefined, usersResponseSchema);
  }
  updateUser(id: string, patch: UserPatch) {
    const route = apiRoutes.updateUser;
    return this.request(route, routePath(route, { id }), patch, personSchema);
  }
  userTokens(id: string) {
    const route = apiRoutes.userTokens;
    return this.request(route, routePath(route, { id }), undefined, devicesResponseSchema);
  }
  async revokeUserTokens(id: string): Promise<ApiResult<null>> {
    const route = apiRoutes.revokeUserTokens;
    const result = await this.send(route, routePath(route, { id }), undefined);
    return result.ok ? { ok: true, value: null } : result;
  }
  async revokeToken(id: string): Promise<ApiResult<null>> {
    const route = apiRoutes.revokeToken;
    const result = await this.send(route, routePath(route, { id }), undefined);
    return result.ok ? { ok: true, value: null } : result;
  }
  createInvite(input: { name: string; role: Role }) {
    const route = apiRoutes.createInvite;
    return this.request(route, route.path, input, inviteCreatedSchema);
  }
  /** Public: the invite's code is the credential (this client's token is empty and not looked at). */
  redeemInvite(input: { code: string; deviceName: string }) {
    const route = apiRoutes.redeemInvite;
    return this.request(route, route.path, input, inviteRedeemedSchema);
  }

  /** SPEC §10.11: a PUT, so sending it again (a lost response) leaves the same wrap-up. */
  putWrapUp(reportId: string, wrapUp: WrapUp) {
    const route = apiRoutes.putWrapUp;
    return this.request(route, routePath(route, { id: reportId }), wrapUp, wrapUpResponseSchema);
  }

  private async request<S extends z.ZodType>(
    route: ApiRoute,
    path: string,
    body: unknown,
    schema: S,
  ): Promise<ApiResult<z.output<S>>> {
    const { method } = route;
    const result = await this.send(route, path, body);
    if (!result.ok) return result;
    const text = await result.value.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      return {
        ok: false,
        code: 'internal',
        message: `The server sent a response that is not JSON (${method} ${path})`,
      };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      return {
        ok: false,
        code: 'internal',
        message: `The server's response to ${method} ${path} has an unexpected shape`,
        details: { issues: fieldIssuesOf(parsed.error.issues) },
      };
    }
    return { ok: true, value: parsed.data };
  }

  /** `body` is JSON, or `{ raw, contentType }` for a file sent as it is (an announcement upload). */
  private async send(route: ApiRoute, path: string, body: unknown): Promise<ApiResult<Response>> {
    const { method } = route;
    const headers: Record<string, string> = { ...this.authHeaders(), accept: 'application/json' };
    const raw = isRawBody(body) ? body : null;
    if (raw !== null) headers['content-type'] = raw.contentType;
    else if (body !== undefined) headers['content-type'] = 'application/json';
    // Pooled keep-alive connections to a server that has since restarted fail at once ("other side
    // closed"); a request that is safe to repeat (reads, PUTs and call reports — idempotent by id) is tried
    // again on a fresh connection.
    const attempts = method === 'GET' || method === 'PUT' || route === apiRoutes.callReports ? 3 : 1;
    let response: Response | null = null;
    for (let attempt = 0; response === null; attempt++) {
      try {
        response = await this.fetchImpl(this.url(path), {
          method,
          headers,
          body: raw !== null ? raw.raw : body === undefined ? undefined : JSON.stringify(body),
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

function isRawBody(body: unknown): body is { raw: Uint8Array<ArrayBuffer>; contentType: string } {
  return typeof body === 'object' && body !== null && 'raw' in body && body.raw instanceof Uint8Array;
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
