/**
 * One Server-Sent Events stream (GET /v1/events): `id: <revision>`, `event: change`, `data: <Change>`.
 * Starts after the client's revision, then follows the hub, filling any gap from the log so the client
 * sees every revision once and in order.
 */
import { SSE_EVENT_HEARTBEAT, type Change } from '../shared/contracts/api';
import { changeFrame } from './hub';
import type { ChangeHub } from './hub';
import type { Repository } from './repository';

/** What the stream needs of an HTTP response (a ServerResponse in the server). */
export interface SseResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(): unknown;
  on(event: 'close', listener: () => void): unknown;
  readonly writableLength: number;
  readonly writableEnded: boolean;
}

/** A client this far behind in unsent bytes is cut off; it resumes by Last-Event-ID. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class SseStream {
  private lastSent: number;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;
  /** True while the chain has work (the backlog, a gap): live changes then queue behind it. */
  private catchingUp = true;
  private pending = 0;

  readonly orgId: string;
  /** The token the stream was opened with: streams are capped, and closed on revocation, per token. */
  readonly tokenId: string;

  constructor(
    private readonly response: SseResponse,
    private readonly store: Repository,
    owner: { orgId: string; tokenId: string },
    since: number,
    private readonly onClose: (stream: SseStream) => void,
  ) {
    this.orgId = owner.orgId;
    this.tokenId = owner.tokenId;
    this.lastSent = since;
  }

  start(hub: Pick<ChangeHub, 'subscribe'>, heartbeatMs: number): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.response.write(`retry: 2000\n: revision ${this.lastSent}\n\n`);
    // Subscribing before reading the backlog: a change committed in between is queued, not lost.
    this.enqueue(() => this.sendFromLog());
    this.unsubscribe = hub.subscribe(this.orgId, (change, frame) => this.deliver(change, frame));
    this.heartbeat = setInterval(() => {
      this.response.write(`event: ${SSE_EVENT_HEARTBEAT}\ndata: {"revision":${this.lastSent}}\n\n`);
    }, heartbeatMs);
    this.heartbeat.unref();
    this.response.on('close', () => this.close());
  }

  private deliver(change: Change, frame: string): void {
    // In order and caught up (the usual case): the shared frame goes out at once, no promise per client.
    if (!this.closed && !this.catchingUp && change.revision === this.lastSent + 1) {
      this.sendFrame(change.revision, frame);
      return;
    }
    this.enqueue(async () => {
      if (this.closed || change.revision <= this.lastSent) return;
      if (change.revision > this.lastSent + 1) await this.sendFromLog(change.revision - 1);
      if (change.revision === this.lastSent + 1) this.sendFrame(change.revision, frame);
      // The log no longer holds the gap: the client reconnects, gets 410 and takes a snapshot.
      else this.close();
    });
  }

  /** Runs `work` after what is queued; live changes queue behind it until the queue is empty. */
  private enqueue(work: () => Promise<void>): void {
    this.catchingUp = true;
    this.pending += 1;
    this.chain = this.chain.then(work).finally(() => {
      this.pending -= 1;
      if (this.pending === 0) this.catchingUp = false;
    });
  }

  private async sendFromLog(to?: number): Promise<void> {
    try {
      const changes = await this.store.changesBetween(this.orgId, this.lastSent, to);
      for (const change of changes) if (change.revision === this.lastSent + 1) this.send(change);
    } catch {
      this.close();
    }
  }

  private send(change: Change): void {
    this.sendFrame(change.revision, changeFrame(change));
  }

  private sendFrame(revision: number, frame: string): void {
    if (this.closed) return;
    this.response.write(frame);
    this.lastSent = revision;
    if (this.response.writableLength > MAX_BUFFERED_BYTES) this.close();
  }

  /** Ends the stream (client gone, too slow, or the server shutting down). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.unsubscribe?.();
    if (!this.response.writableEnded) this.response.end();
    this.onClose(this);
  }
}
