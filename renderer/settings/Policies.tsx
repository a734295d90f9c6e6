import { useMemo, useState } from 'react';
import { getCountries } from 'libphonenumber-js/max';
import type { OrgSettings, OrgSettingsPatch } from '../../shared/settings';
import { MIN_PSAP_WINDOW_MINUTES } from '../../shared/settings';
import type { AnnouncementMode } from '../../shared/contracts/api';
import { useWriteAccess } from '../app/permissions';
import { useBlocklist, useSession, useSettingsStore, useStores } from '../app/stores';
import { describeScope } from '../app/format';
import { messageForField, type SettingsField } from '../stores/settings';
import { Banner, Select, TextField, Toggle } from '../ui';
import { errorText } from './errors';
import { WorkingHoursEditor } from './WorkingHoursEditor';
import { Announcements } from './Announcements';
import { CrmSettings } from './CrmSettings';
import { errorMessage } from '../../shared/error-message';

/** Settings → Policies (SPEC §7.2, §7.3): every change is sent at once; the form shows the synced value. */
export function Policies() {
  const data = useBlocklist((state) => state.data);
  const access = useWriteAccess();
  if (!data) return <p className="bl-muted">Loading settings…</p>;
  return (
    <section className="bl-panel" aria-labelledby="policies-heading">
      <header className="bl-panel__header">
        <h2 id="policies-heading">Policies</h2>
      </header>
      {access.reason && (
        <Banner
          tone={access.manager ? 'warning' : 'info'}
          title={access.manager ? 'Changes are paused' : 'View only'}
        >
          {access.reason}
        </Banner>
      )}
      <PolicyForm settings={data.settings} disabled={!access.allowed} />
      <CrmSettings settings={data.settings} />
      <LinesSection disabled={!access.allowed} />
      <Announcements />
    </section>
  );
}

function useFieldError(field: SettingsField): string | null {
  const error = useSettingsStore((state) => state.errors[field]);
  return error ? messageForField(error, field) : null;
}

function PolicyForm({ settings, disabled }: { settings: OrgSettings; disabled: boolean }) {
  const { settings: store } = useStores();
  const pending = useSettingsStore((state) => state.pending);
  const send = (field: SettingsField, patch: OrgSettingsPatch) => void store.getState().update(field, patch);
  const countries = useMemo(() => {
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    return getCountries()
      .map((code) => ({ value: code, label: `${names.of(code) ?? code} (${code})` }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }, []);
  const timeZones = useMemo(
    () => Intl.supportedValuesOf('timeZone').map((zone) => ({ value: zone, label: zone })),
    [],
  );
  const errors = {
    blockAnonymous: useFieldError('blockAnonymous'),
    blockFailedVerification: useFieldError('blockFailedVerification'),
    inboundAction: useFieldError('inboundAction'),
    logBlockedInbound: useFieldError('logBlockedInbound'),
    whoCanManage: useFieldError('whoCanManage'),
    defaultCountry: useFieldError('defaultCountry'),
    psapWindowMinutes: useFieldError('psapWindowMinutes'),
    enabled: useFieldError('autoBlock.enabled'),
    threshold: useFieldError('autoBlock.threshold'),
    windowMinutes: useFieldError('autoBlock.windowMinutes'),
    outside: useFieldError('autoBlock.outsideWorkingHoursOnly'),
    timeZone: useFieldError('autoBlock.timeZone'),
    workingHours: useFieldError('autoBlock.workingHours'),
  };
  const autoBlock = settings.autoBlock;
  return (
    <div className="bl-form bl-policies">
      <fieldset className="bl-fieldset">
        <legend>Inbound calls</legend>
        <Toggle
          label="Block anonymous callers"
          description="Calls that withhold their number are blocked."
          checked={settings.blockAnonymous}
          disabled={disabled}
          busy={pending.blockAnonymous}
          error={errors.blockAnonymous}
          onChange={(value) => send('blockAnonymous', { blockAnonymous: value })}
        />
        <Toggle
          label="Block calls that failed caller verification"
          description="STIR/SHAKEN verification failed (verstat TN-Validation-Failed)."
          checked={settings.blockFailedVerification}
          disabled={disabled}
          busy={pending.blockFailedVerification}
          error={errors.blockFailedVerification}
          onChange={(value) => send('blockFailedVerification', { blockFailedVerification: value })}
        />
        <Select
          label="What blocked callers get"
          value={settings.inboundAction}
          disabled={disabled}
          error={errors.inboundAction}
          options={[
            { value: 'announce', label: 'Announcement, then hang up' },
            { value: 'reject', label: 'Rejected at once (603 Decline)' },
          ]}
          onChange={(value) =>
            send('inboundAction', { inboundAction: value === 'reject' ? 'reject' : 'announce' })
          }
        />
        <Toggle
          label="Log blocked inbound calls"
          description="Blocked calls appear in agents’ history as “Hung up: blocked”."
          checked={settings.logBlockedInbound}
          disabled={disabled}
          busy={pending.logBlockedInbound}
          error={errors.logBlockedInbound}
          onChange={(value) => send('logBlockedInbound', { logBlockedInbound: value })}
        />
      </fieldset>

      <fieldset className="bl-fieldset">
        <legend>Auto-block</legend>
        <Toggle
          label="Auto-block repeated callers"
          checked={autoBlock.enabled}
          disabled={disabled}
          busy={pending['autoBlock.enabled']}
          error={errors.enabled}
          onChange={(value) => send('autoBlock.enabled', { autoBlock: { enabled: value } })}
        />
        <div className="bl-form-row">
          <NumberSetting
            label="Calls (threshold)"
            value={autoBlock.threshold}
            min={2}
            max={1000}
            disabled={disabled}
            error={errors.threshold}
            onCommit={(value) => send('autoBlock.threshold', { autoBlock: { threshold: value } })}
          />
          <NumberSetting
            label="Within minutes"
            value={autoBlock.windowMinutes}
            min={1}
            max={1440}
            disabled={disabled}
            error={errors.windowMinutes}
            onCommit={(value) => send('autoBlock.windowMinutes', { autoBlock: { windowMinutes: value } })}
          />
        </div>
        <Toggle
          label="Only outside working hours"
          checked={autoBlock.outsideWorkingHoursOnly}
          disabled={disabled}
          error={errors.outside}
          onChange={(value) =>
            send('autoBlock.outsideWorkingHoursOnly', { autoBlock: { outsideWorkingHoursOnly: value } })
          }
        />
        <Select
          label="Time zone"
          value={autoBlock.timeZone}
          options={
            timeZones.some((zone) => zone.value === autoBlock.timeZone)
              ? timeZones
              : [{ value: autoBlock.timeZone, label: autoBlock.timeZone }, ...timeZones]
          }
          disabled={disabled}
          error={errors.timeZone}
          onChange={(value) => send('autoBlock.timeZone', { autoBlock: { timeZone: value } })}
        />
        <WorkingHoursEditor
          hours={autoBlock.workingHours}
          disabled={disabled}
          error={errors.workingHours}
          onChange={(workingHours) => send('autoBlock.workingHours', { autoBlock: { workingHours } })}
        />
      </fieldset>

      <fieldset className="bl-fieldset">
        <legend>Organization</legend>
        <Select
          label="Who can manage the list and settings"
          value={settings.whoCanManage}
          disabled={disabled}
          error={errors.whoCanManage}
          options={[
            { value: 'leads', label: 'Admins and team leads' },
            { value: 'everyone', label: 'Everyone' },
          ]}
          onChange={(value) =>
            send('whoCanManage', { whoCanManage: value === 'everyone' ? 'everyone' : 'leads' })
          }
        />
        <Select
          label="Default country"
          hint="Numbers typed without a country code are read in this country."
          value={settings.defaultCountry}
          disabled={disabled}
          error={errors.defaultCountry}
          options={countries}
          onChange={(value) => send('defaultCountry', { defaultCountry: value })}
        />
        <NumberSetting
          label="Emergency call-back window (minutes)"
          hint={`After an emergency call, blocking is suspended this long (at least ${MIN_PSAP_WINDOW_MINUTES}).`}
          value={settings.psapWindowMinutes}
          min={MIN_PSAP_WINDOW_MINUTES}
          max={24 * 60}
          disabled={disabled}
          error={errors.psapWindowMinutes}
          onCommit={(value) => send('psapWindowMinutes', { psapWindowMinutes: value })}
        />
      </fieldset>
    </div>
  );
}

interface NumberSettingProps {
  label: string;
  hint?: string;
  value: number;
  min: number;
  max: number;
  disabled: boolean;
  error: string | null;
  onCommit(value: number): void;
}

/** A whole-number setting: edited locally, sent on Enter or leaving the field, checked before sending. */
function NumberSetting({ label, hint, value, min, max, disabled, error, onCommit }: NumberSettingProps) {
  const [draft, setDraft] = useState(String(value));
  const [localError, setLocalError] = useState<string | null>(null);
  // A new synced value (from this or another app) replaces the draft.
  const [shownValue, setShownValue] = useState(value);
  if (shownValue !== value) {
    setShownValue(value);
    setDraft(String(value));
  }
  const commit = () => {
    const parsed = Number(draft);
    if (draft.trim() === '' || !Number.isInteger(parsed)) return setLocalError('Enter a whole number');
    if (parsed < min || parsed > max) return setLocalError(`Must be between ${min} and ${max}`);
    setLocalError(null);
    if (parsed !== value) onCommit(parsed);
  };
  return (
    <TextField
      label={label}
      hint={hint}
      type="number"
      inputMode="numeric"
      min={min}
      max={max}
      value={draft}
      disabled={disabled}
      error={localError ?? error}
      onChange={(event) => setDraft(event.target.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit();
        if (event.key === 'Escape') {
          setDraft(String(value));
          setLocalError(null);
        }
      }}
    />
  );
}

/**
 * Per line: how a blocked caller hears the announcement (early media or answer-play-hang-up), and — admins
 * only — whether the phone answers by itself when the PBX asks (SPEC §10.4).
 */
function LinesSection({ disabled }: { disabled: boolean }) {
  const { api } = useStores();
  const data = useBlocklist((state) => state.data);
  const admin = useSession(
    (state) => state.session?.signedIn === true && state.session.me.user.role === 'admin',
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  if (!data || data.lines.length === 0) return null;
  const setAutoAnswer = async (number: string, enabled: boolean) => {
    const key = `${number}:auto-answer`;
    try {
      const result = await api.invoke('lines:setPbxAutoAnswer', { number, enabled });
      setErrors((current) => ({ ...current, [key]: result.ok ? '' : errorText(result) }));
    } catch (error) {
      setErrors((current) => ({ ...current, [key]: errorMessage(error) }));
    }
  };
  const setMode = async (number: string, mode: AnnouncementMode) => {
    try {
      const result = await api.invoke('lines:setAnnouncementMode', { number, mode });
      setErrors((current) => ({ ...current, [number]: result.ok ? '' : errorText(result) }));
    } catch (error) {
      setErrors((current) => ({
        ...current,
        [number]: errorMessage(error),
      }));
    }
  };
  return (
    <fieldset className="bl-fieldset">
      <legend>Lines</legend>
      {data.lines.map((line) => (
        <div key={line.number} className="bl-line-settings">
          <Select
            label={`Announcement on ${describeScope(line.number, data.lines, data.settings.defaultCountry)}`}
            value={line.announcementMode}
            disabled={disabled}
            error={errors[line.number] || null}
            hint="Use “answer” when the PBX or carrier drops early media."
            options={[
              { value: 'early-media', label: 'Early media (caller is never answered)' },
              { value: 'answer', label: 'Answer, play, hang up' },
            ]}
            onChange={(value) => void setMode(line.number, value === 'answer' ? 'answer' : 'early-media')}
          />
          <Toggle
            label={`Answer when the PBX asks on ${describeScope(line.number, data.lines, data.settings.defaultCountry)}`}
            checked={line.pbxAutoAnswer === true}
            disabled={disabled || !admin}
            error={errors[`${line.number}:auto-answer`] || null}
            description={
              admin
                ? 'Paging and intercom calls (Call-Info answer-after, Alert-Info auto-answer) are answered without a click, after the blocklist check. Anyone who reaches this line through the PBX could open the agent’s microphone: turn it on only where the PBX sets these headers itself.'
                : 'Only admins can change this.'
            }
            onChange={(enabled) => void setAutoAnswer(line.number, enabled)}
          />
        </div>
      ))}
    </fieldset>
  );
}
