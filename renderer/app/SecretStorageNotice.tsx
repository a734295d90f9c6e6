import { useId } from 'react';
import { Button } from '../ui';
import { useSecretStorage, useStores } from './stores';

/**
 * SPEC §11.6: when the computer has no real keychain the app says so, keeps secrets in memory only, and
 * offers the plain file as an explicit choice. Says nothing when the keychain works.
 */
export function SecretStorageNotice() {
  const { secretStorage } = useStores();
  const status = useSecretStorage((state) => state.status);
  const accepting = useSecretStorage((state) => state.accepting);
  const error = useSecretStorage((state) => state.error);
  const headingId = useId();
  if (status === null || status.mode === 'keychain') return null;
  if (status.mode === 'plain-file') {
    if (!status.chosenByUser) return null; // the browser host, which says so on its console
    return (
      <section className="bl-banner bl-banner--info bl-secrets" aria-labelledby={headingId} role="status">
        <h2 id={headingId} className="bl-banner__title">
          Secrets are kept unencrypted
        </h2>
        <p>
          Your token and SIP passwords are in <code>{status.file}</code>, readable only by your user account.
          When a keyring is available (on Linux: GNOME Keyring or KWallet), Blockline moves them there and
          deletes the file.
        </p>
      </section>
    );
  }
  return (
    <section className="bl-banner bl-banner--warning bl-secrets" aria-labelledby={headingId}>
      <h2 id={headingId} className="bl-banner__title">
        Sign-in is not saved on this computer
      </h2>
      <p>{status.reason}</p>
      <p>
        Blockline keeps your token and SIP passwords only until you quit, then asks again. Or keep them in a
        plain file that only your user account can read — but anything that can read your files (a program you
        run, a backup) can read them too.
      </p>
      {error && (
        <p role="alert" className="bl-secrets__error">
          {error}
        </p>
      )}
      <Button
        variant="secondary"
        disabled={accepting}
        onClick={() => void secretStorage.getState().usePlainFile()}
      >
        {accepting ? 'Saving…' : 'Keep secrets in a plain file'}
      </Button>
    </section>
  );
}
