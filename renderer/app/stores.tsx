import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { BlocklineApi } from '../../shared/contracts/ipc';
import { createActivityStore, type ActivityStoreState } from '../stores/activity';
import { createAuditStore, type AuditStoreState } from '../stores/audit';
import { createBlocklistStore, type BlocklistStoreState } from '../stores/blocklist';
import { createInsightStore, type InsightStoreState } from '../stores/insight';
import { createPeopleStore, type PeopleStoreState } from '../stores/people';
import { createCallsStore, type CallsStoreState } from '../stores/calls';
import { createCompanionStore, type CompanionState } from '../stores/companion';
import { createHistoryStore, type HistoryStoreState } from '../stores/history';
import { createInboxStore, type InboxStoreState } from '../stores/inbox';
import { createPhoneStore, type PhoneStoreState } from '../stores/phone';
import { createSecretStorageStore, type SecretStorageState } from '../stores/secret-storage';
import { createSessionStore, type SessionState } from '../stores/session';
import { createSettingsStore, type SettingsStoreState } from '../stores/settings';
import { createSyncStore, type SyncStoreState } from '../stores/sync';

/** One store per concern, created once per app with the host's API. */
export interface AppStores {
  api: BlocklineApi;
  session: StoreApi<SessionState>;
  sync: StoreApi<SyncStoreState>;
  blocklist: StoreApi<BlocklistStoreState>;
  settings: StoreApi<SettingsStoreState>;
  phone: StoreApi<PhoneStoreState>;
  calls: StoreApi<CallsStoreState>;
  history: StoreApi<HistoryStoreState>;
  activity: StoreApi<ActivityStoreState>;
  audit: StoreApi<AuditStoreState>;
  insight: StoreApi<InsightStoreState>;
  people: StoreApi<PeopleStoreState>;
  secretStorage: StoreApi<SecretStorageState>;
  inbox: StoreApi<InboxStoreState>;
  companion: StoreApi<CompanionState>;
}

export function createAppStores(api: BlocklineApi, storage: Storage | null): AppStores {
  return {
    api,
    session: createSessionStore(api),
    sync: createSyncStore(api),
    blocklist: createBlocklistStore(api),
    settings: createSettingsStore(api),
    phone: createPhoneStore(storage),
    calls: createCallsStore(),
    history: createHistoryStore(api),
    activity: createActivityStore(api),
    audit: createAuditStore(api),
    insight: createInsightStore(api),
    people: createPeopleStore(api),
    secretStorage: createSecretStorageStore(api),
    inbox: createInboxStore(api),
    companion: createCompanionStore(storage),
  };
}

const StoresContext = createContext<AppStores | null>(null);

export function StoresProvider({ stores, children }: { stores: AppStores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

export function useStores(): AppStores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores outside StoresProvider');
  return stores;
}

export const useSession = <T,>(select: (state: SessionState) => T) => useStore(useStores().session, select);
export const useSync = <T,>(select: (state: SyncStoreState) => T) => useStore(useStores().sync, select);
export const useBlocklist = <T,>(select: (state: BlocklistStoreState) => T) =>
  useStore(useStores().blocklist, select);
export const useSettingsStore = <T,>(select: (state: SettingsStoreState) => T) =>
  useStore(useStores().settings, select);
export const usePhone = <T,>(select: (state: PhoneStoreState) => T) => useStore(useStores().phone, select);
export const useCalls = <T,>(select: (state: CallsStoreState) => T) => useStore(useStores().calls, select);
export const useHistory = <T,>(select: (state: HistoryStoreState) => T) =>
  useStore(useStores().history, select);
export const useActivity = <T,>(select: (state: ActivityStoreState) => T) =>
  useStore(useStores().activity, select);
export const useAudit = <T,>(select: (state: AuditStoreState) => T) => useStore(useStores().audit, select);
export const useInsight = <T,>(select: (state: InsightStoreState) => T) =>
  useStore(useStores().insight, select);
export const usePeople = <T,>(select: (state: PeopleStoreState) => T) => useStore(useStores().people, select);
export const useCompanion = <T,>(select: (state: CompanionState) => T) =>
  useStore(useStores().companion, select);
export const useSecretStorage = <T,>(select: (state: SecretStorageState) => T) =>
  useStore(useStores().secretStorage, select);
export const useInbox = <T,>(select: (state: InboxStoreState) => T) => useStore(useStores().inbox, select);
