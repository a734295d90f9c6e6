import { useId, useState, type FormEvent } from 'react';
import { wrapUpSchema } from '../../shared/contracts/wrap-up';
import { errorMessage } from '../../shared/error-message';
import { displayNumber } from '../app/format';
import { useBlocklist, useCompanion, useStores } from '../app/stores';
import type { WrapUpDue } from '../stores/companion';
import { Button, Select } from '../ui';

/** Wrap-up after each answered call (SPEC §10.11): a disposition from the org's list and a note. */
export function WrapUpList() {
  const due = useCompanion((state) => state.wrapUpsDue);
  if (due.length === 0) return null;
  return (
    <section className="bl-panel bl-wrapup" aria-labelledby="wrapup-heading">
      <h2 id="wrapup-heading">{due.length === 1 ? 'Wrap up the call' : `Wrap up ${due.length} calls`}</h2>
      {due.map((call) => (
        <WrapUpForm key={call.callId} call={call} />
      ))}
    </section>
  );
}

function WrapUpForm({ call }: { call: WrapUpDue }) {
  const { api, companion, history } = useStores();
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const dispositions = useBlocklist((state) => state.data?.settings.wrapUpDispositions ?? []);
  const [disposition, setDisposition] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const noteId = useId();
  const who = call.number ? displayNumber(call.number, country) : call.remote;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = wrapUpSchema.safeParse({ disposition, note });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? 'check the wrap-up');
    setError(null);
    setSaving(true);
    api
      .invoke('calls:wrapUp', { historyId: call.callId, reportId: call.reportId, wrapUp: parsed.data })
      .then(() => {
        history.getState().showWrapUp(call.callId, { ...parsed.data, savedAt: new Date().toISOString() });
        companion.getState().removeWrapUpDue(call.callId);
      })
      .catch((caught: unknown) => setError(errorMessage(caught)))
      .finally(() => setSaving(false));
  };
  return (
    <form
      className="bl-form"
      aria-label={`Wrap-up of the call with ${who}`}
      onSubmit={submit}
      data-testid="wrap-up"
    >
      <p>
        {call.direction === 'inbound' ? 'Call from' : 'Call to'} <strong>{who}</strong>
      </p>
      <Select
        label="Disposition"
        value={disposition}
        options={[{ value: '', label: 'Choose…' }, ...dispositions.map((value) => ({ value, label: value }))]}
        onChange={setDisposition}
      />
      <div className="bl-field">
        <label htmlFor={noteId} className="bl-field__label">
          Note
        </label>
        <textarea
          id={noteId}
          className="bl-input bl-wrapup__note"
          rows={3}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      {error && (
        <p className="bl-field__error" role="alert">
          {error}
        </p>
      )}
      <div className="bl-form-row">
        <Button type="submit" variant="primary" disabled={saving}>
          Save wrap-up
        </Button>
        <Button
          type="button"
          variant="ghost"
          onClick={() => companion.getState().removeWrapUpDue(call.callId)}
        >
          Skip
        </Button>
      </div>
    </form>
  );
}
