/**
 * The org server's HTTP API under /v1: one source of request and response schemas, used by the server
 * (validation and the generated OpenAPI document) and by every client (the sync client, the CLI).
 */
import { z } from 'zod';
import {
  e164Schema,
  isoDateTimeSchema,
  ruleCreateInputSchema,
  rulePatchSchema,
  ruleSchema,
  scopeSchema,
  ruleKindSchema,
} from '../rules';
import {
  announcementInfoSchema,
  announcementKindSchema,
  announcementsSchema,
  BUILT_IN_ANNOUNCEMENTS,
} from '../announcements';
import { orgSettingsPatchSchema, orgSettingsSchema, countryCodeSchema } from '../settings';
import { safeText } from '../text';

export const API_PREFIX = '/v1';
export const MAX_BULK_ENTRIES = 500;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One route of the API: the server registers it, clients call it. Parameters are `:name` segments. */
export interface ApiRoute {
  readonly method: HttpMethod;
  readonly path: string;
}

/** Every route of the API, each declared once (SPEC §9). */
export const apiRoutes = {
  openApi: { method: 'GET', path: `${API_PREFIX}/openapi.json` },
  me: { method: 'GET', path: `${API_PREFIX}/me` },
  lines: { method: 'GET', path: `${API_PREFIX}/lines` },
  updateLine: { method: 'PATCH', path: `${API_PREFIX}/lines/:number` },
  listRules: { method: 'GET', path: `${API_PREFIX}/blocked-numbers` },
  createRule: { method: 'POST', path: `${API_PREFIX}/blocked-numbers` },
  bulkCreateRules: { method: 'POST', path: `${API_PREFIX}/blocked-numbers/bulk` },
  exportCsv: { method: 'GET', path: `${API_PREFIX}/blocked-numbers/export.csv` },
  updateRule: { method: 'PATCH', path: `${API_PREFIX}/blocked-numbers/:id` },
  deleteRule: { method: 'DELETE', path: `${API_PREFIX}/blocked-numbers/:id` },
  testNumber: { method: 'GET', path: `${API_PREFIX}/test-number` },
  settings: { method: 'GET', path: `${API_PREFIX}/settings` },
  updateSettings: { method: 'PATCH', path: `${API_PREFIX}/settings` },
  snapshot: { method: 'GET', path: `${API_PREFIX}/sync/snapshot` },
  changes: { method: 'GET', path: `${API_PREFIX}/sync/changes` },
  events: { method: 'GET', path: `${API_PREFIX}/events` },
  callReports: { method: 'POST', path: `${API_PREFIX}/call-reports` },
  /** SPEC §10.11: the call's wrap-up, by its report id (schemas in contracts/wrap-up.ts). */
  putWrapUp: { method: 'PUT', path: `${API_PREFIX}/call-reports/:id/wrap-up` },
  getWrapUp: { method: 'GET', path: `${API_PREFIX}/call-reports/:id/wrap-up` },
  audit: { method: 'GET', path: `${API_PREFIX}/audit` },
  autoBlockReviews: { method: 'GET', path: `${API_PREFIX}/auto-block-reviews` },
  decideAutoBlockReview: { method: 'POST', path: `${API_PREFIX}/auto-block-reviews/:ruleId` },
  // Oversight (SPEC §12); their schemas are in oversight.ts.
  statsBlocked: { method: 'GET', path: `${API_PREFIX}/stats/blocked` },
  statsTop: { method: 'GET', path: `${API_PREFIX}/stats/top` },
  insight: { method: 'GET', path: `${API_PREFIX}/numbers/:number/insight` },
  users: { method: 'GET', path: `${API_PREFIX}/users` },
  updateUser: { method: 'PATCH', path: `${API_PREFIX}/users/:id` },
  userTokens: { method: 'GET', path: `${API_PREFIX}/users/:id/tokens` },
  revokeUserTokens: { method: 'DELETE', path: `${API_PREFIX}/users/:id/tokens` },
  revokeToken: { method: 'DELETE', path: `${API_PREFIX}/tokens/:id` },
  createInvite: { method: 'POST', path: `${API_PREFIX}/invites` },
  redeemInvite: { method: 'POST', path: `${API_PREFIX}/invites/redeem` },
  // Bodies and answers in block-requests.ts.
  blockRequests: { method: 'GET', path: `${API_PREFIX}/block-requests` },
  createBlockRequest: { method: 'POST', path: `${API_PREFIX}/block-requests` },
  resolveBlockRequest: { method: 'POST', path: `${API_PREFIX}/block-requests/:id` },
  /** The org's own recording of an announcement (SPEC §12.5): the body is the audio file itself. */
  putAnnouncement: { method: 'PUT', path: `${API_PREFIX}/announcements/:kind` },
  /** The audio the apps play (16 kHz mono 16-bit WAV); 404 while the org uses the built-in one. */
  getAnnouncement: { method: 'GET', path: `${API_PREFIX}/announcements/:kind` },
  /** Back to the built-in announcement. */
  deleteAnnouncement: { method: 'DELETE', path: `${API_PREFIX}/announcements/:kind` },
} as const satisfies Record<string, ApiRoute>;

/** The `:name` parameters of a route path, as a union of names. */
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;
export type RouteParams<R extends ApiRoute> = Record<ParamNames<R['path']>, string>;

/** A route's path with its parameters filled in (URI-encoded) and the query, if any, appended. */
export function routePath<R extends ApiRoute>(
  route: R,
  params: RouteParams<R>,
  query?: Record<string, string | number | undefined>,
): string {
  const values: Record<string, string> = params;
  const path = route.path.replace(/:([A-Za-z]+)/g, (_match, name: string) =>
    encodeURIComponent(values[name] ?? ''),
  );
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}

export const errorCodeSchema = z.enum([
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'already_blocked',
  'conflict',
  'snapshot_required',
  'payload_too_large',
  'unsupported_media_type',
  'invalid_audio',
  'audio_too_long',
  'unprocessable',
  'rate_limited',
  'emergency_number',
  /** The org's only active admin may be neither demoted nor disabled (SPEC §12.4). */
  'last_admin',
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** The envelope code for an HTTP status when nothing more specific is known (server and clients agree). */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 410:
      return 'snapshot_required';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 422:
      return 'unprocessable';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'internal' : 'bad_request';
  }
}

/** One refused field: `path` names it from the top of the request (`['autoBlock', 'threshold']`). */
export const fieldIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number().int()])),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

/** Zod's issues (paths of keys and indexes) as the contract's field issues. */
export function fieldIssuesOf(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'number' ? part : String(part))),
    message: issue.message,
  }));
}

/**
 * What an error envelope may say beyond its message; which parts appear depends on the code. The server
 * builds it from this type and clients read it with this schema.
 */
export const errorDetailsSchema = z.object({
  /** validation_failed, unprocessable: the fields refused, each with its own message. */
  issues: z.array(fieldIssueSchema).optional(),
  /** unprocessable: why the rule cannot be made (`invalid_number`, `expired`, `unknown_line`…). */
  reason: z.string().optional(),
  /** invalid_audio: the codec found in an Ogg file (`opus`, `speex`, `flac`…), once its first page reads. */
  codec: z.string().optional(),
  /** already_blocked: the rule that already covers the number, and how it does. */
  ruleId: z.string().optional(),
  conflict: z.string().optional(),
  /** snapshot_required: the server's revision and the oldest one its change log still reaches. */
  revision: z.number().int().optional(),
  oldestAvailable: z.number().int().optional(),
  /** payload_too_large: the most entries (or bytes) one request may carry, and how many it had;
   * audio_too_long: the longest recording allowed and this one's length, in ms. */
  max: z.number().int().optional(),
  got: z.number().int().optional(),
});
export type ErrorDetails = z.infer<typeof errorDetailsSchema>;

export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    details: errorDetailsSchema.optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export const roleSchema = z.enum(['admin', 'lead', 'agent']);
export type Role = z.infer<typeof roleSchema>;

export const meResponseSchema = z.object({
  user: z.object({ id: z.string(), name: z.string(), role: roleSchema }),
  org: z.object({
    id: z.string(),
    name: z.string(),
    defaultCountry: countryCodeSchema,
    timeZone: z.string(),
  }),
  /** Whether this user may change rules and settings under the org's `whoCanManage`. */
  canManage: z.boolean(),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

/** A member of the org as the People view and the admin CLI list them (SPEC §12.4). */
export const userSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: isoDateTimeSchema,
});
export type UserSummary = z.infer<typeof userSummarySchema>;

/** One of a user's tokens (a device): never its secret. */
export const tokenSummarySchema = z.object({
  id: z.string(),
  createdAt: isoDateTimeSchema,
  lastUsedAt: isoDateTimeSchema.nullable(),
  deviceName: z.string().nullable(),
  revokedAt: isoDateTimeSchema.nullable(),
});
export type TokenSummary = z.infer<typeof tokenSummarySchema>;

/** How a blocked caller on this line hears the announcement (SPEC §3.4): it cannot be detected. */
export const announcementModeSchema = z.enum(['early-media', 'answer']);
export type AnnouncementMode = z.infer<typeof announcementModeSchema>;

export const lineSchema = z.object({
  number: e164Schema,
  label: z.string().min(1).max(100),
  announcementMode: announcementModeSchema,
  /**
   * Answer by itself when the PBX asks (`Call-Info: …;answer-after=N`, SPEC §10.4). Off unless an admin
   * turns it on: anyone can write that header, and it opens the agent's microphone. Absent = off (lines
   * stored before the setting existed).
   */
  pbxAutoAnswer: z.boolean().optional(),
});
export type Line = z.infer<typeof lineSchema>;
/** What an admin may change on a line (`PATCH /v1/lines/:number`): at least one field. */
export const linePatchSchema = z
  .object({ announcementMode: announcementModeSchema.optional(), pbxAutoAnswer: z.boolean().optional() })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'Give announcementMode or pbxAutoAnswer.' });
export type LinePatch = z.infer<typeof linePatchSchema>;
export const linesResponseSchema = z.object({ lines: z.array(lineSchema) });

export const ruleSortSchema = z.enum(['created', 'number', 'hits']);
export const listRulesQuerySchema = z
  .object({
    search: safeText(z.string().max(200)).optional(),
    sort: ruleSortSchema.default('created'),
    order: z.enum(['asc', 'desc']).default('desc'),
    scope: scopeSchema.optional(),
    kind: ruleKindSchema.optional(),
    cursor: safeText(z.string().max(500)).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type ListRulesQuery = z.infer<typeof listRulesQuerySchema>;
export const listRulesResponseSchema = z.object({
  items: z.array(ruleSchema),
  nextCursor: z.string().nullable(),
  total: z.number().int().nonnegative(),
});

export const createRuleRequestSchema = ruleCreateInputSchema;
export const patchRuleRequestSchema = rulePatchSchema;

export const bulkCreateRequestSchema = z
  .object({
    entries: z.array(z.unknown()).min(1),
    source: z.enum(['bulk', 'import']).default('bulk'),
  })
  .strict();
export const bulkEntryResultSchema = z.discriminatedUnion('status', [
  z.object({ index: z.number().int(), status: z.literal('created'), rule: ruleSchema }),
  z.object({ index: z.number().int(), status: z.literal('already_blocked'), message: z.string() }),
  z.object({
    index: z.number().int(),
    status: z.literal('invalid'),
    reason: z.string(),
    message: z.string(),
  }),
  z.object({ index: z.number().int(), status: z.literal('emergency'), message: z.string() }),
]);
export type BulkEntryResult = z.infer<typeof bulkEntryResultSchema>;
export const bulkCreateResponseSchema = z.object({ results: z.array(bulkEntryResultSchema) });
export type BulkCreateResponse = z.infer<typeof bulkCreateResponseSchema>;

export const testNumberQuerySchema = z
  // A number, not text: invisible characters in it are ignored (§1.1a), not refused.
  .object({ number: z.string().min(1).max(200), line: e164Schema.optional() })
  .strict();
export const testNumberResponseSchema = z.object({
  input: z.string(),
  number: z.string().nullable(),
  line: e164Schema.nullable(),
  action: z.enum(['allow', 'block']),
  why: z.string(),
  rule: ruleSchema.nullable(),
  explanation: z.string(),
});
export type TestNumberResponse = z.infer<typeof testNumberResponseSchema>;

export const settingsResponseSchema = orgSettingsSchema;
export const settingsPatchRequestSchema = orgSettingsPatchSchema;

/** One entry of the org's change log; `revision` increases by one per change, per org. */
export const changeSchema = z.discriminatedUnion('type', [
  z.object({
    revision: z.number().int(),
    at: isoDateTimeSchema,
    type: z.literal('rule_upserted'),
    rule: ruleSchema,
  }),
  z.object({
    revision: z.number().int(),
    at: isoDateTimeSchema,
    type: z.literal('rule_deleted'),
    ruleId: z.string(),
    number: z.string(),
    scope: scopeSchema,
  }),
  z.object({
    revision: z.number().int(),
    at: isoDateTimeSchema,
    type: z.literal('rule_hits'),
    ruleId: z.string(),
    hitCount: z.number().int(),
    lastHitAt: isoDateTimeSchema,
  }),
  z.object({
    revision: z.number().int(),
    at: isoDateTimeSchema,
    type: z.literal('settings_updated'),
    settings: orgSettingsSchema,
  }),
  z.object({
    revision: z.number().int(),
    at: isoDateTimeSchema,
    type: z.literal('lines_updated'),
    lines: z.array(lineSchema),
  }),
  z.object({
    revision: z.number().int(),
    at: isoDateTimeSchema,
    type: z.literal('announcement_updated'),
    kind: announcementKindSchema,
    /** null: back to the built-in one. */
    announcement: announcementInfoSchema.nullable(),
  }),
]);
export type Change = z.infer<typeof changeSchema>;

export const snapshotResponseSchema = z.object({
  revision: z.number().int().nonnegative(),
  rules: z.array(ruleSchema),
  settings: orgSettingsSchema,
  lines: z.array(lineSchema),
  /** The org's own announcements in use (absent from servers older than SPEC §12.5: the built-in ones). */
  announcements: announcementsSchema.default(BUILT_IN_ANNOUNCEMENTS),
});
export type Snapshot = z.infer<typeof snapshotResponseSchema>;

export const changesQuerySchema = z.object({ since: z.coerce.number().int().nonnegative() }).strict();
export const changesResponseSchema = z.object({
  revision: z.number().int().nonnegative(),
  changes: z.array(changeSchema),
});
export type ChangesResponse = z.infer<typeof changesResponseSchema>;

/** Server-Sent Events on GET /v1/events: `id` is the revision, `event: change`, `data` one Change. */
export const SSE_EVENT_CHANGE = 'change';
export const SSE_EVENT_HEARTBEAT = 'heartbeat';

export const callReportSchema = z
  .object({
    /** Client-generated id; the server ignores a report it has already seen (idempotent delivery). */
    id: safeText(z.string().min(8).max(100)),
    /** The SIP Call-ID: one caller attempt seen by several agents counts once (SPEC §4.2). */
    callId: safeText(z.string().min(1).max(500)),
    direction: z.enum(['inbound', 'outbound']),
    line: e164Schema.nullable(),
    number: e164Schema.nullable(),
    anonymous: z.boolean(),
    action: z.enum(['allow', 'block']),
    why: safeText(z.string().max(50)),
    ruleId: safeText(z.string().max(100)).nullable(),
    at: isoDateTimeSchema,
    verstat: safeText(z.string().max(50)).nullable().optional(),
  })
  .strict();
export type CallReport = z.infer<typeof callReportSchema>;
export const callReportsRequestSchema = z
  .object({ reports: z.array(callReportSchema).min(1).max(500) })
  .strict();
export const callReportsResponseSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
});

/** An auto-block that rests on one user's reports: temporary until a lead keeps or drops it (SPEC §11.4). */
export const autoBlockReviewSchema = z.object({
  rule: ruleSchema,
  reporter: z.object({ id: z.string(), name: z.string() }),
});
export type AutoBlockReview = z.infer<typeof autoBlockReviewSchema>;
export const autoBlockReviewsResponseSchema = z.object({ items: z.array(autoBlockReviewSchema) });
export const reviewDecisionSchema = z.enum(['keep', 'drop']);
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;
export const reviewDecisionRequestSchema = z.object({ decision: reviewDecisionSchema }).strict();
export const reviewDecisionResponseSchema = z.object({ rule: ruleSchema.nullable() });

export const announcementParamsSchema = z.object({ kind: announcementKindSchema }).strict();
export const announcementResponseSchema = announcementInfoSchema.extend({ kind: announcementKindSchema });
export type AnnouncementResponse = z.infer<typeof announcementResponseSchema>;
