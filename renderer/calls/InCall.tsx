import { useState, type FormEvent } from 'react';
import type { CallSnapshot } from '../phone/types';
import { usePhoneController } from '../app/controller';
import { displayNumber } from '../app/format';
import { useNow } from '../app/hooks';
import { useBlocklist, useCalls } from '../app/stores';
import { callElapsedSeconds, ongoingCalls } from '../stores/calls';
import { formatDuration } from '../stores/history';
import { Button, TextField } from '../ui';
import { QualityBadge } from './QualityBadge';
import { ScreenPopLink } from './ScreenPopLink';
import { VerificationBadge } from './VerificationBadge';
import { BlockNumberDialog } from './BlockNumberDialog';
import { AskLeadToBlock } from './AskLeadToBlock';
import { CallJoinControls } from './CallJoinControls';
import { TransferNotice } from './TransferNotice';
import { useWriteAccess } from '../app/permissions';
import { errorMessage } from '../../shared/error-message';

const DTMF_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/** Calls in progress: mute, hold/resume (switching calls), keypad (DTMF), blind and attended transfer, conference, block and hang up, hang up, timer. */
export function InCallList() {
  const calls = useCalls((state) => state.calls);
  const ongoing = ongoingCalls(calls);
  if (ongoing.length === 0) return null;
  return (
    <section className="bl-panel bl-incall" aria-labelledby="incall-heading">
      <h2 id="incall-heading">
        {ongoing.length === 1 ? 'Call in progress' : `${ongoing.length} calls in progress`}
      </h2>
      {ongoing.map((call) => (
        <InCall key={call.id} call={call} />
      ))}
    </section>
  );
}

function InCall({ call }: { call: CallSnapshot }) {
  const controller = usePhoneController();
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const now = useNow(1000);
  const [keypad, setKeypad] = useState(false);
  const [transferring, setTransferring] = useState(false);
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [blocking, setBlocking] = useState(false);
  const access = useWriteAccess();
  const run = (action: () => Promise<void> | void) => {
    setError(null);
    Promise.resolve()
      .then(action)
      .catch((caught: unknown) => setError(errorMessage(caught)));
  };
  const who = call.number ? displayNumber(call.number, country) : call.remote;
  const status =
    call.state === 'connected'
      ? call.held
        ? 'On hold'
        : formatDuration(callElapsedSeconds(call, now))
      : call.state === 'ringing'
        ? 'Ringing…'
        : 'Calling…';
  const transfer = (event: FormEvent) => {
    event.preventDefault();
    if (target.trim() === '') return setError('Enter the number to transfer to');
    run(() => controller.transfer(call.id, target.trim()));
  };
  // Attended transfer: the call goes on hold and the target is called (SPEC §10.2).
  const consult = () => {
    if (target.trim() === '') return setError('Enter the number to consult');
    run(async () => {
      const refused = await controller.consult(call.id, target.trim());
      if (refused !== null) setError(refused);
      else setTransferring(false);
    });
  };
  const connected = call.state === 'connected';
  return (
    <article className="bl-call" aria-label={`Call with ${who}`} data-testid="in-call">
      <div className="bl-call__who">
        <strong>{who}</strong>
        <span className="bl-call__timer" aria-live="off">
          {status}
        </span>
        <VerificationBadge verification={call.verification} />
        {connected && call.reconnecting === true && (
          // SPEC §10.6: the media path dropped and the phone is restarting ICE.
          <span className="bl-call__reconnecting" role="status">
            Reconnecting…
          </span>
        )}
        {connected && <QualityBadge quality={call.quality} />}
        <ScreenPopLink callId={call.id} />
      </div>
      <div className="bl-call__controls" role="group" aria-label="Call controls">
        <Button
          aria-pressed={call.muted}
          disabled={!connected}
          onClick={() => run(() => controller.mute(call.id, !call.muted))}
        >
          {call.muted ? 'Unmute' : 'Mute'}
        </Button>
        <Button
          aria-pressed={call.held}
          disabled={!connected}
          // Resuming a held call holds the others: one live call at a time (SPEC §10.1).
          onClick={() =>
            run(() => (call.held ? controller.switchTo(call.id) : controller.hold(call.id, true)))
          }
        >
          {call.held ? 'Resume' : 'Hold'}
        </Button>
        <Button aria-expanded={keypad} disabled={!connected} onClick={() => setKeypad(!keypad)}>
          Keypad
        </Button>
        <Button
          aria-expanded={transferring}
          data-transfer-toggle
          disabled={!connected}
          onClick={() => setTransferring(!transferring)}
        >
          Transfer
        </Button>
        {access.manager && call.number && call.direction === 'inbound' && (
          <Button variant="danger" disabled={!connected} onClick={() => setBlocking(true)}>
            Block and hang up
          </Button>
        )}
        {!access.manager && call.number && call.direction === 'inbound' && connected && (
          <AskLeadToBlock number={call.number} />
        )}
        <Button variant="danger" onClick={() => run(() => controller.hangup(call.id))}>
          Hang up
        </Button>
      </div>
      {blocking && call.number && (
        <BlockNumberDialog
          number={call.number}
          submitLabel="Block and hang up"
          onClose={() => setBlocking(false)}
          // The caller hears the announcement on this call, then the call ends (SPEC §3.4 wording).
          onBlocked={() => run(() => controller.announceAndHangUp(call.id))}
        />
      )}
      {keypad && (
        <div className="bl-keypad" role="group" aria-label="Send tones">
          {DTMF_KEYS.map((key) => (
            <button
              key={key}
              type="button"
              className="bl-keypad__key"
              aria-label={`Tone ${key}`}
              onClick={() => run(() => controller.sendDtmf(call.id, key))}
            >
              {key}
            </button>
          ))}
        </div>
      )}
      {transferring && (
        <form className="bl-form-row" onSubmit={transfer}>
          <TextField
            label="Transfer to"
            value={target}
            inputMode="tel"
            onChange={(event) => setTarget(event.target.value)}
          />
          <Button type="submit">Transfer now</Button>
          <Button onClick={consult}>Consult first</Button>
        </form>
      )}
      <TransferNotice call={call} />
      <CallJoinControls call={call} run={run} />
      {error && (
        <p className="bl-field__error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
