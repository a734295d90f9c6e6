import { createStore } from 'zustand/vanilla';
import type { BlocklineApi, SecretStorageStatus } from '../../shared/contracts/ipc';
import { errorMessage } from '../../shared/error-message';

export interface SecretStorageState {
  /** null until the first `secrets:status` answers. */
  status: SecretStorageStatus | null;
  accepting: boolean;
  error: string | null;
  load(): Promise<void>;
  /** The user accepts the plain file (SPEC §11.6); returns whether the host now uses it. */
  usePlainFile(): Promise<boolean>;
}

/** Where the host keeps the token and SIP passwords, and the user's plain-file choice. */
export function createSecretStorageStore(api: BlocklineApi) {
  return createStore<SecretStorageState>()((set) => ({
    status: null,
    accepting: false,
    error: null,
    async load() {
      try {
        set({ status: await api.invoke('secrets:status', undefined), error: null });
      } catch (error) {
        set({ error: errorMessage(error) });
      }
    },
    async usePlainFile() {
      set({ accepting: true, error: null });
      try {
        const status = await api.invoke('secrets:usePlainFile', undefined);
        set({ status, accepting: false });
        return status.mode === 'plain-file';
      } catch (error) {
        set({ accepting: false, error: errorMessage(error) });
        return false;
      }
    },
  }));
}

/** One sentence for a password or token field: where what is typed there will be kept. */
export function secretStorageHint(status: SecretStorageStatus | null): string {
  if (status === null) return '';
  if (status.mode === 'keychain') return `Kept in the ${status.backend}.`;
  if (status.mode === 'plain-file') return 'Kept unencrypted in a file only your user account can read.';
  return 'Not saved on this computer: kept only until you quit Blockline.';
}
