import { PostgresAdapter, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { newId } from '../ids';
import { oversightUp } from './migration-oversight';

/**
 * Versioned migrations, kept in code so the server needs no migration files on disk. Never edit a
 * migration that has shipped: add a new one.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    // Kysely<any> is how Kysely types migrations: they run against the schema as it was, not as it is now.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('orgs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('log_floor', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_org').on('users').column('org_id').execute();

      await db.schema
        .createTable('tokens')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('lines')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('announcement_mode', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('lines_pk', ['org_id', 'number'])
        .execute();

      await db.schema
        .createTable('rules')
        // Rule ids are unique within their org (see OrgWrite.newRuleId); every query is org-scoped.
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('hit_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_hit_at', 'text')
        // SPEC §2.2: the database itself refuses a second rule for one number, scope and kind.
        .addPrimaryKeyConstraint('rules_pk', ['org_id', 'id'])
        .addUniqueConstraint('rules_unique_number', ['org_id', 'number', 'scope', 'kind'])
        .execute();
      await db.schema
        .createIndex('rules_org_created')
        .on('rules')
        .columns(['org_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('rules_org_hits')
        .on('rules')
        .columns(['org_id', 'hit_count', 'id'])
        .execute();
      await db.schema.createIndex('rules_expiry').on('rules').column('expires_at').execute();

      await db.schema
        .createTable('changes')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('changes_pk', ['org_id', 'revision'])
        .execute();

      await db.schema
        .createTable('call_reports')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('call_reports_pk', ['org_id', 'id'])
        .execute();

      await db.schema
        .createTable('call_attempts')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('number', 'text')
        .addColumn('anonymous', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('call_attempts_pk', ['org_id', 'call_id'])
        .execute();
      await db.schema
        .createIndex('call_attempts_number')
        .on('call_attempts')
        .columns(['org_id', 'number', 'at'])
        .execute();

      await db.schema
        .createTable('audit')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_name', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .execute();
      await db.schema.createIndex('audit_org_at').on('audit').columns(['org_id', 'at', 'id']).execute();
    },
  },
  '0002_token_ids_user_disabled': {
    // Tokens get an id (revoked and listed by it: the secret is shown once), when they were last used and
    // on which device; users can be disabled; each org counts changes to who may sign in, so every
    // instance closes the streams of a revoked token or disabled user (SPEC §11.3, §12.4).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('tokens').addColumn('id', 'text').execute();
      await db.schema.alterTable('tokens').addColumn('last_used_at', 'text').execute();
      await db.schema.alterTable('tokens').addColumn('device_name', 'text').execute();
      const existing = (await db.selectFrom('tokens').select('hash').execute()) as Array<{ hash: string }>;
      for (const { hash } of existing) {
        await db.updateTable('tokens').set({ id: newId() }).where('hash', '=', hash).execute();
      }
      await db.schema.createIndex('tokens_id').on('tokens').column('id').unique().execute();
      await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();
      await db.schema
        .alterTable('users')
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('orgs')
        .addColumn('access_revision', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0003_attempts_by_caller_reviews': {
    // An attempt is the caller, the line and an arrival within seconds, whoever reports it (SPEC §4.2):
    // attempts remember their line, reports the attempt they were counted under. An auto-block that rests
    // on one user's reports is temporary and waits for a lead's review (§11.4).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('call_attempts').addColumn('line', 'text').execute();
      await db.schema.alterTable('call_reports').addColumn('attempt_id', 'text').execute();
      await db.schema
        .createIndex('call_reports_attempt')
        .on('call_reports')
        .columns(['org_id', 'attempt_id'])
        .execute();
      await db.schema
        .createTable('rule_reviews')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('reporter_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rule_reviews_pk', ['org_id', 'rule_id'])
        .execute();
    },
  },
  '0004_report_rollups': {
    // Raw reports and attempts are kept for a period (90 days by default) after each day is rolled up
    // into daily counts, which are kept (SPEC §12.2's charts read them); attempts keep what they were.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('call_attempts').addColumn('action', 'text').execute();
      await db.schema.alterTable('call_attempts').addColumn('why', 'text').execute();
      await db.schema.alterTable('call_attempts').addColumn('rule_id', 'text').execute();
      await db.schema
        .alterTable('call_attempts')
        .addColumn('rolled_up', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('call_attempts_rollup')
        .on('call_attempts')
        .columns(['rolled_up', 'at'])
        .execute();
      await db.schema.createIndex('call_reports_received').on('call_reports').column('received_at').execute();
      await db.schema
        .createTable('call_daily_counts')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('why', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('call_daily_counts_pk', [
          'org_id',
          'day',
          'direction',
          'action',
          'why',
          'number',
          'line',
        ])
        .execute();
    },
  },
  '0005_oversight': {
    // Kysely<any>: the migration runs against the schema as it was then.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await oversightUp(db);
    },
  },
  '0006_block_requests': {
    // "Ask a lead to block" (SPEC §7.1b): an agent's request waits here until a lead approves (the rule
    // is made) or dismisses it; resolved requests stay, so the inbox can say who decided.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('block_requests')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requester_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('resolved_by', 'text')
        .addColumn('resolver_name', 'text')
        .addColumn('resolved_at', 'text')
        .addColumn('rule_id', 'text')
        .addPrimaryKeyConstraint('block_requests_pk', ['org_id', 'id'])
        .execute();
      await db.schema
        .createIndex('block_requests_open')
        .on('block_requests')
        .columns(['org_id', 'status', 'number'])
        .execute();
    },
  },
  '0007_org_announcements': {
    // The org's own recordings of the two announcements (SPEC §12.5), a row per org and kind while the
    // org uses its own; the audio is kept as the apps play it, in a binary column of each dialect.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      const binary = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
      await db.schema
        .createTable('announcements')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('audio', binary, (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text')
        .addPrimaryKeyConstraint('announcements_pk', ['org_id', 'kind'])
        .execute();
    },
  },
  '0008_call_wrap_ups': {
    // SPEC §10.11: the wrap-up of an answered call (disposition and note), sent on its own after the
    // call's report; kept as long as the reports are (report-retention.ts prunes both).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('call_wrap_ups')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('disposition', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('updated_by_id', 'text', (c) => c.notNull())
        .addColumn('updated_by_name', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('call_wrap_ups_pk', ['org_id', 'report_id'])
        .execute();
      await db.schema.createIndex('call_wrap_ups_updated').on('call_wrap_ups').column('updated_at').execute();
    },
  },
  '0009_line_pbx_auto_answer': {
    // Auto-answer when the PBX asks, per line (SPEC §10.4): off on every line until an admin turns it on.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('lines')
        .addColumn('pbx_auto_answer', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
