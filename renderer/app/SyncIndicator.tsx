import { describeSync } from '../stores/sync';
import { useNow } from './hooks';
import { useSync } from './stores';

/** SPEC §5.4: synced (with time), syncing, offline (with the age and size of the local list). */
export function SyncIndicator() {
  const state = useSync((store) => store.state);
  const now = useNow(15_000);
  return (
    <span
      className={`bl-sync bl-sync--${state.status}`}
      role="status"
      data-testid="sync-status"
      data-status={state.status}
    >
      <span className="bl-sync__dot" aria-hidden="true" />
      {describeSync(state, now)}
    </span>
  );
}
