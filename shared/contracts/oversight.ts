/**
 * The oversight part of the org server's API (SPEC §12): the audit view's filters, the blocked-calls
 * dashboard, what the org knows of a number, and the people admin. Server and clients share these
 * schemas the same way as `api.ts`, which declares their routes with the others.
 */
import { z } from 'zod';
import { e164Schema, isoDateTimeSchema } from '../rules';
import { safeText } from '../text';
import { roleSchema } from './api';

/** A calendar day in the org's time zone. */
export const localDateSchema = z.iso.date();

/** Why an inbound call was blocked, as the dashboard groups it (SPEC §12.2). */
export const blockedWhySchema = z.enum(['number', 'prefix', 'anonymous', 'verification', 'auto', 'unknown']);
export type BlockedWhy = z.infer<typeof blockedWhySchema>;
export const BLOCKED_WHYS = blockedWhySchema.options;

export const whyCountsSchema = z.object(
  Object.fromEntries(BLOCKED_WHYS.map((why) => [why, z.number().int().nonnegative()])) as Record<
    BlockedWhy,
    z.ZodNumber
  >,
);
export type WhyCounts = z.infer<typeof whyCountsSchema>;

/** The longest range one stats request may cover. */
export const MAX_STATS_DAYS = 400;

export const statsRangeQuerySchema = z
  .object({
    /** First day, inclusive, in the org's time zone. */
    from: localDateSchema,
    /** Last day, inclusive, in the org's time zone. */
    to: localDateSchema,
  })
  .strict();

export const statsBlockedQuerySchema = statsRangeQuerySchema.extend({
  bucket: z.enum(['day', 'hour']).default('day'),
});
export type StatsBlockedQuery = z.infer<typeof statsBlockedQuerySchema>;

export const statsBlockedResponseSchema = z.object({
  timeZone: z.string(),
  from: localDateSchema,
  to: localDateSchema,
  bucket: z.enum(['day', 'hour']),
  /** Every bucket of the range in order, empty ones included: `YYYY-MM-DD` or `YYYY-MM-DDTHH`. */
  buckets: z.array(z.object({ start: z.string(), counts: whyCountsSchema, total: z.number().int() })),
  totals: whyCountsSchema,
  total: z.number().int(),
  /** Blocked calls by weekday (0 = Monday … 6 = Sunday) and local hour (0–23). */
  hourOfWeek: z.array(z.array(z.number().int())),
  /** Rules the server created by auto-block in the range, newest first. */
  autoBlocks: z.array(
    z.object({
      at: isoDateTimeSchema,
      ruleId: z.string().nullable(),
      number: z.string(),
      reason: z.string(),
    }),
  ),
});
export type StatsBlockedResponse = z.infer<typeof statsBlockedResponseSchema>;

export const statsTopQuerySchema = statsRangeQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
export type StatsTopQuery = z.infer<typeof statsTopQuerySchema>;

const trendSchema = z.array(z.number().int().nonnegative());
export const statsTopResponseSchema = z.object({
  timeZone: z.string(),
  from: localDateSchema,
  to: localDateSchema,
  /** Each trend splits the range into these buckets (days for up to 31 days, else weeks from `from`). */
  trendBucket: z.enum(['day', 'week']),
  numbers: z.array(z.object({ number: z.string(), count: z.number().int(), trend: trendSchema })),
  rules: z.array(
    z.object({
      ruleId: z.string(),
      number: z.string(),
      /** The rule's reason today, or null when the rule has been deleted since. */
      reason: z.string().nullable(),
      deleted: z.boolean(),
      count: z.number().int(),
      trend: trendSchema,
    }),
  ),
});
export type StatsTopResponse = z.infer<typeof statsTopResponseSchema>;

/** GET /v1/audit: every filter optional; `number` matches the number an entry is about. */
export const auditListQuerySchema = z
  .object({
    /** A user id (the actor). */
    person: safeText(z.string().min(1).max(100)).optional(),
    /** An action such as `rule.created`, or a family such as `rule`. */
    action: z
      .string()
      .regex(/^[a-z_]+(\.[a-z_]+)?$/, 'must be an action such as rule.created, or a family such as rule')
      .optional(),
    /** A number or prefix in any common form (normalized with the org's country). */
    number: safeText(z.string().trim().min(1).max(64)).optional(),
    /** Entries at or after this instant. */
    from: isoDateTimeSchema.optional(),
    /** Entries before this instant. */
    to: isoDateTimeSchema.optional(),
    cursor: safeText(z.string().max(200)).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type AuditListQuery = z.infer<typeof auditListQuerySchema>;

export const auditListEntrySchema = z.object({
  id: z.string(),
  at: isoDateTimeSchema,
  actor: z.object({ id: z.string(), name: z.string() }).nullable(),
  action: z.string(),
  target: z.string().nullable(),
  /** The number (or prefix) the entry is about, when it is about one. */
  number: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditListEntry = z.infer<typeof auditListEntrySchema>;
export const auditListResponseSchema = z.object({
  items: z.array(auditListEntrySchema),
  nextCursor: z.string().nullable(),
  /** Everyone who appears in the org's audit log (for the person filter); only on the first page. */
  actors: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type AuditListResponse = z.infer<typeof auditListResponseSchema>;

/** GET /v1/numbers/{e164}/insight (SPEC §12.3). */
export const insightParamsSchema = z.object({ number: e164Schema }).strict();
export const insightResponseSchema = z.object({
  number: e164Schema,
  /** Rules that covered this number, now or before (deleted and expired ones too), newest first. */
  rules: z.array(
    z.object({
      ruleId: z.string(),
      kind: z.enum(['block', 'allow']),
      number: z.string(),
      reason: z.string(),
      createdBy: z.string(),
      createdAt: isoDateTimeSchema,
      expiresAt: isoDateTimeSchema.nullable(),
      status: z.enum(['active', 'expired', 'deleted']),
      /** When it was deleted (or removed on expiry), and by whom. */
      endedAt: isoDateTimeSchema.nullable(),
      endedBy: z.string().nullable(),
    }),
  ),
  lastHour: z.object({
    /** Distinct agents whose app reported a call from this number in the last hour. */
    agents: z.number().int().nonnegative(),
    attempts: z.number().int().nonnegative(),
    firstAt: isoDateTimeSchema.nullable(),
    lastAt: isoDateTimeSchema.nullable(),
  }),
  /** The verification result of its latest reported call that carried one. */
  lastVerification: z.object({ verstat: z.string(), at: isoDateTimeSchema }).nullable(),
});
export type InsightResponse = z.infer<typeof insightResponseSchema>;

/** People (SPEC §12.4). */
export const deviceSchema = z.object({
  id: z.string(),
  deviceName: z.string().nullable(),
  createdAt: isoDateTimeSchema,
  lastUsedAt: isoDateTimeSchema.nullable(),
});
export type Device = z.infer<typeof deviceSchema>;

export const personSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: isoDateTimeSchema,
  devices: z.number().int().nonnegative(),
  lastUsedAt: isoDateTimeSchema.nullable(),
});
export type Person = z.infer<typeof personSchema>;
export const usersResponseSchema = z.object({ users: z.array(personSchema) });
export const userParamsSchema = z.object({ id: safeText(z.string().min(1).max(100)) }).strict();
export const userPatchSchema = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((patch) => patch.role !== undefined || patch.disabled !== undefined, 'nothing to change');
export type UserPatch = z.infer<typeof userPatchSchema>;
export const devicesResponseSchema = z.object({ devices: z.array(deviceSchema) });

export const INVITE_VALID_DAYS = 7;
export const inviteCreateSchema = z
  .object({ name: safeText(z.string().trim().min(1).max(100)), role: roleSchema })
  .strict();
export const inviteCreatedSchema = z.object({
  code: z.string(),
  url: z.string(),
  expiresAt: isoDateTimeSchema,
});
export type InviteCreated = z.infer<typeof inviteCreatedSchema>;
export const inviteRedeemSchema = z
  .object({
    code: safeText(z.string().trim().min(6).max(100)),
    deviceName: safeText(z.string().trim().min(1).max(100)),
  })
  .strict();
export const inviteRedeemedSchema = z.object({ token: z.string() });
