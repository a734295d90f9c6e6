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
  /** The verdict the first report of the attempt gave. */
  action: string | null;
  why: string | null;
  rule_id: string | null;
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
}
