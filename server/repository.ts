/**
 * The org server's data layer: every read is scoped to one org, every write runs in one transaction
 * that serializes writers per org, advances the org's revision once per change and appends the change
 * to the log, so clients can follow the list by revision (SPEC §5).
 *
 * Longer than our usual ~450 lines on purpose: it is one class, and keeping every write path beside the
 * one transaction and row mapping they share is what makes "does this write advance the revision and log
 * a change?" answerable by reading one file. Queries that only read (stats, audit, people) live in their
 * own services.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Change, Line, Role } from '../shared/contracts/api';
import { isSupportedCountryCode, type CountryCode } from '../shared/numbers';
import type { Rule, RuleKind, RuleScope, RuleSource } from '../shared/rules';
import type { FastifyBaseLogger } from 'fastify';
import type { OrgSettings } from '../shared/settings';
import { CHANGE_CHANNEL, type Database } from './db/database';
import type { DB, RulesTable } from './db/schema';
import { auditNumberOf } from './audit-number';
import { orderedIds } from './ids';
import { migrateStoredSettings } from './stored-settings';

/** Without `revision` and `at`: the write transaction assigns both. */
export type ChangeBody = Change extends infer C
  ? C extends Change
    ? Omit<C, 'revision' | 'at'>
    : never
  : never;

export interface Actor {
  id: string;
  name: string;
}

export interface OrgRow {
  id: string;
  name: string;
  timeZone: string;
  revision: number;
  logFloor: number;
  settings: OrgSettings;
  /** The settings JSON as stored, fields this version does not know included (a save keeps them). */
  storedSettings: Record<string, unknown>;
}

export interface AuthenticatedUser {
  id: string;
  /** The token this request came with (its public id): limits and event streams are counted per token. */
  tokenId: string;
  name: string;
  role: Role;
  orgId: string;
  /** The org's settings when the request was authenticated (writes re-read them in their transaction). */
  orgSettings: OrgSettings;
}

export interface RepositoryOptions {
  now: () => number;
  /** How many changes per org the log keeps; a client further behind must take a snapshot. */
  changeRetention: number;
  /** Called after a write commits (this instance only), with the org's new revision. */
  onCommitted: (orgId: string, revision: number) => void;
  /** Where migrated stored settings are reported (absent: nowhere, for one-shot CLI work). */
  log?: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
}

export const DEFAULT_CHANGE_RETENTION = 10_000;

export function countryOf(settings: OrgSettings): CountryCode {
  return isSupportedCountryCode(settings.defaultCountry) ? settings.defaultCountry : 'US';
}

export function ruleFromRow(row: Selectable<RulesTable>): Rule {
  return {
    id: row.id,
    kind: row.kind as RuleKind,
    number: row.number,
    scope: row.scope as RuleScope,
    reason: row.reason,
    expiresAt: row.expires_at,
    source: row.source as RuleSource,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    hitCount: Number(row.hit_count),
    lastHitAt: row.last_hit_at,
  };
}

export function ruleToRow(orgId: string, rule: Rule): RulesTable {
  return {
    id: rule.id,
    org_id: orgId,
    kind: rule.kind,
    number: rule.number,
    scope: rule.scope,
    reason: rule.reason,
    expires_at: rule.expiresAt,
    source: rule.source,
    created_by: rule.createdBy,
    created_at: rule.createdAt,
    updated_at: rule.updatedAt,
    hit_count: rule.hitCount,
    last_hit_at: rule.lastHitAt,
  };
}

type OrgSelect = {
  id: string;
  name: string;
  time_zone: string;
  revision: number;
  log_floor: number;
  settings: string;
};

/** SQLite's and PostgreSQL's unique-violation errors. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

interface PendingAudit {
  actor: Actor | null;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

/** One org's write transaction: the place where changes get their revisions. */
export class OrgWrite {
  readonly changes: Change[] = [];
  readonly audits: PendingAudit[] = [];
  readonly nowIso: string;
  private ruleIdSequence = 0;

  constructor(
    readonly tx: Kysely<DB>,
    readonly org: OrgRow,
    readonly nowMs: number,
    private readonly database: Database,
  ) {
    this.nowIso = new Date(nowMs).toISOString();
  }

  /**
   * Inserts many rows of one table in this transaction: SQLite through one prepared statement, row by
   * row; PostgreSQL in multi-row statements that stay under its 65,535 parameters.
   */
  async insertRows<T extends keyof DB & string>(table: T, rows: readonly Insertable<DB[T]>[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.database.insertRows !== undefined) {
      this.database.insertRows(table, rows);
      return;
    }
    const perStatement = Math.max(1, Math.floor(60_000 / Object.keys(rows[0] ?? {}).length));
    for (let start = 0; start < rows.length; start += perStatement) {
      // Kysely cannot type an insert into a table chosen at run time; the rows are typed above.
      await this.tx
        .insertInto(table)
        .values(rows.slice(start, start + perStatement) as never)
        .execute();
    }
  }

  /**
   * A rule id unique within the org: the revision this write will start at, then a sequence number.
   * Short and increasing, so 100,000 ids in a snapshot compress to almost nothing, unlike random ids.
   */
  newRuleId(): string {
    const id = `${(this.org.revision + 1).toString(36)}.${this.ruleIdSequence.toString(36)}`;
    this.ruleIdSequence += 1;
    return id;
  }

  addChange(body: ChangeBody): Change {
    const change = {
      ...body,
      revision: this.org.revision + this.changes.length + 1,
      at: this.nowIso,
    } as Change;
    this.changes.push(change);
    return change;
  }

  audit(actor: Actor | null, action: string, target: string | null, before: unknown, after: unknown): void {
    this.audits.push({ actor, action, target, before, after });
  }
}

interface ParsedSettings {
  settings: OrgSettings;
  stored: Record<string, unknown>;
}

/** How precisely `lastUsedAt` is kept. */
const TOKEN_USE_RESOLUTION_MS = 60_000;

export class Repository {
  /** When this instance last recorded each token's use. */
  private readonly tokenUses = new Map<string, number>();
  /** Parsed settings by stored JSON and time zone: validating a time zone builds an Intl formatter, which is slow. */
  private readonly parsedSettings = new Map<string, ParsedSettings>();

  constructor(
    readonly database: Database,
    private readonly options: RepositoryOptions,
  ) {}

  /** Stored settings through the explicit migration (stored-settings.ts), reported once per stored text. */
  private parseSettings(orgId: string, json: string, timeZone: string): ParsedSettings {
    const key = `${timeZone}\n${json}`;
    let parsed = this.parsedSettings.get(key);
    if (parsed === undefined) {
      let raw: unknown = null;
      try {
        raw = JSON.parse(json);
      } catch {
        // Reported as invalid below; the stored text stays as it is.
      }
      const migration = migrateStoredSettings(raw, timeZone);
      const log = this.options.log;
      if (migration.added.length > 0)
        log?.info(
          { orgId, fields: migration.added },
          'stored settings migrated: new fields take their defaults',
        );
      if (migration.unknown.length > 0)
        log?.warn(
          { orgId, fields: migration.unknown },
          'stored settings have fields this version does not know: kept',
        );
      if (migration.invalid.length > 0)
        log?.error(
          { orgId, fields: migration.invalid },
          'stored settings have values the schema refuses: served as defaults, stored values kept',
        );
      parsed = { settings: migration.settings, stored: migration.stored };
      if (this.parsedSettings.size >= 1000) this.parsedSettings.clear();
      this.parsedSettings.set(key, parsed);
    }
    return structuredClone(parsed);
  }

  private orgFromRow(row: OrgSelect): OrgRow {
    const { settings, stored } = this.parseSettings(row.id, row.settings, row.time_zone);
    return {
      id: row.id,
      name: row.name,
      timeZone: row.time_zone,
      revision: Number(row.revision),
      logFloor: Number(row.log_floor),
      settings,
      storedSettings: stored,
    };
  }

  get db() {
    return this.database.kysely;
  }

  now(): number {
    return this.options.now();
  }

  /**
   * Runs `work` in a transaction that holds the org's write lock (PostgreSQL: the org row FOR UPDATE;
   * SQLite: the single connection serializes transactions), then records the changes and audit entries
   * it produced, advances the revision, and announces the new revision after commit.
   */
  async writeOrg<T>(orgId: string, work: (write: OrgWrite) => Promise<T>): Promise<T> {
    const pg = this.database.dialect === 'pg';
    let committedRevision: number | null = null;
    const result = await this.inWriteTransaction(async (tx) => {
      let query = tx
        .selectFrom('orgs')
        .select(['id', 'name', 'time_zone', 'revision', 'log_floor', 'settings'])
        .where('id', '=', orgId);
      if (pg) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      if (row === undefined) throw new Error(`org ${orgId} does not exist`);
      const write = new OrgWrite(tx, this.orgFromRow(row), this.options.now(), this.database);
      const value = await work(write);
      await this.finishWrite(write, pg);
      if (write.changes.length > 0) committedRevision = write.org.revision + write.changes.length;
      return value;
    });
    if (committedRevision !== null) this.options.onCommitted(orgId, committedRevision);
    return result;
  }

  /**
   * PostgreSQL: an ordinary transaction (the org row lock serializes writers). SQLite: BEGIN IMMEDIATE,
   * which takes the write lock up front, so another process writing the same file (the admin CLI)
   * makes this one wait (busy_timeout) instead of failing when a read would turn into a write.
   */
  private async inWriteTransaction<T>(work: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
    if (this.database.dialect === 'pg') return this.db.transaction().execute(work);
    return this.db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const value = await work(connection);
        await sql`commit`.execute(connection);
        return value;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
    });
  }

  private async finishWrite(write: OrgWrite, pg: boolean): Promise<void> {
    const { tx, org } = write;
    const auditId = orderedIds(write.nowMs);
    await write.insertRows(
      'audit',
      write.audits.map((entry) => ({
        id: auditId(),
        org_id: org.id,
        at: write.nowIso,
        actor_id: entry.actor?.id ?? null,
        actor_name: entry.actor?.name ?? null,
        action: entry.action,
        target: entry.target,
        number: auditNumberOf(entry.before, entry.after),
        before: entry.before === null || entry.before === undefined ? null : JSON.stringify(entry.before),
        after: entry.after === null || entry.after === undefined ? null : JSON.stringify(entry.after),
      })),
    );
    if (write.changes.length === 0) return;

    const revision = org.revision + write.changes.length;
    await write.insertRows(
      'changes',
      write.changes.map((change) => ({
        org_id: org.id,
        revision: change.revision,
        payload: JSON.stringify(change),
      })),
    );
    const retention = this.options.changeRetention;
    // Prune in steps rather than on every write: one delete per tenth of the retained window.
    const pruneStep = Math.max(1, Math.ceil(retention / 10));
    let logFloor = org.logFloor;
    if (revision - logFloor > retention + pruneStep) {
      logFloor = revision - retention;
      await tx.deleteFrom('changes').where('org_id', '=', org.id).where('revision', '<=', logFloor).execute();
    }
    const advance = tx.updateTable('orgs').set({ revision, log_floor: logFloor }).where('id', '=', org.id);
    if (pg) {
      // The NOTIFY rides on the same statement; it is delivered at commit to every instance listening.
      await advance
        .returning(sql<string>`pg_notify(${CHANGE_CHANNEL}, ${`${org.id}:${revision}`})`.as('notified'))
        .execute();
    } else {
      await advance.execute();
    }
  }

  async getOrg(orgId: string, executor = this.db): Promise<OrgRow | null> {
    const row = await executor
      .selectFrom('orgs')
      .select(['id', 'name', 'time_zone', 'revision', 'log_floor', 'settings'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    return row === undefined ? null : this.orgFromRow(row);
  }

  async authenticate(tokenHash: string): Promise<AuthenticatedUser | null> {
    const row = await this.db
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .innerJoin('orgs', 'orgs.id', 'users.org_id')
      .select([
        'tokens.id as token_id',
        'tokens.last_used_at as last_used_at',
        'users.id as id',
        'users.name as name',
        'users.role as role',
        'users.org_id as org_id',
        'orgs.settings as settings',
        'orgs.time_zone as time_zone',
      ])
      .where('tokens.hash', '=', tokenHash)
      .where('tokens.revoked_at', 'is', null)
      .where('users.disabled', '=', 0)
      .executeTakeFirst();
    if (row === undefined) return null;
    this.noteTokenUse(row.token_id, row.last_used_at);
    return {
      id: row.id,
      tokenId: row.token_id,
      name: row.name,
      role: row.role as Role,
      orgId: row.org_id,
      orgSettings: this.parseSettings(row.org_id, row.settings, row.time_zone).settings,
    };
  }

  /** Records when a token was last used, at most once a minute per token: not a write per request. */
  private noteTokenUse(tokenId: string, stored: string | null): void {
    const nowMs = this.options.now();
    const last = Math.max(this.tokenUses.get(tokenId) ?? 0, stored === null ? 0 : Date.parse(stored));
    if (nowMs - last < TOKEN_USE_RESOLUTION_MS) return;
    if (this.tokenUses.size >= 100_000) this.tokenUses.clear();
    this.tokenUses.set(tokenId, nowMs);
    this.db
      .updateTable('tokens')
      .set({ last_used_at: new Date(nowMs).toISOString() })
      .where('id', '=', tokenId)
      .execute()
      .catch((error: unknown) => this.options.log?.warn({ err: error, tokenId }, 'could not note token use'));
  }

  /** The org's access revision (advanced by every revocation or user disable), per org asked for. */
  async accessRevisions(orgIds: readonly string[]): Promise<Map<string, number>> {
    const revisions = new Map<string, number>();
    if (orgIds.length === 0) return revisions;
    const rows = await this.db
      .selectFrom('orgs')
      .select(['id', 'access_revision'])
      .where('id', 'in', [...orgIds])
      .execute();
    for (const row of rows) revisions.set(row.id, Number(row.access_revision));
    return revisions;
  }

  /** Of these token ids, the ones that still sign in (not revoked, user not disabled). */
  async validTokenIds(tokenIds: readonly string[]): Promise<Set<string>> {
    const valid = new Set<string>();
    for (let start = 0; start < tokenIds.length; start += 500) {
      const rows = await this.db
        .selectFrom('tokens')
        .innerJoin('users', 'users.id', 'tokens.user_id')
        .select('tokens.id as id')
        .where('tokens.id', 'in', tokenIds.slice(start, start + 500))
        .where('tokens.revoked_at', 'is', null)
        .where('users.disabled', '=', 0)
        .execute();
      for (const row of rows) valid.add(row.id);
    }
    return valid;
  }

  async listLines(orgId: string, executor = this.db): Promise<Line[]> {
    const rows = await executor
      .selectFrom('lines')
      .select(['number', 'label', 'announcement_mode', 'pbx_auto_answer'])
      .where('org_id', '=', orgId)
      .orderBy('number')
      .execute();
    return rows.map((row) => ({
      number: row.number,
      label: row.label,
      announcementMode: row.announcement_mode === 'answer' ? 'answer' : 'early-media',
      pbxAutoAnswer: Number(row.pbx_auto_answer) === 1,
    }));
  }

  async findRule(orgId: string, ruleId: string, executor = this.db): Promise<Rule | null> {
    const row = await executor
      .selectFrom('rules')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', ruleId)
      .executeTakeFirst();
    return row === undefined ? null : ruleFromRow(row);
  }

  async allRules(orgId: string, executor = this.db): Promise<Rule[]> {
    const rows = await executor.selectFrom('rules').selectAll().where('org_id', '=', orgId).execute();
    return rows.map(ruleFromRow);
  }

  /** Changes with from < revision ≤ to, in order. */
  async changesBetween(orgId: string, from: number, to?: number): Promise<Change[]> {
    let query = this.db
      .selectFrom('changes')
      .select('payload')
      .where('org_id', '=', orgId)
      .where('revision', '>', from);
    if (to !== undefined) query = query.where('revision', '<=', to);
    const rows = await query.orderBy('revision').execute();
    return rows.map((row) => JSON.parse(row.payload) as Change);
  }
}
