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
}

export const backgroundJobsPlugin = fp<BackgroundJobOptions>(
  async (app, options) => {
    const { store, hub, streams } = app.blockline;
    const closeStreams = async () => {
      for (const stream of [...streams]) stream.close();
    };
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
    app.addHook('onClose', async () => {
      if (sweepTimer !== null) clearInterval(sweepTimer);
      if (externalPollTimer !== null) clearInterval(externalPollTimer);
      if (stopListening !== null) await stopListening();
    });
  },
  { name: 'blockline-background-jobs' },
);
