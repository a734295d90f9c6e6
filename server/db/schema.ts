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
}

export interface UsersTable {
  id: string;
  org_id: string;
  name: string;
  role: string;
  created_at: string;
}

export interface TokensTable {
  /** sha256 of the bearer token, hex: the token itself is never stored. */
  hash: string;
  user_id: string;
  created_at: string;
  revoked_at: string | null;
}

export interface LinesTable {
  org_id: string;
  number: string;
  label: string;
  announcement_mode: string;
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
  /** From migration 0004: null on reports stored before it. */
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
  /** From migration 0004: null on attempts stored before it. */
  action: string | null;
  why: string | null;
  rule_id: string | null;
  verstat: string | null;
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
  /** The number (or prefix) the entry is about, if any (migration 0004). */
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
  stats_blocked_hourly: StatsBlockedHourlyTable;
  stats_top_daily: StatsTopDailyTable;
  stats_top_monthly: StatsTopMonthlyTable;
  stats_rule_numbers: StatsRuleNumbersTable;
  invites: InvitesTable;
}
