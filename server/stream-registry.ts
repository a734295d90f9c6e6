/**
 * The open event streams of this instance, capped per token and per server (SPEC §11.1): an agent runs
 * one app, so a token past its few streams loses its own oldest one; a full server refuses new streams
 * with 429 rather than run out of file descriptors and fail everyone's requests.
 */
import type { SseStream } from './sse';
import { heartbeatFrame, SharedFrames } from './sse-frames';

export interface StreamLimits {
  perToken: number;
  perServer: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perToken: 8, perServer: 10_000 };

/**
 * Heartbeats come from one timer for all streams, not one per stream: it ticks HEARTBEAT_SLOTS times a
 * period and each tick beats the streams of one slot, so 10,000 streams get theirs spread over the
 * period rather than in one burst that would hold back a change.
 */
const HEARTBEAT_SLOTS = 5;

export class StreamRegistry {
  private readonly all = new Set<SseStream>();
  /** Each token's streams, oldest first. */
  private readonly byToken = new Map<string, SseStream[]>();
  /** Streams added since the last `takeFresh`. */
  private fresh = new Set<SseStream>();
  private readonly slots = Array.from({ length: HEARTBEAT_SLOTS }, () => new Set<SseStream>());
  private nextSlot = 0;
  private tick = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly limits: StreamLimits,
    private readonly heartbeatMs = 15_000,
  ) {}

  get size(): number {
    return this.all.size;
  }

  /**
   * Makes room for one more stream of `tokenId`: closes that token's oldest streams beyond its cap.
   * False when the server is full even so (the caller refuses the stream).
   */
  makeRoom(tokenId: string): boolean {
    const own = this.byToken.get(tokenId) ?? [];
    while (own.length >= this.limits.perToken) {
      const oldest = own[0];
      if (oldest === undefined) break;
      oldest.close();
      this.remove(oldest);
    }
    return this.all.size < this.limits.perServer;
  }

  add(stream: SseStream): void {
    this.all.add(stream);
    this.fresh.add(stream);
    this.slots[this.nextSlot]?.add(stream);
    this.nextSlot = (this.nextSlot + 1) % HEARTBEAT_SLOTS;
    this.startHeartbeats();
    const own = this.byToken.get(stream.tokenId);
    if (own === undefined) this.byToken.set(stream.tokenId, [stream]);
    else own.push(stream);
  }

  /** Called by the stream as it closes. */
  remove(stream: SseStream): void {
    this.all.delete(stream);
    this.fresh.delete(stream);
    for (const slot of this.slots) slot.delete(stream);
    if (this.all.size === 0) this.stopHeartbeats();
    const own = this.byToken.get(stream.tokenId) ?? [];
    const index = own.indexOf(stream);
    if (index !== -1) own.splice(index, 1);
    if (own.length === 0) this.byToken.delete(stream.tokenId);
  }

  /** The streams added since the last call that are still open. */
  takeFresh(): SseStream[] {
    const fresh = [...this.fresh];
    this.fresh = new Set();
    return fresh;
  }

  /** The orgs that have streams here. */
  orgIds(): string[] {
    return [...new Set([...this.all].map((stream) => stream.orgId))];
  }

  /** The token ids of an org's streams. */
  tokenIdsOf(orgId: string): string[] {
    return [...new Set([...this.all].filter((s) => s.orgId === orgId).map((s) => s.tokenId))];
  }

  /** Closes every stream of these tokens. */
  closeTokens(tokenIds: ReadonlySet<string>): number {
    let closed = 0;
    for (const tokenId of tokenIds) {
      for (const stream of [...(this.byToken.get(tokenId) ?? [])]) {
        stream.close();
        closed += 1;
      }
    }
    return closed;
  }

  closeAll(): void {
    for (const stream of [...this.all]) stream.close();
    this.stopHeartbeats();
  }

  private startHeartbeats(): void {
    if (this.heartbeatTimer !== null) return;
    this.heartbeatTimer = setInterval(() => this.beat(), this.heartbeatMs / HEARTBEAT_SLOTS);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private beat(): void {
    const slot = this.slots[this.tick % HEARTBEAT_SLOTS];
    this.tick += 1;
    // Streams that are caught up share their revision, so they share the frame too.
    const frames = new Map<number, SharedFrames>();
    const frameFor = (revision: number): SharedFrames => {
      let shared = frames.get(revision);
      if (shared === undefined) {
        shared = new SharedFrames(heartbeatFrame(revision));
        frames.set(revision, shared);
      }
      return shared;
    };
    for (const stream of slot ?? []) stream.heartbeat(frameFor);
  }
}
