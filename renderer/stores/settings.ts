import { createStore } from 'zustand/vanilla';
import type { BlocklineApi, SipAccount, WriteError } from '../../shared/contracts/ipc';
import {
  settingsFieldOf,
  type OrgSettings,
  type OrgSettingsField,
  type OrgSettingsPatch,
} from '../../shared/settings';
import { safeWrite, type WriteOutcome } from '../app/api';
import { errorMessage } from '../../shared/error-message';

/** A field of the org settings form, named by its path (`autoBlock.threshold`). */
export type SettingsField = OrgSettingsField;

export interface PhoneAccountEntry {
  account: SipAccount;
  hasPassword: boolean;
  /** TURN URLs whose credential is saved. */
  savedIceCredentials?: string[];
}

export interface SettingsStoreState {
  /** Fields whose change is on its way to the server. */
  pending: Partial<Record<SettingsField, true>>;
  /** The server's refusal for a field, in its words, shown next to that field. */
  errors: Partial<Record<SettingsField, WriteError>>;
  accounts: PhoneAccountEntry[];
  accountsError: string | null;
  /** Increases after every saved or removed account, so the phone restarts with the new setup. */
  accountsVersion: number;
  /**
   * Sends one change. The form shows the synced value, not the attempted one, so a refused change
   * simply leaves the field as the server has it, with the error beside it.
   */
  update(field: SettingsField, patch: OrgSettingsPatch): Promise<WriteOutcome<OrgSettings>>;
  clearError(field: SettingsField): void;
  loadAccounts(): Promise<void>;
  /** `iceCredentials`: TURN credentials typed now, by server URL (kept with the other secrets). */
  saveAccount(
    account: SipAccount,
    password: string | undefined,
    iceCredentials?: Record<string, string>,
  ): Promise<boolean>;
  removeAccount(accountId: string): Promise<boolean>;
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;

/** Org settings writes (SPEC §7.2) and this machine's SIP accounts (SPEC §7.4). */
export function createSettingsStore(api: BlocklineApi) {
  return createStore<SettingsStoreState>()((set, get) => ({
    pending: {},
    errors: {},
    accounts: [],
    accountsError: null,
    accountsVersion: 0,
    async update(field, patch) {
      set({ pending: { ...get().pending, [field]: true }, errors: withoutKey(get().errors, field) });
      const result = await safeWrite(() => api.invoke('settings:update', patch));
      const pending = withoutKey(get().pending, field);
      set(result.ok ? { pending } : { pending, errors: { ...get().errors, [field]: result } });
      return result;
    },
    clearError(field) {
      set({ errors: withoutKey(get().errors, field) });
    },
    async loadAccounts() {
      try {
        set({ accounts: await api.invoke('phone:accounts', undefined), accountsError: null });
      } catch (error) {
        set({ accountsError: errorMessage(error) });
      }
    },
    async saveAccount(account, password, iceCredentials) {
      try {
        await api.invoke('phone:saveAccount', {
          account,
          ...(password === undefined || password === '' ? {} : { password }),
          ...(iceCredentials && Object.keys(iceCredentials).length > 0 ? { iceCredentials } : {}),
        });
        set({ accountsVersion: get().accountsVersion + 1 });
        await get().loadAccounts();
        return true;
      } catch (error) {
        set({ accountsError: errorMessage(error) });
        return false;
      }
    },
    async removeAccount(accountId) {
      try {
        await api.invoke('phone:removeAccount', { accountId });
        set({ accountsVersion: get().accountsVersion + 1 });
        await get().loadAccounts();
        return true;
      } catch (error) {
        set({ accountsError: errorMessage(error) });
        return false;
      }
    },
  }));
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** The message for a field from the issues a refusal names, else the refusal's own message. */
export function messageForField(error: WriteError, field: SettingsField): string {
  return (
    (error.details?.issues ?? []).find((issue) => settingsFieldOf(issue.path) === field)?.message ??
    error.message
  );
}
