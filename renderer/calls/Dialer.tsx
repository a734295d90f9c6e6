import { type FormEvent } from 'react';
import { usePhoneController } from '../app/controller';
import { useBlocklist, useCalls, usePhone, useStores } from '../app/stores';
import { formatTypedNumber } from '../settings/AddRuleDialog';
import { displayNumber } from '../app/format';
import { Banner, Button, Select, TextField } from '../ui';
import { errorMessage } from '../../shared/error-message';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/** The dial pad: as-you-type formatting, line choice, call (the outbound check runs in the phone). */
export function Dialer() {
  const { calls, phone } = useStores();
  const controller = usePhoneController();
  const text = useCalls((state) => state.dialerText);
  const notice = useCalls((state) => state.dialerNotice);
  const lines = usePhone((state) => state.lines);
  const selected = usePhone((state) => state.selectedAccountId);
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');

  const setText = (next: string) =>
    calls.getState().setDialerText(next.length < text.length ? next : formatTypedNumber(next, country));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    controller
      .placeCall(text)
      .catch((error: unknown) =>
        calls.getState().setDialerNotice({ tone: 'error', text: errorMessage(error) }),
      );
  };
  const lineList = Object.values(lines);
  const lineOptions = [
    { value: '', label: lineList.length === 0 ? 'No line set up' : 'First available line' },
    ...lineList.map((line) => ({
      value: line.accountId,
      label: `${displayNumber(line.lineNumber, country)} — ${line.status === 'registered' ? 'ready' : line.status}`,
    })),
  ];
  return (
    <section className="bl-panel bl-dialer" aria-labelledby="dialer-heading">
      <h2 id="dialer-heading">Dialer</h2>
      <form className="bl-form" onSubmit={submit}>
        <TextField
          label="Number to call"
          value={text}
          inputMode="tel"
          autoComplete="off"
          className="bl-dialer__number"
          onChange={(event) => setText(event.target.value)}
        />
        <div className="bl-keypad" role="group" aria-label="Keypad">
          {KEYS.map((key) => (
            <button
              key={key}
              type="button"
              className="bl-keypad__key"
              onClick={() => setText(text + key)}
              aria-label={`Key ${key}`}
            >
              {key}
            </button>
          ))}
        </div>
        <Select
          label="Line"
          value={selected ?? ''}
          options={lineOptions}
          onChange={(value) => phone.getState().selectAccount(value === '' ? null : value)}
        />
        <div className="bl-form-actions">
          <Button
            onClick={() => calls.getState().setDialerText(text.slice(0, -1))}
            aria-label="Delete last digit"
            disabled={text === ''}
          >
            ⌫
          </Button>
          <Button type="submit" variant="primary" className="bl-dialer__call">
            Call
          </Button>
        </div>
        {notice && (
          <Banner tone={notice.tone} className="bl-dialer__notice">
            {notice.text}
          </Banner>
        )}
      </form>
    </section>
  );
}
