import { useId, useState, type FormEvent } from 'react';
import { screenPopTemplateProblem } from '../../shared/screen-pop';
import { wrapUpDispositionsSchema, type OrgSettings } from '../../shared/settings';
import { useWriteAccess } from '../app/permissions';
import { useSession, useSettingsStore, useStores } from '../app/stores';
import { messageForField } from '../stores/settings';
import { Button, TextField } from '../ui';

/**
 * Settings → Policies → CRM (SPEC §10.11): the screen-pop URL template and the wrap-up dispositions.
 * Admins edit them (the server refuses anyone else); everyone sees what is set.
 */
export function CrmSettings({ settings }: { settings: OrgSettings }) {
  const access = useWriteAccess();
  const admin = useSession(
    (state) => state.session?.signedIn === true && state.session.me.user.role === 'admin',
  );
  const disabled = !admin || !access.allowed;
  return (
    <fieldset className="bl-fieldset" data-testid="crm-settings">
      <legend>CRM</legend>
      {!admin && <p className="bl-muted">Only admins change the CRM settings.</p>}
      <ScreenPopField key={settings.screenPopUrl} saved={settings.screenPopUrl} disabled={disabled} />
      <DispositionsField
        key={settings.wrapUpDispositions.join('\n')}
        saved={settings.wrapUpDispositions}
        disabled={disabled}
      />
    </fieldset>
  );
}

function ScreenPopField({ saved, disabled }: { saved: string; disabled: boolean }) {
  const { settings: store } = useStores();
  const serverError = useSettingsStore((state) => state.errors.screenPopUrl);
  const pending = useSettingsStore((state) => state.pending.screenPopUrl);
  const [text, setText] = useState(saved);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const template = text.trim();
    const local = template === '' ? null : screenPopTemplateProblem(template);
    setProblem(local);
    if (local === null) void store.getState().update('screenPopUrl', { screenPopUrl: template });
  };
  return (
    <form className="bl-form-row" onSubmit={submit}>
      <TextField
        label="Screen-pop URL"
        value={text}
        disabled={disabled}
        placeholder="https://crm.example.com/search?phone={e164}"
        hint="Opened for every call that is not blocked. Placeholders: {e164}, {national}, {line}, {direction}. Empty turns it off."
        error={problem ?? (serverError ? messageForField(serverError, 'screenPopUrl') : null)}
        onChange={(event) => setText(event.target.value)}
      />
      <Button type="submit" disabled={disabled || pending === true || text.trim() === saved}>
        Save URL
      </Button>
    </form>
  );
}

function DispositionsField({ saved, disabled }: { saved: readonly string[]; disabled: boolean }) {
  const { settings: store } = useStores();
  const id = useId();
  const serverError = useSettingsStore((state) => state.errors.wrapUpDispositions);
  const pending = useSettingsStore((state) => state.pending.wrapUpDispositions);
  const [text, setText] = useState(saved.join('\n'));
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const list = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    const parsed = wrapUpDispositionsSchema.safeParse(list);
    setProblem(parsed.success ? null : (parsed.error.issues[0]?.message ?? 'not a list of dispositions'));
    if (parsed.success)
      void store.getState().update('wrapUpDispositions', { wrapUpDispositions: parsed.data });
  };
  const error = problem ?? (serverError ? messageForField(serverError, 'wrapUpDispositions') : null);
  return (
    <form className="bl-form" onSubmit={submit}>
      <div className="bl-field">
        <label htmlFor={id} className="bl-field__label">
          Wrap-up dispositions (one per line)
        </label>
        <textarea
          id={id}
          className="bl-input bl-textarea"
          rows={5}
          value={text}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          onChange={(event) => setText(event.target.value)}
        />
        {error && (
          <span className="bl-field__error" role="alert">
            {error}
          </span>
        )}
      </div>
      <div>
        <Button type="submit" disabled={disabled || pending === true || text === saved.join('\n')}>
          Save dispositions
        </Button>
      </div>
    </form>
  );
}
