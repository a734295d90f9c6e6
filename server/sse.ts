/**
 * One Server-Sent Events stream (GET /v1/events): `id: <revision>`, `event: change`, `data: <Change>`.
 * Starts after the client's revision, then follows the hub, filling any gap from the log so the client
 * sees every revision once and in order.
 */
import type { Change } from '../shared/contracts/api';
import type { ChangeHub } from './hub';
import type { Repository } from './repository';
import { batchesOf, ChangeBatch, SharedFrames } from './sse-frames';

/** Where a stream's bytes go (the HTTP response in the server: sse-http.ts). */
export interface SseOutput {
  /** Writes frames that may be shared with every other stream, as they are. */
  write(frames: SharedFrames): void;
  /** Bytes written but not yet taken by the client's connection. */
  readonly bufferedBytes: number;
  end(): void;
  onClose(listener: () => void): void;
}

/** A client this far behind in unsent bytes is cut off; it resumes by Last-Event-ID. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class SseStream {
  private lastSent: number;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  /** True while the chain has work (the backlog, a gap): live changes then queue behind it. */
  private catchingUp = true;
  private pending = 0;

  readonly orgId: string;
  /** The token the stream was opened with: streams are capped, and closed on revocation, per token. */
  readonly tokenId: string;

  constructor(
    private readonly output: SseOutput,
    private readonly store: Repository,
    owner: { orgId: string; tokenId: string },
    since: number,
    private readonly onClose: (stream: SseStream) => void,
  ) {
    this.orgId = owner.orgId;
    this.tokenId = owner.tokenId;
    this.lastSent = since;
  }

  start(hub: Pick<ChangeHub, 'subscribe'>): void {
    this.output.write(new SharedFrames(`retry: 2000\n: revision ${this.lastSent}\n\n`));
    // Subscribing before reading the backlog: a change committed in between is queued, not lost.
    this.enqueue(() => this.sendFromLog());
    this.unsubscribe = hub.subscribe(this.orgId, (batch) => this.deliver(batch));
    this.output.onClose(() => this.close());
  }

  /** Keeps the connection (and the proxies on the way) from timing out; `frames` are shared per revision. */
  heartbeat(frames: (revision: number) => SharedFrames): void {
    if (!this.closed) this.output.write(frames(this.lastSent));
  }

  private deliver(batch: ChangeBatch): void {
    // In order and caught up (the usual case): the shared bytes go out at once, no promise per client.
    if (!this.closed && !this.catchingUp && batch.first === this.lastSent + 1) {
      this.sendBatch(batch);
      return;
    }
    this.enqueue(async () => {
      if (this.closed || batch.last <= this.lastSent) return;
      if (batch.first > this.lastSent + 1) await this.sendFromLog(batch.first - 1);
      const rest = batch.changes.filter((change) => change.revision > this.lastSent);
      if (rest[0]?.revision === this.lastSent + 1)
        this.sendBatch(rest.length === batch.changes.length ? batch : new ChangeBatch(rest));
      // The log no longer holds the gap: the client reconnects, gets 410 and takes a snapshot.
      else if (rest.length > 0) this.close();
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
      const inOrder: Change[] = [];
      for (const change of changes)
        if (change.revision === this.lastSent + inOrder.length + 1) inOrder.push(change);
      for (const batch of batchesOf(inOrder)) this.sendBatch(batch);
    } catch {
      this.close();
    }
  }

  private sendBatch(batch: ChangeBatch): void {
    if (this.closed) return;
    this.output.write(batch.frames);
    this.lastSent = batch.last;
    if (this.output.bufferedBytes > MAX_BUFFERED_BYTES) this.close();
  }

  /** Ends the stream (client gone, too slow, revoked, or the server shutting down). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.output.end();
    this.onClose(this);
  }
}
