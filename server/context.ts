/** What every plugin and route of the server reaches through `app.blockline` and `request.user`. */
import type { FastifyContextConfig } from 'fastify';
import type { ChangeHub } from './hub';
import type { AuthenticatedUser, Repository } from './repository';
import type { SseStream } from './sse';

export interface BlocklineContext {
  store: Repository;
  hub: ChangeHub;
  sweepExpired: () => Promise<number>;
  /** Open SSE streams on this instance. */
  streams: Set<SseStream>;
  /** Route config for writes: the per-token write limit, or nothing when limits are off. */
  writeLimit: FastifyContextConfig;
  heartbeatMs: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    blockline: BlocklineContext;
  }
  interface FastifyRequest {
    user: AuthenticatedUser | null;
  }
  interface FastifyContextConfig {
    /** Routes open without a token (health, OpenAPI). */
    public?: boolean;
  }
}
