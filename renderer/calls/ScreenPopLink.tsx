import { useCompanion } from '../app/stores';

/** The call's CRM page (SPEC §10.11), as a link the agent can open again at any time. */
export function ScreenPopLink({ callId, ringing = false }: { callId: string; ringing?: boolean }) {
  const url = useCompanion((state) => state.popUrls[callId]);
  const hostOpens = useCompanion((state) => state.hostOpens);
  if (url === undefined) return null;
  return (
    <p className="bl-screen-pop">
      <a href={url} target="_blank" rel="noopener noreferrer" data-testid="screen-pop-link">
        Open in CRM
      </a>
      {ringing && hostOpens === false && <span className="bl-muted"> · opens when you answer</span>}
    </p>
  );
}
