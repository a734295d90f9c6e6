/**
 * The main-process services shared by both hosts (Electron and the browser host): the store, the
 * secrets, the sync client and the call-report queue, behind one `handle(channel, request)` that
 * implements every channel of the shared IPC map and one typed event emitter for its events.
 * Electron-only behaviours (notifications, the tray) come in through `NativeIntegration`.
 */
import path from 'node:path';
import type { CallReport, Change } from '../shared/contracts/api';
import type {
  AppInfo,
  Availability,
  EventChannel,
  EventPayload,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
  Session,
  SyncState,
  WriteError,
} from '../shared/contracts/ipc';
import { EventListeners } from '../shared/contracts/event-listeners';
import { isLoopbackHost } from '../shared/invite-link';
import { OrgApiClient, normalizeServerUrl, type ApiResult, type FetchLike } from './api-client';
import type { BackoffOptions } from './backoff';
import { assertInvokeChannel, parseInvokeRequest, type ParsedInvokeRequest } from './ipc-guard';
import { ReportQueue } from './report-queue';
import type { SecretStorageControl } from './secret-storage';
import { iceCredentialKey, SERVER_TOKEN_KEY, sipPasswordKey, type SecretStore } from './secrets';
import { isTurnUrl } from '../shared/ice-servers';
import type { LocalStore } from './local-store';
import { SyncClient } from './sync-client';
import { AnnouncementCache } from './announcement-cache';
import { createCompanionHandlers } from './crm-companion';
import { WrapUpQueue } from './wrap-up-queue';
import type { TrayStatusInput } from './tray-menu';

export interface TrayStatus extends TrayStatusInput {
  sync: SyncState;
  /** Missed calls not yet seen in the history. */
  missedCalls: number;
}

/** What only a desktop host can do; the browser host leaves these out. */
export interface NativeIntegration {
  /** Shows a native notification for an incoming call; returns whether it was shown. */
  notifyIncomingCall?: (call: { callId: string; caller: string; line: string | null }) => boolean;
  /** Called whenever anything the tray shows changes. */
  onTrayStatus?: (status: TrayStatus) => void;
  /** Opens a screen-pop URL in the system browser (SPEC §10.11); the URL is already checked. */
  openExternal?: (url: string) => Promise<void> | void;
}

export interface MainServicesOptions {
  store: LocalStore;
  secrets: SecretStore;
  /** Where secrets are kept, and the user's plain-file choice (SPEC §11.6); defaults to what `secrets` says. */
  secretStorage?: SecretStorageControl;
  fetch: FetchLike;
  now: () => Date;
  random: () => number;
  appInfo: AppInfo;
  native?: NativeIntegration;
  log?: (message: string) => void;
  backoff?: BackoffOptions;
  idleTimeoutMs?: number;
  /** How often queued call reports are retried while online. */
  reportRetryMs?: number;
  /** Every change the sync client applies, in order (diagnostics and tests). */
  onSyncChange?: (change: Change) => void;
  /** How long a bulk create (up to 500 rules a call) may take before it is given up. */
  bulkWriteTimeoutMs?: number;
  /** Where the org's announcement clips are kept (default: `announcements/` in the store's folder). */
  announcementsDir?: string;
}

/**
 * A bulk create inserts hundreds of rules on a server that may be busy with the rest of an import;
 * it gets far longer than the ordinary per-request timeout (which stays short for everything else).
 */
export const BULK_WRITE_TIMEOUT_MS = 120_000;

/** An upload is decoded and normalized on the server: up to 5 MB may take a while on a busy one. */
const UPLOAD_TIMEOUT_MS = 60_000;

type Handlers = { [C in InvokeChannel]: (request: ParsedInvokeRequest<C>) => Promise<InvokeResponse<C>> };
type AnyEventListener = <C extends EventChannel>(channel: C, payload: EventPayload<C>) => void;

export interface MainServices {
  /** Validates the channel and the request (throws IpcRefusedError), then runs the handler. */
  handle(channel: unknown, request: unknown): Promise<unknown>;
  /** Typed, validated call for code in the main process itself (tray menu, tests). */
  invoke<C extends InvokeChannel>(channel: C, request: unknown): Promise<InvokeResponse<C>>;
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
  /** Every event, for forwarding to windows or WebSocket clients. */
  onAny(listener: AnyEventListener): () => void;
  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void;
  /** Starts syncing (when signed in) and the report retry timer. */
  start(): void;
  stop(): Promise<void>;
  trayStatus(): TrayStatus;
  readonly sync: SyncClient;
  readonly reports: ReportQueue;
  readonly announcements: AnnouncementCache;
  readonly wrapUps: WrapUpQueue;
}

const OFFLINE_MESSAGE =
  'You are offline: the change was not sent to the server and has not been saved. Try again when the app shows it is synced.';

function localDay(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Only https:, or http: to this computer (tests, a server on the same machine). */
function checkServerUrl(input: string): { ok: true; value: string } | WriteError {
  const url = new URL(input);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return {
      ok: false,
      code: 'bad_request',
      message: `The server address must start with https:// (http:// is allowed only for this computer): ${input}`,
    };
  }
  return { ok: true, value: normalizeServerUrl(url.toString()) };
}

/** For a store that cannot change where it keeps secrets (tests, throwaway sessions). */
function storageOf(secrets: SecretStore): SecretStorageControl {
  const status = () =>
    secrets.encrypted
      ? { mode: 'keychain' as const, backend: 'the system keychain' }
      : { mode: 'not-stored' as const, reason: 'This session keeps secrets in memory only.', plainFile: '' };
  return { status, usePlainFile: status };
}

export function createMainServices(options: MainServicesOptions): MainServices {
  const { store, secrets } = options;
  const log = options.log ?? (() => {});
  const secretStorage = options.secretStorage ?? storageOf(secrets);
  const listeners = new EventListeners();
  const anyListeners = new Set<AnyEventListener>();
  let phoneStatus: InvokeRequest<'phone:status'> = { registeredLines: 0, totalLines: 0 };
  let availability: Availability | undefined;
  let missedCalls = 0;
  let retryTimer: NodeJS.Timeout | null = null;

  function emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    listeners.dispatch(channel, payload, (error) =>
      log(`event listener for ${channel} failed: ${String(error)}`),
    );
    for (const listener of anyListeners) {
      try {
        listener(channel, payload);
      } catch (error) {
        log(`event forwarder for ${channel} failed: ${String(error)}`);
      }
    }
  }

  const currentApi = (timeoutMs?: number): OrgApiClient | null => {
    const session = store.getSession();
    const token = secrets.get(SERVER_TOKEN_KEY);
    if (session === null || token === null) return null;
    return new OrgApiClient({
      serverUrl: session.serverUrl,
      token,
      fetch: options.fetch,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  };

  const sessionValue = (): Session => {
    const session = store.getSession();
    if (session === null || secrets.get(SERVER_TOKEN_KEY) === null) return { signedIn: false };
    return { signedIn: true, serverUrl: session.serverUrl, me: session.me };
  };

  const trayStatus = (): TrayStatus => ({
    ...phoneStatus,
    ...(availability === undefined ? {} : { availability }),
    missedCalls,
    sync: sync.getState(),
    blockedToday: store.blockedCallsOn(localDay(options.now())),
    canManage: store.getSession()?.me.canManage ?? false,
  });
  const publishTrayStatus = () => options.native?.onTrayStatus?.(trayStatus());

  const reports = new ReportQueue({
    store,
    getApi: () => currentApi(),
    isOnline: () => sync.isOnline(),
    log,
  });
  const wrapUps = new WrapUpQueue({
    store,
    getApi: () => currentApi(),
    isOnline: () => sync.isOnline(),
    reportPending: (reportId) => store.getPendingReports().some((report) => report.id === reportId),
    log,
  });
  // Wrap-ups go after the reports they name (SPEC §10.11).
  const flushWrapUps = () => {
    if (wrapUps.size() === 0) return;
    void wrapUps.flush().then((result) => {
      if (result.error !== null && result.error !== 'offline')
        log(`wrap-ups: ${result.remaining} waiting: ${result.error}`);
    });
  };
  const flushReports = () => {
    if (reports.size() === 0) return flushWrapUps();
    void reports.flush().then((result) => {
      if (result.error !== null && result.error !== 'offline')
        log(`reports: ${result.remaining} waiting: ${result.error}`);
      flushWrapUps();
    });
  };

  const announcements = new AnnouncementCache({
    dir: options.announcementsDir ?? path.join(store.dir, 'announcements'),
    source: () => currentApi(),
    onChange: (state) => emit('announcements:changed', state),
    log,
  });

  const sync = new SyncClient({
    store,
    announcements,
    secrets,
    fetch: options.fetch,
    now: options.now,
    random: options.random,
    log,
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    ...(options.onSyncChange === undefined ? {} : { onChangeApplied: options.onSyncChange }),
    onState: (state) => {
      emit('sync:state', state);
      publishTrayStatus();
      if (state.status === 'synced') {
        flushReports();
        announcements.retry();
      }
    },
    onBlocklist: (state) => emit('blocklist:changed', state),
  });

  /** Lead writes go to the server only while online, and return what the server said. */
  async function write<T>(
    send: (api: OrgApiClient) => Promise<ApiResult<T>>,
    timeoutMs?: number,
  ): Promise<ApiResult<T>> {
    const api = currentApi(timeoutMs);
    if (api === null) return { ok: false, code: 'unauthorized', message: 'Sign in to the org server first.' };
    if (!sync.isOnline()) return { ok: false, code: 'offline', message: OFFLINE_MESSAGE };
    return send(api);
  }

  async function signIn(
    serverUrlInput: string,
    token: string,
  ): Promise<{ ok: true; value: Session } | WriteError> {
    const checked = checkServerUrl(serverUrlInput);
    if (!checked.ok) return checked;
    const serverUrl = checked.value;
    const me = await new OrgApiClient({ serverUrl, token, fetch: options.fetch }).me();
    if (!me.ok) {
      if (me.code === 'unauthorized') return { ...me, message: 'The server did not accept this token.' };
      return me;
    }
    const cached = store.getBlocklist();
    const sameOrg = cached.serverUrl === serverUrl && cached.orgId === me.value.org.id;
    await sync.stop();
    secrets.set(SERVER_TOKEN_KEY, token);
    store.setSession({ serverUrl, me: me.value });
    if (!sameOrg) {
      // Another org's list, reports or recordings meant for another server must not leak into this one.
      store.setPendingReports([]);
      store.setPendingWrapUps([]);
      await sync.reset();
      await announcements.clear();
    }
    const session = sessionValue();
    emit('session:changed', session);
    sync.start();
    publishTrayStatus();
    return { ok: true, value: session };
  }

  const handlers: Handlers = {
    'app:info': async () => ({
      ...options.appInfo,
      capabilities: {
        ...options.appInfo.capabilities,
        openExternal: options.native?.openExternal !== undefined,
      },
    }),
    'session:get': async () => sessionValue(),
    'session:signIn': async ({ serverUrl, token }) => signIn(serverUrl, token),
    'session:signOut': async () => {
      await sync.stop();
      secrets.delete(SERVER_TOKEN_KEY);
      store.setSession(null);
      store.setPendingReports([]);
      store.setPendingWrapUps([]);
      await sync.reset();
      await announcements.clear();
      emit('session:changed', { signedIn: false });
      publishTrayStatus();
      return { ok: true };
    },
    'blocklist:get': async () => sync.getBlocklistState(),
    'sync:state': async () => sync.getState(),
    'rules:create': (input) => write((api) => api.createRule(input)),
    'rules:bulkCreate': ({ entries, source }) =>
      write(
        (api) => api.bulkCreateRules(entries, source),
        options.bulkWriteTimeoutMs ?? BULK_WRITE_TIMEOUT_MS,
      ),
    'rules:update': ({ id, patch }) => write((api) => api.updateRule(id, patch)),
    'rules:delete': ({ id }) => write((api) => api.deleteRule(id)),
    'rules:testNumber': ({ number, line }) => write((api) => api.testNumber(number, line)),
    'rules:exportCsv': () => write((api) => api.exportCsv()),
    'settings:update': (patch) => write((api) => api.updateSettings(patch)),
    'lines:setAnnouncementMode': async ({ number, mode }) => {
      const result = await write(async (api) => {
        const changed = await api.setLineAnnouncementMode(number, mode);
        return changed.ok ? api.lines() : changed;
      });
      return result.ok ? { ok: true, value: result.value.lines } : result;
    },
    'inbox:get': () =>
      write(async (api) => {
        const [reviews, requests] = await Promise.all([api.autoBlockReviews(), api.blockRequests()]);
        if (!reviews.ok) return reviews;
        if (!requests.ok) return requests;
        return { ok: true, value: { reviews: reviews.value.items, requests: requests.value.items } };
      }),
    'inbox:decideReview': ({ ruleId, decision }) =>
      write((api) => api.decideAutoBlockReview(ruleId, decision)),
    'inbox:resolveRequest': ({ id, resolution }) => write((api) => api.resolveBlockRequest(id, resolution)),
    'blockRequests:create': (input) => write((api) => api.createBlockRequest(input)),
    'lines:setPbxAutoAnswer': async ({ number, enabled }) => {
      const result = await write(async (api) => {
        const changed = await api.updateLine(number, { pbxAutoAnswer: enabled });
        return changed.ok ? api.lines() : changed;
      });
      return result.ok ? { ok: true, value: result.value.lines } : result;
    },
    'calls:report': async (report: CallReport) => {
      const queued = reports.enqueue(report);
      if (report.direction === 'inbound' && report.action === 'block') {
        store.countBlockedCall(localDay(options.now()));
        publishTrayStatus();
      }
      flushReports();
      return { queued };
    },
    'calls:emergencyPlaced': async ({ at }) => {
      store.setLastEmergencyAt(at);
      return { ok: true };
    },
    'calls:lastEmergency': async () => ({ at: store.getLastEmergencyAt() }),
    'history:list': async () => store.getHistory(),
    'history:add': async (entry) => {
      store.addHistoryEntry(entry);
      return { ok: true };
    },
    'history:clear': async () => {
      store.clearHistory();
      return { ok: true };
    },
    'phone:accounts': async () =>
      store.getSipAccounts().map((account) => {
        const saved = turnUrls(account).filter(
          (url) => secrets.get(iceCredentialKey(account.id, url)) !== null,
        );
        return {
          account,
          hasPassword: secrets.get(sipPasswordKey(account.id)) !== null,
          ...(saved.length > 0 ? { savedIceCredentials: saved } : {}),
        };
      }),
    'phone:credentials': async ({ accountId }) => {
      const account = store.getSipAccounts().find((candidate) => candidate.id === accountId);
      if (!account) return { password: null };
      const iceCredentials: Record<string, string> = {};
      for (const url of turnUrls(account)) {
        const credential = secrets.get(iceCredentialKey(accountId, url));
        if (credential !== null) iceCredentials[url] = credential;
      }
      const password = secrets.get(sipPasswordKey(accountId));
      return Object.keys(iceCredentials).length > 0 ? { password, iceCredentials } : { password };
    },
    'phone:saveAccount': async ({ account, password, iceCredentials }) => {
      if (password !== undefined) {
        if (password === '') secrets.delete(sipPasswordKey(account.id));
        else secrets.set(sipPasswordKey(account.id), password);
      }
      const keep = new Set(turnUrls(account));
      for (const [url, credential] of Object.entries(iceCredentials ?? {})) {
        if (credential === '' || !keep.has(url)) secrets.delete(iceCredentialKey(account.id, url));
        else secrets.set(iceCredentialKey(account.id, url), credential);
      }
      // A server taken off the list takes its credential with it.
      const previous = store.getSipAccounts().find((candidate) => candidate.id === account.id);
      for (const url of previous ? turnUrls(previous) : [])
        if (!keep.has(url)) secrets.delete(iceCredentialKey(account.id, url));
      store.saveSipAccount(account);
      return { ok: true };
    },
    'phone:removeAccount': async ({ accountId }) => {
      const previous = store.getSipAccounts().find((candidate) => candidate.id === accountId);
      store.removeSipAccount(accountId);
      secrets.delete(sipPasswordKey(accountId));
      for (const url of previous ? turnUrls(previous) : []) secrets.delete(iceCredentialKey(accountId, url));
      return { ok: true };
    },
    'tray:missedCalls': async ({ count }) => {
      missedCalls = count;
      publishTrayStatus();
      return { ok: true };
    },
    'phone:status': async (status) => {
      phoneStatus = status;
      publishTrayStatus();
      return { ok: true };
    },
    'tray:availability': async (request) => {
      availability = request.availability;
      publishTrayStatus();
      return { ok: true };
    },
    'notify:incomingCall': async (call) => ({ shown: options.native?.notifyIncomingCall?.(call) ?? false }),
    'oversight:statsBlocked': (query) => write((api) => api.statsBlocked(query)),
    'oversight:statsTop': (query) => write((api) => api.statsTop(query)),
    'oversight:audit': (query) => write((api) => api.audit(query)),
    'oversight:insight': ({ number }) => write((api) => api.insight(number)),
    'people:list': () => write((api) => api.users()),
    'people:update': ({ id, patch }) => write((api) => api.updateUser(id, patch)),
    'people:devices': ({ id }) => write((api) => api.userTokens(id)),
    'people:revokeDevice': ({ tokenId }) => write((api) => api.revokeToken(tokenId)),
    'people:revokeAll': ({ id }) => write((api) => api.revokeUserTokens(id)),
    'people:invite': (input) => write((api) => api.createInvite(input)),
    'session:redeemInvite': async ({ serverUrl: input, code, deviceName }) => {
      const checked = checkServerUrl(input);
      if (!checked.ok) return checked;
      const client = new OrgApiClient({ serverUrl: checked.value, token: '', fetch: options.fetch });
      const redeemed = await client.redeemInvite({ code, deviceName });
      if (!redeemed.ok) return redeemed;
      return signIn(checked.value, redeemed.value.token);
    },
    'secrets:status': async () => secretStorage.status(),
    'secrets:usePlainFile': async () => secretStorage.usePlainFile(),
    'announcements:state': async () => announcements.state(),
    'announcements:get': async ({ kind }) => {
      const clip = await announcements.audio(kind);
      return clip === null
        ? null
        : { info: clip.info, audioBase64: Buffer.from(clip.audio).toString('base64') };
    },
    'announcements:upload': ({ kind, contentType, audioBase64 }) =>
      write(
        (api) => api.putAnnouncement(kind, Buffer.from(audioBase64, 'base64'), contentType),
        UPLOAD_TIMEOUT_MS,
      ),
    'announcements:revert': ({ kind }) => write((api) => api.deleteAnnouncement(kind)),
    ...createCompanionHandlers({
      store,
      wrapUps,
      ...(options.native?.openExternal === undefined ? {} : { openExternal: options.native.openExternal }),
      flush: flushReports,
      now: options.now,
      log,
    }),
  };

  async function run<C extends InvokeChannel>(channel: C, request: unknown): Promise<InvokeResponse<C>> {
    const parsed = parseInvokeRequest(channel, request);
    return handlers[channel](parsed);
  }

  return {
    sync,
    reports,
    announcements,
    wrapUps,
    handle: async (channel, request) => run(assertInvokeChannel(channel), request),
    invoke: run,
    on: (channel, listener) => listeners.add(channel, listener),
    onAny(listener) {
      anyListeners.add(listener);
      return () => void anyListeners.delete(listener);
    },
    emit,
    start() {
      sync.start();
      if (retryTimer === null) {
        retryTimer = setInterval(flushReports, options.reportRetryMs ?? 30_000);
        retryTimer.unref();
      }
      publishTrayStatus();
    },
    async stop() {
      if (retryTimer !== null) clearInterval(retryTimer);
      retryTimer = null;
      await sync.stop();
    },
    trayStatus,
  };
}

function turnUrls(account: { iceServers: ReadonlyArray<{ url: string }> }): string[] {
  return account.iceServers.map((server) => server.url).filter(isTurnUrl);
}
