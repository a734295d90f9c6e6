import { useState } from 'react';
import { displayNumber } from '../app/format';
import { usePhoneController } from '../app/controller';
import { useWriteAccess } from '../app/permissions';
import { useBlocklist, useCalls, useStores } from '../app/stores';
import { openPopOnAnswerClick } from '../app/crm-companion';
import { ScreenPopLink } from './ScreenPopLink';
import { incomingCall } from '../stores/calls';
import { Button, Dialog } from '../ui';
import { BlockNumberDialog } from './BlockNumberDialog';
import { NumberInsight } from './NumberInsight';
import { VerificationBadge } from './VerificationBadge';
import { errorMessage } from '../../shared/error-message';

/** The ringing call (only ever an allowed one): caller, verification, answer / decline / block. */
export function IncomingCall() {
  const call = useCalls((state) => incomingCall(state.calls));
  const controller = usePhoneController();
  const { companion } = useStores();
  const access = useWriteAccess();
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const lines = useBlocklist((state) => state.data?.lines);
  const inCall = useCalls((state) =>
    Object.values(state.calls).some((other) => other.state === 'connected' && !other.held),
  );
  const [blocking, setBlocking] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (blocking) return <BlockNumberDialog number={blocking} onClose={() => setBlocking(null)} />;
  if (!call) return null;
  const caller = call.number ? displayNumber(call.number, country) : call.remote || 'Unknown caller';
  const line = lines?.find((candidate) => candidate.number === call.line);
  const run = (action: () => Promise<void>) => {
    setError(null);
    action().catch((caught: unknown) => setError(errorMessage(caught)));
  };
  return (
    <Dialog
      open
      title="Incoming call"
      onClose={() => run(() => controller.decline(call.id))}
      initialFocus="[data-answer]"
    >
      <div className="bl-incoming" data-testid="incoming-call">
        <p className="bl-incoming__caller">{caller}</p>
        {call.number && call.remote && call.remote !== call.number && (
          <p className="bl-muted">{call.remote}</p>
        )}
        <p className="bl-muted">
          on{' '}
          {line
            ? `${line.label} (${displayNumber(line.number, country)})`
            : call.line
              ? displayNumber(call.line, country)
              : 'your line'}
        </p>
        <VerificationBadge verification={call.verification} />
        {call.number && (
          <p className="bl-incoming__insight">
            <NumberInsight number={call.number} />
          </p>
        )}
        <ScreenPopLink callId={call.id} ringing />
        {inCall && <p className="bl-muted">Answering puts your current call on hold.</p>}
        {error && (
          <p className="bl-field__error" role="alert">
            {error}
          </p>
        )}
        <div className="bl-incoming__actions">
          <Button
            variant="primary"
            data-answer
            onClick={() => {
              openPopOnAnswerClick(companion, call.id);
              run(() => controller.answer(call.id));
            }}
          >
            Answer
          </Button>
          <Button variant="danger" onClick={() => run(() => controller.decline(call.id))}>
            Decline
          </Button>
          {access.manager && call.number && (
            <Button
              onClick={() => {
                const number = call.number;
                run(() => controller.decline(call.id));
                if (number) setBlocking(number);
              }}
            >
              Block this number
            </Button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
