/**
 * `window.blockline` for the renderer when it runs in an ordinary browser, served by the browser host
 * (host/browser-host.ts): the same `BlocklineApi` as Electron's preload, over a WebSocket to the host.
 *  - Calls made while the socket is (re)connecting wait for it, up to `connectTimeoutMs`.
 *  - When the socket drops, every pending call rejects with a clear error (nothing hangs), and the
 *    bridge reconnects with a growing delay.
 *  - After a reconnect, events missed meanwhile are made good: the bridge fetches the session, sync
 *    state and list and delivers them to the listeners as events.
 */
import { EventListeners } from '../../shared/contracts/event-listeners';
import {
  isEventChannel,
  type BlocklineApi,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
} from '../../shared/contracts/ipc';
import {
  BRIDGE_PATH,
  BRIDGE_SECRET_PARAM,
  bridgeServerMessageSchema,
  type BridgeInvokeMessage,
} from '../../shared/contracts/bridge';

export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** The part of the WebSocket class the bridge uses (the browser's, or `ws` in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export type BridgeConnectionState = 'connecting' | 'open' | 'closed';

export interface BrowserBridgeOptions {
  /** ws://127.0.0.1:PORT/ipc?secret=… */
  url: string;
  createSocket?: WebSocketFactory;
  connectTimeoutMs?: number;
  maxReconnectDelayMs?: number;
}

export interface BrowserBridge extends BlocklineApi {
  readonly connectionState: BridgeConnectionState;
  onConnectionChange(listener: (state: BridgeConnectionState) => void): () => void;
  /** Closes the socket for good; pending and later calls reject. */
  close(): void;
}

const OPEN = 1;

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function createBrowserBridge(options: BrowserBridgeOptions): BrowserBridge {
  const createSocket: WebSocketFactory = options.createSocket ?? ((url) => new WebSocket(url));
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 5_000;
  const pending = new Map<number, PendingCall>();
  const listeners = new EventListeners();
  const connectionListeners = new Set<(state: BridgeConnectionState) => void>();
  let waitingForOpen: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let state: BridgeConnectionState = 'connecting';
  let closedForGood = false;
  let reconnectAttempt = 0;
  let everOpened = false;

  const setState = (next: BridgeConnectionState) => {
    if (state === next) return;
    state = next;
    for (const listener of connectionListeners) listener(next);
  };

  const dispatch = <C extends EventChannel>(channel: C, payload: EventPayload<C>) =>
    listeners.dispatch(channel, payload, (error) =>
      console.error(`blockline: a listener for ${channel} failed`, error),
    );

  const failPending = (message: string) => {
    for (const [id, call] of pending) {
      pending.delete(id);
      call.reject(new BridgeError('disconnected', message));
    }
  };

  const connect = () => {
    if (closedForGood) return;
    setState('connecting');
    const current = createSocket(options.url);
    socket = current;
    current.onopen = () => {
      if (socket !== current) return;
      const reconnected = everOpened;
      everOpened = true;
      reconnectAttempt = 0;
      setState('open');
      const waiters = waitingForOpen;
      waitingForOpen = [];
      for (const waiter of waiters) waiter.resolve();
      if (reconnected) void catchUpAfterReconnect();
    };
    current.onmessage = (event) => {
      if (socket !== current || typeof event.data !== 'string') return;
      let message;
      try {
        message = bridgeServerMessageSchema.parse(JSON.parse(event.data));
      } catch {
        console.error('blockline: unreadable message from the host');
        return;
      }
      if (message.type === 'event') {
        if (isEventChannel(message.channel))
          dispatch(message.channel, message.payload as EventPayload<typeof message.channel>);
        return;
      }
      const call = pending.get(message.id);
      if (call === undefined) return;
      pending.delete(message.id);
      if (message.ok) call.resolve(message.response);
      else call.reject(new BridgeError(message.error.code, message.error.message));
    };
    current.onerror = () => {
      // onclose follows; the reason is reported there.
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      failPending('The connection to the Blockline host was lost before it answered; try again.');
      if (closedForGood) {
        setState('closed');
        return;
      }
      setState('connecting');
      const delay = Math.min(maxReconnectDelayMs, 250 * 2 ** reconnectAttempt++);
      setTimeout(connect, delay);
    };
  };

  const whenOpen = (): Promise<void> => {
    if (closedForGood) return Promise.reject(new BridgeError('closed', 'The Blockline bridge is closed.'));
    if (socket !== null && socket.readyState === OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        waitingForOpen = waitingForOpen.filter((entry) => entry !== waiter);
        reject(new BridgeError('disconnected', 'Cannot reach the Blockline host: is it still running?'));
      }, connectTimeoutMs);
      waitingForOpen.push(waiter);
    });
  };

  async function invoke<C extends InvokeChannel>(
    channel: C,
    request: InvokeRequest<C>,
  ): Promise<InvokeResponse<C>> {
    await whenOpen();
    const current = socket;
    if (current === null)
      throw new BridgeError('disconnected', 'The connection to the Blockline host was lost; try again.');
    const id = nextId++;
    const message: BridgeInvokeMessage = { type: 'invoke', id, channel, request };
    return new Promise<InvokeResponse<C>>((resolve, reject) => {
      pending.set(id, { resolve: (value) => resolve(value as InvokeResponse<C>), reject });
      try {
        current.send(JSON.stringify(message));
      } catch (error) {
        pending.delete(id);
        reject(new BridgeError('disconnected', `Could not send to the Blockline host: ${String(error)}`));
      }
    });
  }

  /** Events sent while the socket was down are lost; fetch the state they would have carried. */
  async function catchUpAfterReconnect(): Promise<void> {
    try {
      const [session, syncState, blocklist] = await Promise.all([
        invoke('session:get', undefined),
        invoke('sync:state', undefined),
        invoke('blocklist:get', undefined),
      ]);
      dispatch('session:changed', session);
      dispatch('sync:state', syncState);
      dispatch('blocklist:changed', { kind: 'full', state: blocklist });
    } catch (error) {
      console.error('blockline: could not refresh after reconnecting', error);
    }
  }

  connect();

  return {
    invoke,
    on: (channel, listener) => listeners.add(channel, listener),
    get connectionState() {
      return state;
    },
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => void connectionListeners.delete(listener);
    },
    close() {
      closedForGood = true;
      const waiters = waitingForOpen;
      waitingForOpen = [];
      for (const waiter of waiters)
        waiter.reject(new BridgeError('closed', 'The Blockline bridge is closed.'));
      failPending('The Blockline bridge was closed.');
      const current = socket;
      socket = null;
      current?.close(1000, 'closed');
      setState('closed');
    },
  };
}

const SESSION_STORAGE_KEY = 'blockline.hostSecret';

/**
 * Installs `window.blockline` from the browser host when the page is not inside Electron (whose
 * preload has already installed it). Call once from the renderer entry before the app mounts.
 * The per-launch secret comes from the page URL (`?secret=…`); it is kept in sessionStorage so a
 * reload works, and removed from the address bar.
 * Returns the installed API, or null when there is neither a preload API nor a secret.
 */
export function installBrowserBridge(win: Window = window): BlocklineApi | null {
  const existing: unknown = Reflect.get(win, 'blockline');
  if (typeof existing === 'object' && existing !== null) return existing as BlocklineApi;
  const pageUrl = new URL(win.location.href);
  const fromUrl = pageUrl.searchParams.get(BRIDGE_SECRET_PARAM);
  let secret = fromUrl;
  try {
    if (fromUrl !== null) win.sessionStorage.setItem(SESSION_STORAGE_KEY, fromUrl);
    else secret = win.sessionStorage.getItem(SESSION_STORAGE_KEY);
  } catch {
    // storage disabled: the secret from the URL still works for this page load
  }
  if (secret === null || secret === '') return null;
  if (fromUrl !== null) {
    pageUrl.searchParams.delete(BRIDGE_SECRET_PARAM);
    win.history.replaceState(win.history.state, '', pageUrl.toString());
  }
  const socketUrl = new URL(BRIDGE_PATH, pageUrl);
  socketUrl.protocol = pageUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  socketUrl.search = new URLSearchParams({ [BRIDGE_SECRET_PARAM]: secret }).toString();
  socketUrl.hash = '';
  const bridge = createBrowserBridge({ url: socketUrl.toString() });
  const api: BlocklineApi = Object.freeze({ invoke: bridge.invoke, on: bridge.on });
  Object.defineProperty(win, 'blockline', {
    value: api,
    writable: false,
    configurable: false,
    enumerable: true,
  });
  Object.defineProperty(win, 'blocklineBridge', {
    value: bridge,
    writable: false,
    configurable: false,
    enumerable: false,
  });
  return api;
}
