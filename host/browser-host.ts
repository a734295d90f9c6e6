/**
 * The browser host: the same main-process services as the Electron app, in plain Node, serving the
 * built renderer to an ordinary browser and the typed API over a WebSocket.
 *  - HTTP and WebSocket listen on 127.0.0.1 only; a request whose Host header is not this loopback
 *    address is refused (DNS rebinding).
 *  - The WebSocket (`/ipc?secret=…`) needs the per-launch secret, a loopback peer, and — when the
 *    browser sends one — an Origin equal to this host's own.
 *  - Pages carry a strict Content-Security-Policy (the same builder as Electron's).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppInfo, EventPayload } from '../shared/contracts/ipc';
import { buildContentSecurityPolicy } from '../shared/csp';
import {
  BRIDGE_PATH,
  BRIDGE_SECRET_PARAM,
  bridgeInvokeMessageSchema,
  type BridgeServerMessage,
} from '../shared/contracts/bridge';
import type { FetchLike } from './api-client';
import { IpcRefusedError } from './ipc-guard';
import { createUnencryptedFileSecretStore, type SecretStore } from './secrets';
import { plainFileOnlyStorage, type ManagedSecretStore, type SecretStorageControl } from './secret-storage';
import { createMainServices, type MainServices, type NativeIntegration } from './services';
import { LocalStore } from './local-store';
import { errorDetail, errorMessage } from '../shared/error-message';

export const BROWSER_HOST_CAPABILITIES: AppInfo['capabilities'] = {
  tray: false,
  nativeNotifications: false,
  osKeychain: false,
  protocolHandlers: false,
};

export interface BrowserHostOptions {
  /** 0 picks a free port. */
  port: number;
  /** Where the store and the (unencrypted) secrets file live. */
  dataDir: string;
  /** The built renderer (`vite build` → dist/renderer). */
  rendererDir: string;
  fetch?: FetchLike;
  now?: () => Date;
  random?: () => number;
  log?: (message: string) => void;
  /** Tests pass a fixed secret; otherwise 32 random bytes per launch. */
  secret?: string;
  /**
   * Tests of the desktop app's keychain choice pass the Electron app's own store (with a stand-in for
   * `safeStorage`); otherwise the plain file, the only place a browser host has.
   */
  secretStore?: ManagedSecretStore;
  version?: string;
  /**
   * A page cannot open windows by itself, so the browser host has no native side; tests of what the
   * desktop app does pass a stand-in (e.g. for Electron's `shell.openExternal`).
   */
  native?: NativeIntegration;
  /** Passed through to the services (tests shorten them). */
  servicesOverrides?: Partial<
    Pick<Parameters<typeof createMainServices>[0], 'backoff' | 'idleTimeoutMs' | 'reportRetryMs'>
  >;
}

export interface BrowserHost {
  /** The page to open, with the secret: http://127.0.0.1:PORT/?secret=… */
  url: string;
  origin: string;
  port: number;
  secret: string;
  services: MainServices;
  secrets: SecretStore;
  close(): Promise<void>;
}

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.webm': 'audio/webm',
  '.txt': 'text/plain; charset=utf-8',
};

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(address);
}

function secretsEqual(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function packageVersion(): string {
  try {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const version =
      typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'version') : undefined;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function secretsFor(
  options: BrowserHostOptions,
  log: (message: string) => void,
): { secrets: SecretStore; secretStorage: SecretStorageControl } {
  if (options.secretStore !== undefined)
    return { secrets: options.secretStore, secretStorage: options.secretStore };
  const secrets = createUnencryptedFileSecretStore({ dir: options.dataDir });
  log(
    `WARNING: the browser host keeps the server token and SIP passwords UNENCRYPTED in ${secrets.file} (mode 0600); the desktop app uses the OS keychain`,
  );
  return { secrets, secretStorage: plainFileOnlyStorage(secrets.file) };
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const log = options.log ?? ((message: string) => console.log(`[host] ${message}`));
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const store = new LocalStore({ dir: options.dataDir, log });
  const { secrets, secretStorage } = secretsFor(options, log);
  const services = createMainServices({
    store,
    secrets,
    secretStorage,
    fetch: options.fetch ?? fetch,
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    log,
    appInfo: {
      host: 'browser',
      version: options.version ?? packageVersion(),
      capabilities: BROWSER_HOST_CAPABILITIES,
    },
    ...(options.native === undefined ? {} : { native: options.native }),
    ...options.servicesOverrides,
  });

  let port = options.port;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = createServer((request, response) => serveStatic(request, response));
  // The largest request is an announcement upload: 5 MB as base64.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  const clients = new Set<WebSocket>();

  function securityHeaders(response: ServerResponse): void {
    response.setHeader(
      'content-security-policy',
      buildContentSecurityPolicy({
        extraConnectSources: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`],
      }),
    );
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('referrer-policy', 'no-referrer');
    response.setHeader('cross-origin-opener-policy', 'same-origin');
    response.setHeader('cross-origin-resource-policy', 'same-origin');
    response.setHeader(
      'permissions-policy',
      'microphone=(self), speaker-selection=(self), camera=(), geolocation=()',
    );
    response.setHeader('x-frame-options', 'DENY');
  }

  function serveStatic(request: IncomingMessage, response: ServerResponse): void {
    securityHeaders(response);
    if (!allowedHosts().has(request.headers.host ?? '') || !isLoopbackAddress(request.socket.remoteAddress)) {
      response
        .writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Forbidden: Blockline serves this computer only.');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        .end('Method not allowed');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad request');
      return;
    }
    const root = path.resolve(options.rendererDir);
    let file = path.resolve(root, `.${path.posix.normalize(pathname)}`);
    if (file !== root && !file.startsWith(root + path.sep)) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const isFile = (candidate: string) => existsSync(candidate) && statSync(candidate).isFile();
    if (!isFile(file)) {
      // Client-side routes fall back to the app's page; a missing asset is a plain 404.
      if (path.extname(pathname) !== '') {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      file = path.join(root, 'index.html');
      if (!isFile(file)) {
        response
          .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`The renderer is not built (no ${file}): run \`npm run build\` first.`);
        return;
      }
    }
    const type = MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const isPage = type.startsWith('text/html');
    response.writeHead(200, { 'content-type': type, 'cache-control': isPage ? 'no-store' : 'no-cache' });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file)
      .on('error', () => response.destroy())
      .pipe(response);
  }

  function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
    log(`refused a WebSocket connection: ${reason}`);
    socket.end(
      `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}`,
    );
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://host');
    if (url.pathname !== BRIDGE_PATH) return refuseUpgrade(socket, 404, 'unknown path');
    if (!isLoopbackAddress(request.socket.remoteAddress))
      return refuseUpgrade(socket, 403, 'not from this computer');
    if (!allowedHosts().has(request.headers.host ?? ''))
      return refuseUpgrade(socket, 403, 'wrong Host header');
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin))
      return refuseUpgrade(socket, 403, `foreign origin ${origin}`);
    if (!secretsEqual(secret, url.searchParams.get(BRIDGE_SECRET_PARAM)))
      return refuseUpgrade(socket, 403, 'missing or wrong secret');
    sockets.handleUpgrade(request, socket, head, (client) => acceptClient(client));
  });

  function send(client: WebSocket, message: BridgeServerMessage): void {
    if (client.readyState === client.OPEN) client.send(JSON.stringify(message));
  }

  function acceptClient(client: WebSocket): void {
    clients.add(client);
    client.on('close', () => {
      clients.delete(client);
      forgetClient(client);
    });
    client.on('error', (error) => log(`WebSocket client error: ${error.message}`));
    client.on('message', (data, isBinary) => {
      let parsedJson: unknown;
      try {
        parsedJson = isBinary ? null : JSON.parse(data.toString());
      } catch {
        parsedJson = null;
      }
      const message = bridgeInvokeMessageSchema.safeParse(parsedJson);
      if (!message.success) {
        const id =
          typeof parsedJson === 'object' && parsedJson !== null ? Reflect.get(parsedJson, 'id') : undefined;
        if (typeof id === 'number' && Number.isInteger(id)) {
          send(client, {
            type: 'result',
            id,
            ok: false,
            error: { code: 'invalid_message', message: 'Refused: not a Blockline invoke message' },
          });
        }
        log('ignored an unreadable WebSocket message');
        return;
      }
      const { id, channel, request } = message.data;
      // Through a promise even if handle threw synchronously: a bad call must never escape this handler.
      Promise.resolve()
        .then(() => services.handle(channel, request))
        .then(
          (response) => send(client, { type: 'result', id, ok: true, response }),
          (error: unknown) => {
            if (error instanceof IpcRefusedError) {
              log(`ipc: ${error.message}`);
              send(client, {
                type: 'result',
                id,
                ok: false,
                error: { code: error.code, message: error.message },
              });
            } else {
              log(`ipc: ${channel} failed: ${errorDetail(error)}`);
              const text = errorMessage(error);
              send(client, {
                type: 'result',
                id,
                ok: false,
                error: { code: 'internal', message: `${channel} failed: ${text}` },
              });
            }
          },
        );
    });
  }

  /**
   * `blocklist:changed` is usually a small delta, but a whole list (sign-in, snapshot) is tens of MB at
   * 100,000 rules. Per client at most one list message is in flight; the ones behind it wait in order,
   * and a whole list drops everything waiting before it (it supersedes them). Deltas are never
   * dropped: each one is needed to stay level.
   */
  const listInFlight = new Set<WebSocket>();
  const listWaiting = new Map<WebSocket, string[]>();
  const sendList = (client: WebSocket, text: string, supersedes: boolean): void => {
    if (client.readyState !== client.OPEN) return;
    if (listInFlight.has(client)) {
      const waiting = supersedes ? [] : (listWaiting.get(client) ?? []);
      waiting.push(text);
      listWaiting.set(client, waiting);
      return;
    }
    listInFlight.add(client);
    client.send(text, () => {
      listInFlight.delete(client);
      const next = listWaiting.get(client)?.shift();
      if (listWaiting.get(client)?.length === 0) listWaiting.delete(client);
      if (next !== undefined) sendList(client, next, false);
    });
  };
  const forgetClient = (client: WebSocket): void => {
    listInFlight.delete(client);
    listWaiting.delete(client);
  };

  const stopForwarding = services.onAny((channel, payload) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ type: 'event', channel, payload } satisfies BridgeServerMessage);
    if (channel === 'blocklist:changed') {
      const whole = (payload as EventPayload<'blocklist:changed'>).kind === 'full';
      for (const client of clients) sendList(client, text, whole);
      return;
    }
    for (const client of clients) if (client.readyState === client.OPEN) client.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  services.start();
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?${new URLSearchParams({ [BRIDGE_SECRET_PARAM]: secret }).toString()}`,
    origin,
    port,
    secret,
    services,
    secrets,
    async close() {
      stopForwarding();
      for (const client of clients) client.terminate();
      sockets.close();
      await services.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
