import { useState, type FormEvent } from 'react';
import type { AutoBlockReview, Line } from '../../shared/contracts/api';
import type { BlockRequest } from '../../shared/contracts/block-requests';
import { describeRemaining, displayNumber, formatDateTime } from '../app/format';
import { useNow } from '../app/hooks';
import { useBlocklist, useInbox, useStores } from '../app/stores';
import { Button } from '../ui';
import { BlockFields } from './BlockFields';
import { errorText } from './errors';
import { useBlockForm } from './useBlockForm';

/**
 * What waits for a lead (SPEC §11.4, §7.1b): agents' requests to block a number (approve with a reason,
 * scope and expiry, or dismiss) and auto-blocks that rest on one user's reports (keep or drop).
 */
export function LeadInbox() {
  const reviews = useInbox((state) => state.reviews);
  const requests = useInbox((state) => state.requests);
  const error = useInbox((state) => state.error);
  const [said, setSaid] = useState<string | null>(null);
  return (
    <section className="bl-panel bl-inbox" aria-labelledby="inbox-heading">
      <h2 id="inbox-heading">Inbox</h2>
      {error && (
        <p className="bl-field__error" role="alert">
          {errorText(error)}
        </p>
      )}
      <p role="status" className="bl-inbox__said">
        {said}
      </p>
      <h3 id="inbox-requests">Agents asking to block</h3>
      {requests.length === 0 ? (
        <p className="bl-inbox__empty">No requests waiting.</p>
      ) : (
        <ul className="bl-inbox__list" aria-labelledby="inbox-requests">
          {requests.map((request) => (
            <RequestItem key={request.id} request={request} onDone={setSaid} />
          ))}
        </ul>
      )}
      <h3 id="inbox-reviews">Auto-blocks waiting for review</h3>
      {reviews.length === 0 ? (
        <p className="bl-inbox__empty">No auto-blocks waiting.</p>
      ) : (
        <ul className="bl-inbox__list" aria-labelledby="inbox-reviews">
          {reviews.map((review) => (
            <ReviewItem key={review.rule.id} review={review} onDone={setSaid} />
          ))}
        </ul>
      )}
    </section>
  );
}

function useCountry(): string {
  return useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
}

function RequestItem({ request, onDone }: { request: BlockRequest; onDone(message: string): void }) {
  const { inbox } = useStores();
  const country = useCountry();
  const lines = useBlocklist((state) => state.data?.lines ?? []);
  const [approving, setApproving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shown = displayNumber(request.number, country);
  const dismiss = async () => {
    setError(null);
    const result = await inbox.getState().resolveRequest(request.id, { decision: 'dismiss' });
    if (result.ok) onDone(`Dismissed the request to block ${shown}.`);
    else setError(errorText(result));
  };
  return (
    <li className="bl-inbox__item" data-testid="block-request">
      <div className="bl-inbox__what">
        <strong>{shown}</strong>
        <span className="bl-inbox__reason">{request.reason}</span>
        <span className="bl-inbox__meta">
          Asked by {request.requestedBy.name} · {formatDateTime(request.createdAt)}
        </span>
      </div>
      {!approving && (
        <div className="bl-toolbar" role="group" aria-label={`Decide on ${shown}`}>
          <Button variant="danger" onClick={() => setApproving(true)}>
            Block…
          </Button>
          <Button onClick={() => void dismiss()}>Dismiss</Button>
        </div>
      )}
      {approving && (
        <ApproveForm
          request={request}
          shown={shown}
          lines={lines}
          country={country}
          onCancel={() => setApproving(false)}
          onDone={onDone}
        />
      )}
      {error && (
        <p className="bl-field__error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

function ApproveForm({
  request,
  shown,
  lines,
  country,
  onCancel,
  onDone,
}: {
  request: BlockRequest;
  shown: string;
  lines: readonly Line[];
  country: string;
  onCancel(): void;
  onDone(message: string): void;
}) {
  const { inbox } = useStores();
  const form = useBlockForm(request.reason);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const sent = await form.submit((input) =>
      inbox.getState().resolveRequest(request.id, { decision: 'approve', ...input }),
    );
    if (sent !== null) onDone(`${shown} is blocked (${sent.value.rule?.reason ?? sent.input.reason}).`);
  };
  return (
    <form
      className="bl-form bl-inbox__approve"
      aria-label={`Block ${shown}`}
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <BlockFields
        {...form.fields}
        autoFocus
        scope={{
          label: 'Lines',
          value: form.scope,
          lines,
          country,
          onChange: form.setScope,
          beforeExpiry: true,
        }}
      />
      <div className="bl-toolbar">
        <Button type="submit" variant="danger" disabled={form.saving}>
          {form.saving ? 'Blocking…' : `Block ${shown}`}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

function ReviewItem({ review, onDone }: { review: AutoBlockReview; onDone(message: string): void }) {
  const { inbox } = useStores();
  const country = useCountry();
  const now = useNow(60_000);
  const [error, setError] = useState<string | null>(null);
  const shown = displayNumber(review.rule.number, country);
  const decide = async (decision: 'keep' | 'drop') => {
    setError(null);
    const result = await inbox.getState().decideReview(review.rule.id, decision);
    if (!result.ok) return setError(errorText(result));
    onDone(
      decision === 'keep'
        ? `${shown} stays blocked, now as an ordinary rule.`
        : `The auto-block of ${shown} is dropped.`,
    );
  };
  return (
    <li className="bl-inbox__item" data-testid="auto-block-review">
      <div className="bl-inbox__what">
        <strong>{shown}</strong>
        <span className="bl-inbox__reason">{review.rule.reason}</span>
        <span className="bl-inbox__meta">
          Reported only by {review.reporter.name}
          {review.rule.expiresAt && ` · expires ${describeRemaining(review.rule.expiresAt, now)}`}
        </span>
      </div>
      <div className="bl-toolbar" role="group" aria-label={`Review the auto-block of ${shown}`}>
        <Button variant="primary" onClick={() => void decide('keep')}>
          Keep
        </Button>
        <Button onClick={() => void decide('drop')}>Drop</Button>
      </div>
      {error && (
        <p className="bl-field__error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
