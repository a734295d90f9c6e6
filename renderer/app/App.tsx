import { useEffect, useState } from 'react';
import { SignIn } from './SignIn';
import { Shell } from './Shell';
import { useSession, useStores } from './stores';
import { usePhoneController } from './controller';
import { errorMessage } from '../../shared/error-message';

/** Loads what the main process knows, then shows sign-in or the app. */
export function App() {
  const stores = useStores();
  const controller = usePhoneController();
  const session = useSession((state) => state.session);
  const [startError, setStartError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([
      stores.session.getState().load(),
      stores.sync.getState().load(),
      stores.secretStorage.getState().load(),
    ]).catch((error: unknown) => setStartError(errorMessage(error)));
  }, [stores]);

  const signedIn = session?.signedIn === true;
  useEffect(() => {
    if (!signedIn) {
      void controller.suspend();
      return;
    }
    // The list and settings load before any line registers (SPEC §5.2).
    void (async () => {
      try {
        await Promise.all([
          stores.blocklist.getState().load(),
          stores.sync.getState().load(),
          stores.history.getState().load(),
        ]);
        await controller.restart();
      } catch (error) {
        console.error('start-up after sign-in failed', error);
      }
    })();
  }, [signedIn, stores, controller]);

  if (startError) {
    return (
      <main className="bl-signin">
        <div className="bl-signin__card" role="alert">
          <h1 className="bl-brand">Blockline</h1>
          <p>The app could not reach its background service: {startError}</p>
        </div>
      </main>
    );
  }
  if (session === null) {
    return (
      <main className="bl-signin">
        <p className="bl-muted" role="status">
          Starting…
        </p>
      </main>
    );
  }
  return session.signedIn ? <Shell /> : <SignIn />;
}
