/** What every plugin and route of the server reaches through `app.blockline` and `request.user`. */
import type { FastifyContextConfig } from 'fastify';
import type { ChangeHub } from './hub';
import type { RetentionResult } from './report-retention';
import type { AuthenticatedUser, Repository } from './repository';
import type { StreamRegistry } from './stream-registry';

export interface BlocklineContext {
  store: Repository;
  hub: ChangeHub;
  sweepExpired: () => Promise<number>;
  /** Rolls finished days of call reports up into daily counts and prunes raw ones past retention. */
  pruneReports: () => Promise<RetentionResult>;
  /** Open SSE streams on this instance, capped per token and per server. */
  streams: StreamRegistry;
  /** Route config for writes, reads and call reports: their per-token limits, or nothing when off. */
  writeLimit: FastifyContextConfig;
  readLimit: FastifyContextConfig;
  reportLimit: FastifyContextConfig;
  /** Asking a lead to block (SPEC §7.1b): a small budget per token. */
  askLimit: FastifyContextConfig;
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
