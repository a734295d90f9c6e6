import type { Generated } from 'kysely';

/** Table shapes for Kysely. Timestamps are ISO-8601 UTC strings and JSON columns are text in both dialects. */
export interface OrgsTable {
  id: string;
  name: string;
  time_zone: string;
  /** The org's current revision: advanced by one per change, in the same transaction as the change. */
  revision: number;
  /** Changes up to and including this revision have been pruned from the log. */
  log_floor: number;
  settings: string;
  created_at: string;
  /** Advanced whenever a token of the org is revoked or a user disabled or enabled. */
  access_revision: Generated<number>;
}

export interface UsersTable {
  id: string;
  org_id: string;
  name: string;
  role: string;
  created_at: string;
  /** 1 when the user may not sign in (their tokens stay, unusable), else 0. */
  disabled: Generated<number>;
}

export interface TokensTable {
  /** sha256 of the bearer token, hex: the token itself is never stored. */
  hash: string;
  /** The token's public id: listed, revoked and logged by it, never by its secret. */
  id: string;
  user_id: string;
  created_at: string;
  revoked_at: string | null;
  /** Updated at most once a minute per token and instance. */
  last_used_at: string | null;
  device_name: string | null;
}

export interface LinesTable {
  org_id: string;
  number: string;
  label: string;
  announcement_mode: string;
  /** 1: answer by itself when the PBX asks (admins only). */
  pbx_auto_answer: Generated<number>;
  created_at: string;
}

export interface RulesTable {
  id: string;
  org_id: string;
  kind: string;
  number: string;
  scope: string;
  reason: string;
  expires_at: string | null;
  source: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  hit_count: number;
  last_hit_at: string | null;
}

export interface ChangesTable {
  org_id: string;
  revision: number;
  payload: string;
}

export interface CallReportsTable {
  org_id: string;
  id: string;
  call_id: string;
  user_id: string;
  received_at: string;
  /** The attempt (its `call_attempts.call_id`) this report was counted under. */
  attempt_id: string | null;
  /** From migration 0005: null on reports stored before it. */
  number: string | null;
  direction: string | null;
  action: string | null;
  why: string | null;
  rule_id: string | null;
  at: string | null;
  verstat: string | null;
}

export interface CallAttemptsTable {
  org_id: string;
  call_id: string;
  direction: string;
  number: string | null;
  /** 1 when the caller withheld their identity, else 0 (a boolean both dialects store alike). */
  anonymous: number;
  at: string;
  line: string | null;
  /** The verdict the first report of the attempt gave (migration 0004: null on attempts before it). */
  action: string | null;
  why: string | null;
  rule_id: string | null;
  /** The caller's verification result (migration 0005). */
  verstat: string | null;
  /** 1 once counted into call_daily_counts; only rolled-up attempts are pruned. */
  rolled_up: Generated<number>;
}

/** Call attempts per UTC day (kept for good; raw attempts go after the retention period). */
export interface CallDailyCountsTable {
  org_id: string;
  day: string;
  direction: string;
  action: string;
  why: string;
  /** '' for a withheld number or no line: part of the key, so never null. */
  number: string;
  line: string;
  attempts: number;
}

/** An auto-block rule that rests on one user's reports: temporary until a lead keeps or drops it. */
export interface RuleReviewsTable {
  org_id: string;
  rule_id: string;
  number: string;
  reporter_id: string;
  created_at: string;
}

/** An agent's "ask a lead to block" (SPEC §7.1b): open until a lead approves or dismisses it. */
export interface BlockRequestsTable {
  org_id: string;
  id: string;
  number: string;
  reason: string;
  requested_by: string;
  requester_name: string;
  created_at: string;
  status: string;
  resolved_by: string | null;
  resolver_name: string | null;
  resolved_at: string | null;
  rule_id: string | null;
}

/** SPEC §10.11: an answered call's wrap-up, by the report of that call (one per report). */
export interface CallWrapUpsTable {
  org_id: string;
  report_id: string;
  disposition: string;
  note: string;
  updated_by_id: string;
  updated_by_name: string;
  updated_at: string;
}

export interface AuditTable {
  id: string;
  org_id: string;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target: string | null;
  before: string | null;
  after: string | null;
  /** The number (or prefix) the entry is about, if any (migration 0005). */
  number: string | null;
}

/** Blocked inbound calls per local hour and why (SPEC §12.2); kept beyond the raw reports. */
export interface StatsBlockedHourlyTable {
  org_id: string;
  hour: string;
  hour_of_week: number;
  why: string;
  count: number;
}

/** Blocked inbound calls per local day and caller number (`dimension` number) or rule (`rule`). */
export interface StatsTopDailyTable {
  org_id: string;
  day: string;
  dimension: string;
  key: string;
  count: number;
}

/** The same counts per local month (`YYYY-MM`): a year's top list reads 12 rows per key, not 365. */
export interface StatsTopMonthlyTable {
  org_id: string;
  month: string;
  dimension: string;
  key: string;
  count: number;
}

export interface StatsRuleNumbersTable {
  org_id: string;
  rule_id: string;
  number: string;
}

export interface InvitesTable {
  id: string;
  org_id: string;
  code_hash: string;
  name: string;
  role: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  redeemed_at: string | null;
  user_id: string | null;
}

/** The org's own recording of an announcement (SPEC §12.5), as the apps play it. */
export interface AnnouncementsTable {
  org_id: string;
  /** `inbound` or `outbound`. */
  kind: string;
  /** A hash of the audio: the apps download each version once. */
  version: string;
  duration_ms: number;
  /** 16 kHz mono 16-bit PCM WAV (SQLite blob, PostgreSQL bytea). */
  audio: Uint8Array;
  updated_at: string;
  updated_by: string | null;
}

export interface DB {
  orgs: OrgsTable;
  users: UsersTable;
  tokens: TokensTable;
  lines: LinesTable;
  rules: RulesTable;
  changes: ChangesTable;
  call_reports: CallReportsTable;
  call_attempts: CallAttemptsTable;
  audit: AuditTable;
  rule_reviews: RuleReviewsTable;
  call_daily_counts: CallDailyCountsTable;
  stats_blocked_hourly: StatsBlockedHourlyTable;
  stats_top_daily: StatsTopDailyTable;
  stats_top_monthly: StatsTopMonthlyTable;
  stats_rule_numbers: StatsRuleNumbersTable;
  invites: InvitesTable;
  block_requests: BlockRequestsTable;
  announcements: AnnouncementsTable;
  call_wrap_ups: CallWrapUpsTable;
}
