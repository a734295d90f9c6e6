/**
 * Fans committed changes out to this instance's SSE clients. A notification carries only the org and
 * its new revision (from this instance after commit, or from PostgreSQL LISTEN for writes made through
 * any instance); the hub reads the changes from the log once per org and hands them to every listener.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Repository } from './repository';
import { batchesOf, type ChangeBatch } from './sse-frames';

/**
 * A listener gets consecutive changes with their SSE frames, serialized once for every client of the
 * instance: 10,000 streams write the same bytes instead of stringifying each change 10,000 times.
 */
export type ChangeListener = (batch: ChangeBatch) => void;

interface OrgFeed {
  listeners: Set<ChangeListener>;
  /** The last revision handed to listeners, or null before the first notification. */
  delivered: number | null;
  target: number;
  pumping: boolean;
}

export class ChangeHub {
  private readonly feeds = new Map<string, OrgFeed>();

  constructor(
    private readonly store: Repository,
    private readonly log: FastifyBaseLogger,
  ) {}

  subscribe(orgId: string, listener: ChangeListener): () => void {
    let feed = this.feeds.get(orgId);
    if (feed === undefined) {
      feed = { listeners: new Set(), delivered: null, target: 0, pumping: false };
      this.feeds.set(orgId, feed);
    }
    feed.listeners.add(listener);
    return () => {
      const current = this.feeds.get(orgId);
      if (current === undefined) return;
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && !current.pumping) this.feeds.delete(orgId);
    };
  }

  get listenerCount(): number {
    let count = 0;
    for (const feed of this.feeds.values()) count += feed.listeners.size;
    return count;
  }

  /** `orgId:revision` as sent over PostgreSQL NOTIFY. */
  notifyFromPayload(payload: string): void {
    const separator = payload.lastIndexOf(':');
    const revision = Number(payload.slice(separator + 1));
    if (separator <= 0 || !Number.isInteger(revision)) return;
    this.notify(payload.slice(0, separator), revision);
  }

  notify(orgId: string, revision: number): void {
    const feed = this.feeds.get(orgId);
    if (feed === undefined || feed.listeners.size === 0) return;
    if (feed.delivered !== null && revision <= feed.delivered) return;
    feed.target = Math.max(feed.target, revision);
    // Listeners see every revision in order; a listener that joined later fills its own gap.
    if (feed.delivered === null) feed.delivered = revision - 1;
    if (!feed.pumping) void this.pump(orgId, feed);
  }

  /**
   * Catches every followed org up with the database: after a lost LISTEN connection, and on SQLite
   * periodically, for writes another process (the admin CLI) made to the same file.
   */
  async refreshAll(): Promise<void> {
    for (const orgId of this.feeds.keys()) {
      const org = await this.store.getOrg(orgId);
      if (org !== null) this.notify(orgId, org.revision);
    }
  }

  private async pump(orgId: string, feed: OrgFeed): Promise<void> {
    feed.pumping = true;
    try {
      while (feed.delivered !== null && feed.delivered < feed.target && feed.listeners.size > 0) {
        const from = feed.delivered;
        const changes = await this.store.changesBetween(orgId, from, feed.target);
        if (changes.length === 0) {
          // Pruned or not yet visible: listeners fill gaps themselves from the next change on.
          feed.delivered = feed.target;
          break;
        }
        for (const batch of batchesOf(changes)) {
          for (const listener of feed.listeners) listener(batch);
          feed.delivered = batch.last;
        }
      }
    } catch (error) {
      this.log.error({ err: error, orgId }, 'could not read changes for push');
    } finally {
      feed.pumping = false;
      if (feed.listeners.size === 0) this.feeds.delete(orgId);
    }
  }
}
