/**
 * What runs between requests: the expiry sweep, following writes made by other processes (PostgreSQL:
 * LISTEN/NOTIFY; SQLite: a once-a-second revision poll for the admin CLI's writes), and ending the SSE
 * streams at shutdown so the HTTP server can close once in-flight requests finish.
 */
import fp from 'fastify-plugin';
import type { Database } from '../db/database';
import { sweepExpiredRules } from '../rules-service';

export interface BackgroundJobOptions {
  db: Database;
  /** How often expired rules are removed; `false` turns the timer off (call `sweepExpired`). */
  sweepIntervalMs: number | false;
  /** SQLite only: how often to look for changes another process wrote to the file. */
  externalWritePollMs: number | false;
  /**
   * How often to read the access revision of the orgs with open streams (both databases): a revoked
   * token's or disabled user's streams close within this time, whichever process made the change.
   */
  accessPollMs: number | false;
  /** How often to roll call reports up into daily counts and prune old raw ones. */
  retentionIntervalMs: number | false;
}

export const backgroundJobsPlugin = fp<BackgroundJobOptions>(
  async (app, options) => {
    const { store, hub, streams } = app.blockline;
    const closeStreams = async () => streams.closeAll();
    app.addHook('onClose', closeStreams);
    app.addHook('preClose', closeStreams);

    let stopListening: (() => Promise<void>) | null = null;
    if (options.db.listen !== undefined) {
      stopListening = await options.db.listen(
        (payload) => hub.notifyFromPayload(payload),
        () => void hub.refreshAll(),
      );
    }
    let externalPollTimer: NodeJS.Timeout | null = null;
    if (options.db.listen === undefined && options.externalWritePollMs !== false) {
      // One revision read per org that has clients; the hub pushes whatever is newer than it delivered.
      let polling = false;
      externalPollTimer = setInterval(() => {
        if (polling || hub.listenerCount === 0) return;
        polling = true;
        hub
          .refreshAll()
          .catch((error: unknown) => app.log.error({ err: error }, 'could not look for external writes'))
          .finally(() => {
            polling = false;
          });
      }, options.externalWritePollMs);
      externalPollTimer.unref();
    }
    let sweepTimer: NodeJS.Timeout | null = null;
    if (options.sweepIntervalMs !== false) {
      sweepTimer = setInterval(() => {
        sweepExpiredRules(store).catch((error: unknown) =>
          app.log.error({ err: error }, 'expiry sweep failed'),
        );
      }, options.sweepIntervalMs);
      sweepTimer.unref();
    }
    let retentionTimer: NodeJS.Timeout | null = null;
    if (options.retentionIntervalMs !== false) {
      retentionTimer = setInterval(() => {
        app.blockline
          .pruneReports()
          .catch((error: unknown) => app.log.error({ err: error }, 'report roll-up failed'));
      }, options.retentionIntervalMs);
      retentionTimer.unref();
    }
    let accessTimer: NodeJS.Timeout | null = null;
    if (options.accessPollMs !== false) {
      const seen = new Map<string, number>();
      let checking = false;
      const check = async () => {
        // Streams opened since the last check are checked once whatever the revision says: their token
        // may have been revoked between their sign-in and their first sight here.
        const suspect = new Set(streams.takeFresh().map((stream) => stream.tokenId));
        const orgIds = streams.orgIds();
        const revisions = await store.accessRevisions(orgIds);
        for (const [orgId, revision] of revisions) {
          const known = seen.get(orgId);
          seen.set(orgId, revision);
          if (known !== undefined && known !== revision)
            for (const tokenId of streams.tokenIdsOf(orgId)) suspect.add(tokenId);
        }
        for (const orgId of seen.keys()) if (!revisions.has(orgId)) seen.delete(orgId);
        if (suspect.size === 0) return;
        const valid = await store.validTokenIds([...suspect]);
        const ended = new Set([...suspect].filter((id) => !valid.has(id)));
        const closed = streams.closeTokens(ended);
        if (closed > 0) app.log.info({ tokens: ended.size, streams: closed }, 'closed revoked streams');
      };
      accessTimer = setInterval(() => {
        if (checking) return;
        checking = true;
        check()
          .catch((error: unknown) => app.log.error({ err: error }, 'could not check for revoked tokens'))
          .finally(() => {
            checking = false;
          });
      }, options.accessPollMs);
      accessTimer.unref();
    }
    app.addHook('onClose', async () => {
      if (accessTimer !== null) clearInterval(accessTimer);
      if (retentionTimer !== null) clearInterval(retentionTimer);
      if (sweepTimer !== null) clearInterval(sweepTimer);
      if (externalPollTimer !== null) clearInterval(externalPollTimer);
      if (stopListening !== null) await stopListening();
    });
  },
  { name: 'blockline-background-jobs' },
);
