import { useEffect, useState, type FormEvent } from 'react';
import { checkInviteServer, formatInviteCode, parseInvite, parseInviteLink } from '../../shared/invite-link';
import { Banner, Button, TextField } from '../ui';
import { secretStorageHint } from '../stores/secret-storage';
import { SecretStorageNotice } from './SecretStorageNotice';
import { useSecretStorage, useSession, useStores } from './stores';

type Mode = 'token' | 'invite';
/** The two ways to sign in, as the toggle buttons name them. */
const MODES: readonly (readonly [Mode, string])[] = [
  ['token', 'I have a token'],
  ['invite', 'I have an invite'],
];

/**
 * SPEC §6.2, §12.4: sign in with the server's address and a personal token, or with an invite (its link
 * or its code); the host keeps the token in the keychain (§11.6).
 */
export function SignIn() {
  const stores = useStores();
  const openedInvite = useSession((state) => state.openedInvite);
  const [mode, setMode] = useState<Mode>(openedInvite === null ? 'token' : 'invite');
  const [serverUrl, setServerUrl] = useState(
    () => window.localStorage.getItem('blockline.lastServer') ?? 'https://',
  );
  // A blockline://invite link opened while this page shows: to the invite form (which asks first).
  useEffect(
    () =>
      stores.session.subscribe((state, previous) => {
        if (state.openedInvite !== null && state.openedInvite !== previous.openedInvite) setMode('invite');
      }),
    [stores],
  );
  return (
    <main className="bl-signin">
      <div className="bl-signin__card">
        <h1 id="signin-heading" className="bl-brand">
          Blockline
        </h1>
        <p className="bl-muted">Sign in to your organization’s Blockline server.</p>
        <div className="bl-toolbar" role="group" aria-label="How to sign in">
          {MODES.map(([value, label]) => (
            <Button
              key={value}
              size="small"
              variant={mode === value ? 'primary' : 'secondary'}
              aria-pressed={mode === value}
              onClick={() => setMode(value)}
            >
              {label}
            </Button>
          ))}
        </div>
        {mode === 'token' ? (
          <TokenForm serverUrl={serverUrl} setServerUrl={setServerUrl} />
        ) : (
          // A newly opened link starts the form afresh from it.
          <InviteForm
            key={openedInvite ?? ''}
            opened={openedInvite}
            serverUrl={serverUrl}
            setServerUrl={setServerUrl}
          />
        )}
      </div>
    </main>
  );
}

interface ServerProps {
  serverUrl: string;
  setServerUrl(value: string): void;
}

/** Shared by both forms, so the address typed in one is there in the other. */
function ServerAddressField({ serverUrl, setServerUrl }: ServerProps) {
  return (
    <TextField
      label="Server address"
      type="url"
      value={serverUrl}
      autoComplete="url"
      onChange={(event) => setServerUrl(event.target.value)}
    />
  );
}

function SignInError() {
  const error = useSession((state) => state.signInError);
  return error ? (
    <Banner tone="error" title="Could not sign in">
      {error.message}
    </Banner>
  ) : null;
}

function TokenForm({ serverUrl, setServerUrl }: ServerProps) {
  const { session } = useStores();
  const signingIn = useSession((state) => state.signingIn);
  const storage = useSecretStorage((state) => state.status);
  const [token, setToken] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await session.getState().signIn(serverUrl, token);
    if (ok) window.localStorage.setItem('blockline.lastServer', serverUrl.trim());
  };
  return (
    <form
      className="bl-form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-labelledby="signin-heading"
    >
      <ServerAddressField serverUrl={serverUrl} setServerUrl={setServerUrl} />
      <TextField
        label="Personal token"
        type="password"
        value={token}
        autoComplete="off"
        onChange={(event) => setToken(event.target.value)}
        hint={`Your admin gives you this token. ${secretStorageHint(storage)}`.trim()}
      />
      <SecretStorageNotice />
      <SignInError />
      <Button type="submit" variant="primary" disabled={signingIn}>
        {signingIn ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}

/** A name for this computer in the admin's device list. */
function defaultDeviceName(): string {
  const platform = navigator.userAgent.includes('Windows')
    ? 'Windows'
    : navigator.userAgent.includes('Mac')
      ? 'Mac'
      : 'Linux';
  return `Blockline on ${platform}`;
}

/**
 * The invite: the link (which names the server) or the code and the server's address. Nothing is sent
 * until the person has seen the server's address and confirmed it, so a link cannot quietly sign them
 * in to someone else's server.
 */
function InviteForm({ serverUrl, setServerUrl, opened }: ServerProps & { opened: string | null }) {
  const { session } = useStores();
  const signingIn = useSession((state) => state.signingIn);
  // An opened link goes straight to the confirmation when it is sound, or says what is wrong with it.
  const [fromLink] = useState(() => (opened === null ? null : parseInviteLink(opened)));
  const [invite, setInvite] = useState(opened ?? '');
  const [deviceName, setDeviceName] = useState(defaultDeviceName);
  const [problem, setProblem] = useState<string | null>(
    fromLink !== null && !fromLink.ok ? fromLink.message : null,
  );
  const [confirming, setConfirming] = useState<{ origin: string; code: string } | null>(
    fromLink?.ok === true ? { origin: fromLink.server, code: fromLink.code } : null,
  );
  const parsed = parseInvite(invite);
  const linkServer = parsed?.server ?? null;

  const review = (event: FormEvent) => {
    event.preventDefault();
    if (parsed === null) return setProblem('Paste the invite link, or type the code from the invite.');
    const checked = checkInviteServer(linkServer ?? serverUrl.trim());
    if (!checked.ok) return setProblem(checked.message);
    if (deviceName.trim() === '')
      return setProblem('Name this computer, so your admin can tell your devices apart.');
    setProblem(null);
    setConfirming({ origin: checked.origin, code: parsed.code });
  };
  const redeem = async () => {
    if (confirming === null) return;
    const ok = await session.getState().redeemInvite(confirming.origin, confirming.code, deviceName.trim());
    if (ok) window.localStorage.setItem('blockline.lastServer', confirming.origin);
    else setConfirming(null);
  };

  if (confirming !== null) {
    return (
      <section className="bl-form" aria-labelledby="confirm-heading" data-testid="confirm-server">
        <h2 id="confirm-heading">Sign in to this server?</h2>
        <p>
          The invite will be sent to <strong className="bl-signin__server">{confirming.origin}</strong>.
        </p>
        <p className="bl-muted">
          Continue only if this is your organization’s Blockline server. Invite{' '}
          {formatInviteCode(confirming.code)}, this computer as “{deviceName.trim()}”.
        </p>
        <div className="bl-toolbar">
          <Button variant="primary" onClick={() => void redeem()} disabled={signingIn}>
            {signingIn ? 'Signing in…' : `Sign in to ${new URL(confirming.origin).host}`}
          </Button>
          <Button onClick={() => setConfirming(null)}>Back</Button>
        </div>
      </section>
    );
  }
  return (
    <form className="bl-form" onSubmit={review} noValidate aria-labelledby="signin-heading">
      <TextField
        label="Invite link or code"
        value={invite}
        autoComplete="off"
        onChange={(event) => setInvite(event.target.value)}
        hint="Paste the blockline://invite link from your admin, or type the code."
      />
      {linkServer === null ? (
        <ServerAddressField serverUrl={serverUrl} setServerUrl={setServerUrl} />
      ) : (
        <p className="bl-muted">
          Server from the link: <strong>{linkServer}</strong>
        </p>
      )}
      <TextField
        label="This computer’s name"
        value={deviceName}
        onChange={(event) => setDeviceName(event.target.value)}
      />
      {problem && <Banner tone="error">{problem}</Banner>}
      <SecretStorageNotice />
      <SignInError />
      <Button type="submit" variant="primary">
        Continue
      </Button>
    </form>
  );
}
