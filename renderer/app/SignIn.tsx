import { useState, type FormEvent } from 'react';
import { Banner, Button, TextField } from '../ui';
import { secretStorageHint } from '../stores/secret-storage';
import { SecretStorageNotice } from './SecretStorageNotice';
import { useSecretStorage, useSession, useStores } from './stores';

/** SPEC §6.2: the server's address and a personal token; the host keeps the token in the keychain (§11.6). */
export function SignIn() {
  const { session } = useStores();
  const signingIn = useSession((state) => state.signingIn);
  const error = useSession((state) => state.signInError);
  const [serverUrl, setServerUrl] = useState(
    () => window.localStorage.getItem('blockline.lastServer') ?? 'https://',
  );
  const [token, setToken] = useState('');
  const storage = useSecretStorage((state) => state.status);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await session.getState().signIn(serverUrl, token);
    if (ok) window.localStorage.setItem('blockline.lastServer', serverUrl.trim());
  };
  return (
    <main className="bl-signin">
      <form
        className="bl-signin__card bl-form"
        onSubmit={(event) => void submit(event)}
        noValidate
        aria-labelledby="signin-heading"
      >
        <h1 id="signin-heading" className="bl-brand">
          Blockline
        </h1>
        <p className="bl-muted">Sign in to your organization’s Blockline server.</p>
        <TextField
          label="Server address"
          type="url"
          value={serverUrl}
          autoComplete="url"
          onChange={(event) => setServerUrl(event.target.value)}
        />
        <TextField
          label="Personal token"
          type="password"
          value={token}
          autoComplete="off"
          onChange={(event) => setToken(event.target.value)}
          hint={`Your admin gives you this token. ${secretStorageHint(storage)}`.trim()}
        />
        <SecretStorageNotice />
        {error && (
          <Banner tone="error" title="Could not sign in">
            {error.message}
          </Banner>
        )}
        <Button type="submit" variant="primary" disabled={signingIn}>
          {signingIn ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}
