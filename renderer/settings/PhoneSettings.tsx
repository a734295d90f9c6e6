import { useEffect, useState, type FormEvent } from 'react';
import { sipAccountSchema, type SipAccount } from '../../shared/contracts/ipc';
import { usePhone, useSecretStorage, useSettingsStore, useStores } from '../app/stores';
import { secretStorageHint } from '../stores/secret-storage';
import { Banner, Button, Select, TextField, Toggle } from '../ui';
import { ScreenPopMomentSelect } from './ScreenPopMomentSelect';
import { displayNumber } from '../app/format';
import { useBlocklist } from '../app/stores';
import {
  DEFAULT_ICE_GATHERING_TIMEOUT_MS,
  validateIceSettings,
  type IceServerDraft,
  type IceServerDraftErrors,
} from '../../shared/ice-servers';
import { NetworkFields } from './NetworkFields';
import { AudioDevices } from './AudioDevices';
import { HeadsetButtons } from './HeadsetButtons';

/** Settings → Phone (SPEC §7.4): this machine's SIP accounts, audio devices and ringtone. */
export function PhoneSettings() {
  const { settings } = useStores();
  const accounts = useSettingsStore((state) => state.accounts);
  const accountsError = useSettingsStore((state) => state.accountsError);
  const [editing, setEditing] = useState<SipAccount | 'new' | null>(null);
  const editingSaved =
    editing !== null && editing !== 'new'
      ? (accounts.find((entry) => entry.account.id === editing.id)?.savedIceCredentials ?? [])
      : [];
  useEffect(() => {
    void settings.getState().loadAccounts();
  }, [settings]);
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');

  return (
    <section className="bl-panel" aria-labelledby="phone-settings-heading">
      <header className="bl-panel__header">
        <h2 id="phone-settings-heading">Phone</h2>
      </header>
      <fieldset className="bl-fieldset">
        <legend>SIP accounts</legend>
        {accountsError && <Banner tone="error">{accountsError}</Banner>}
        {accounts.length === 0 && <p className="bl-muted">No SIP account on this computer yet.</p>}
        <ul className="bl-accounts">
          {accounts.map(({ account, hasPassword }) => (
            <li key={account.id} className="bl-account">
              <div>
                <strong>{account.displayName || account.sipUri}</strong>
                <span className="bl-muted">
                  {' '}
                  {account.sipUri} · line {displayNumber(account.lineNumber, country)} ·{' '}
                  {hasPassword ? 'password saved' : 'no password'}
                </span>
              </div>
              <div className="bl-account__actions">
                <Button
                  size="small"
                  onClick={() => setEditing(account)}
                  aria-label={`Edit account ${account.sipUri}`}
                >
                  Edit
                </Button>
                <Button
                  size="small"
                  variant="ghost"
                  onClick={() => void settings.getState().removeAccount(account.id)}
                  aria-label={`Remove account ${account.sipUri}`}
                >
                  Remove
                </Button>
              </div>
            </li>
          ))}
        </ul>
        {editing === null ? (
          <Button onClick={() => setEditing('new')}>Add SIP account</Button>
        ) : (
          <AccountForm
            key={editing === 'new' ? 'new' : editing.id}
            account={editing === 'new' ? null : editing}
            savedIceCredentials={editingSaved}
            onDone={() => setEditing(null)}
          />
        )}
      </fieldset>
      <AudioDevices />
      <HeadsetButtons />
      <CallPreferences />
    </section>
  );
}

const ACCOUNT_FIELDS = ['websocketUrl', 'sipUri', 'displayName', 'lineNumber', 'authorizationUser'] as const;
type AccountField = (typeof ACCOUNT_FIELDS)[number];
function isAccountField(value: unknown): value is AccountField {
  return typeof value === 'string' && (ACCOUNT_FIELDS as readonly string[]).includes(value);
}

function AccountForm({
  account,
  savedIceCredentials,
  onDone,
}: {
  account: SipAccount | null;
  savedIceCredentials: readonly string[];
  onDone(): void;
}) {
  const { settings } = useStores();
  const [values, setValues] = useState({
    websocketUrl: account?.websocketUrl ?? 'wss://',
    sipUri: account?.sipUri ?? '',
    authorizationUser: account?.authorizationUser ?? '',
    displayName: account?.displayName ?? '',
    lineNumber: account?.lineNumber ?? '',
  });
  const [password, setPassword] = useState('');
  const keptWhere = secretStorageHint(useSecretStorage((state) => state.status));
  const [iceServers, setIceServers] = useState<IceServerDraft[]>(
    (account?.iceServers ?? []).map((server) => ({
      url: server.url,
      username: server.username ?? '',
      credential: '',
    })),
  );
  const [iceTimeout, setIceTimeout] = useState(
    String(account?.iceGatheringTimeoutMs ?? DEFAULT_ICE_GATHERING_TIMEOUT_MS),
  );
  const [relayOnly, setRelayOnly] = useState(account?.relayOnly === true);
  const [iceErrors, setIceErrors] = useState<{ servers: IceServerDraftErrors[]; timeout: string | null }>({
    servers: [],
    timeout: null,
  });
  const [errors, setErrors] = useState<Partial<Record<AccountField, string>>>({});
  const [saving, setSaving] = useState(false);
  const set = (field: AccountField) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const network = validateIceSettings(iceServers, iceTimeout, savedIceCredentials);
    setIceErrors(
      network.ok
        ? { servers: [], timeout: null }
        : { servers: network.serverErrors, timeout: network.timeoutError },
    );
    const parsed = sipAccountSchema.safeParse({
      id: account?.id ?? `account-${Date.now().toString(36)}`,
      websocketUrl: values.websocketUrl.trim(),
      sipUri: values.sipUri.trim(),
      authorizationUser: values.authorizationUser.trim() || undefined,
      displayName: values.displayName.trim(),
      lineNumber: values.lineNumber.trim(),
      iceServers: network.ok ? network.servers : [],
      iceGatheringTimeoutMs: network.ok ? network.iceGatheringTimeoutMs : undefined,
      relayOnly: relayOnly || undefined,
      enabled: account?.enabled ?? true,
    });
    if (!parsed.success || !network.ok) {
      if (parsed.success) return setErrors({});
      const next: Partial<Record<AccountField, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if (isAccountField(field)) next[field] ??= issue.message;
      }
      setErrors(next);
      return;
    }
    const url = new URL(parsed.data.websocketUrl);
    if (url.protocol === 'ws:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
      setErrors({ websocketUrl: 'Use wss:// (plain ws:// is allowed on this computer’s loopback only)' });
      return;
    }
    setErrors({});
    setSaving(true);
    const ok = await settings
      .getState()
      .saveAccount(parsed.data, password === '' ? undefined : password, network.credentials);
    setSaving(false);
    if (ok) onDone();
  };

  return (
    <form
      className="bl-form bl-account-form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={account ? 'Edit SIP account' : 'New SIP account'}
    >
      <TextField
        label="Server WebSocket URL"
        value={values.websocketUrl}
        onChange={set('websocketUrl')}
        error={errors.websocketUrl}
        placeholder="wss://pbx.example.com:8089/ws"
      />
      <TextField
        label="SIP address (user)"
        value={values.sipUri}
        onChange={set('sipUri')}
        error={errors.sipUri}
        placeholder="sip:agent1@pbx.example.com"
      />
      <TextField
        label="Authorization user (optional)"
        value={values.authorizationUser}
        onChange={set('authorizationUser')}
        error={errors.authorizationUser}
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        hint={account ? `Leave empty to keep the saved password. ${keptWhere}` : keptWhere}
      />
      <TextField
        label="Display name"
        value={values.displayName}
        onChange={set('displayName')}
        error={errors.displayName}
      />
      <TextField
        label="Line number (E.164)"
        value={values.lineNumber}
        onChange={set('lineNumber')}
        error={errors.lineNumber}
        placeholder="+12125550100"
      />
      <NetworkFields
        servers={iceServers}
        onServersChange={setIceServers}
        timeoutMs={iceTimeout}
        onTimeoutChange={setIceTimeout}
        serverErrors={iceErrors.servers}
        timeoutError={iceErrors.timeout}
        savedCredentialUrls={savedIceCredentials}
      />
      <Toggle
        label="Send media through the TURN server only"
        description="For networks that block direct media (strict NAT, some VPNs). Needs a turn: server above."
        checked={relayOnly}
        onChange={setRelayOnly}
      />
      <div className="bl-form-actions">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save account'}
        </Button>
      </div>
    </form>
  );
}

/** SPEC §10.1, §10.4: what the phone does with calls for this agent, on this machine. */
function CallPreferences() {
  const { phone } = useStores();
  const presence = usePhone((state) => state.presence);
  return (
    <fieldset className="bl-fieldset">
      <legend>Calls</legend>
      <Select
        label="On Do not disturb, callers hear"
        value={String(presence.dndResponse)}
        options={[
          { value: '486', label: 'Busy (486 Busy Here)' },
          { value: '480', label: 'Unavailable (480 Temporarily Unavailable)' },
        ]}
        onChange={(value) => phone.getState().setPresence({ dndResponse: value === '480' ? 480 : 486 })}
      />
      <Toggle
        label="Refuse a second call while I am on a call"
        description="Callers hear busy instead of call waiting. Emergency call-backs always ring."
        checked={presence.refuseSecondCall}
        onChange={(checked) => phone.getState().setPresence({ refuseSecondCall: checked })}
      />
      <Toggle
        label="Answer calls automatically"
        description="Allowed calls are answered when no other call is in progress; blocked calls never are."
        checked={presence.autoAnswer}
        onChange={(checked) => phone.getState().setPresence({ autoAnswer: checked })}
      />
      <ScreenPopMomentSelect />
    </fieldset>
  );
}
