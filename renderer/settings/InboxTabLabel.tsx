import { useInbox } from '../app/stores';
import { inboxCount } from '../stores/inbox';

/** "Inbox" with the number of items waiting: a badge for the eye, words for screen readers. */
export function InboxTabLabel({ label = 'Inbox' }: { label?: string }) {
  const count = useInbox(inboxCount);
  return (
    <>
      {label}
      {count > 0 && (
        <>
          <span className="bl-count" data-testid="inbox-count" aria-hidden="true">
            {count}
          </span>
          {/* Named from its content, not an aria-label, so the visible label stays in the name. */}
          <span className="bl-visually-hidden">{`, ${count} waiting for a lead`}</span>
        </>
      )}
    </>
  );
}
