import { canManage } from '../stores/session';
import { writesBlockedReason } from '../stores/sync';
import { useSession, useSync } from './stores';

export interface WriteAccess {
  /** Whether writes may be attempted now. */
  allowed: boolean;
  /** Why not, in words for people; null when allowed. */
  reason: string | null;
  /** The user may manage at all (online or not). */
  manager: boolean;
}

/**
 * Whether this user may change rules and settings right now (SPEC §6.1 and §5.5): managers only,
 * and only while the server can be reached.
 */
export function useWriteAccess(): WriteAccess {
  const session = useSession((state) => state.session);
  const syncState = useSync((state) => state.state);
  const manager = canManage(session);
  if (!manager) {
    const whoCan =
      'Only admins and team leads can change the blocklist and its settings (your org’s “who can manage” setting).';
    return { allowed: false, reason: `Read-only: ${whoCan}`, manager };
  }
  const offline = writesBlockedReason(syncState);
  return { allowed: offline === null, reason: offline, manager };
}
