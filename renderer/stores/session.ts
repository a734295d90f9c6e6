import { createStore } from 'zustand/vanilla';
import type { BlocklineApi, Session, WriteError } from '../../shared/contracts/ipc';
import { errorMessage } from '../../shared/error-message';

export interface SessionState {
  /** null until the first `session:get` answers. */
  session: Session | null;
  signingIn: boolean;
  /** The last sign-in refusal, in the server's words. */
  signInError: WriteError | null;
  /**
   * The last blockline://invite link the OS opened the app with (SPEC §12.4), kept here from the start
   * so it waits for the sign-in page; null when none. Nothing is sent until the person confirms.
   */
  openedInvite: string | null;
  load(): Promise<void>;
  signIn(serverUrl: string, token: string): Promise<boolean>;
  /** Redeems an invite on a server the person has confirmed; the server answers with this device's token. */
  redeemInvite(serverUrl: string, code: string, deviceName: string): Promise<boolean>;
  signOut(): Promise<void>;
  /** Stops listening to the main process. */
  dispose(): void;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** Who is signed in, to which server, and whether they may manage (SPEC §6). */
export function createSessionStore(api: BlocklineApi) {
  let unsubscribe: (() => void) | null = null;
  const store = createStore<SessionState>()((set) => ({
    session: null,
    signingIn: false,
    signInError: null,
    openedInvite: null,
    async load() {
      const session = await api.invoke('session:get', undefined);
      set({ session });
    },
    async signIn(serverUrl, token) {
      const trimmedUrl = serverUrl.trim();
      const trimmedToken = token.trim();
      if (!/^https?:\/\/\S+$/.test(trimmedUrl)) {
        set({
          signInError: {
            ok: false,
            code: 'validation_failed',
            message: 'Enter the server address, e.g. https://blockline.example.com',
          },
        });
        return false;
      }
      if (trimmedToken.length < 10) {
        set({
          signInError: {
            ok: false,
            code: 'validation_failed',
            message: 'The token is too short: paste the whole personal token',
          },
        });
        return false;
      }
      set({ signingIn: true, signInError: null });
      try {
        const result = await api.invoke('session:signIn', { serverUrl: trimmedUrl, token: trimmedToken });
        if (result.ok) {
          set({ session: result.value, signingIn: false });
          return true;
        }
        set({ signInError: result, signingIn: false });
        return false;
      } catch (error) {
        set({
          signInError: {
            ok: false,
            code: 'network',
            message: errorMessage(error),
          },
          signingIn: false,
        });
        return false;
      }
    },
    async redeemInvite(serverUrl, code, deviceName) {
      set({ signingIn: true, signInError: null });
      try {
        const result = await api.invoke('session:redeemInvite', { serverUrl, code, deviceName });
        if (result.ok) {
          set({ session: result.value, signingIn: false });
          return true;
        }
        set({ signInError: result, signingIn: false });
        return false;
      } catch (error) {
        set({ signInError: { ok: false, code: 'network', message: errorMessage(error) }, signingIn: false });
        return false;
      }
    },
    async signOut() {
      await api.invoke('session:signOut', undefined);
      set({ session: { signedIn: false }, signInError: null });
    },
    dispose() {
      unsubscribe?.();
      unsubscribe = null;
    },
  }));
  const offSession = api.on('session:changed', (session) => store.setState({ session }));
  const offInvite = api.on('invite:open', ({ link }) => store.setState({ openedInvite: link }));
  unsubscribe = () => {
    offSession();
    offInvite();
  };
  return store;
}

/** Whether the signed-in user may change rules and settings; false while signed out. */
export function canManage(session: Session | null): boolean {
  return session !== null && session.signedIn && session.me.canManage;
}
