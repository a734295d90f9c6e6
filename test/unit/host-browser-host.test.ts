/**
 * The browser host on 127.0.0.1: static renderer with a strict CSP, and the typed API over the
 * WebSocket for the bridge — refused without the secret, from a foreign origin or Host, or with a bad
 * argument. The bridge under test is the real renderer/bridge code over the `ws` client.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host';
import { defaultOrgSettings } from '../../shared/settings';
import {
  BridgeError,
  createBrowserBridge,
  type BrowserBridge,
  type WebSocketLike,
} from '../../renderer/bridge/browser-bridge';
import { makeRule } from './store-helpers';

const openedSockets: WebSocket[] = [];

/** The `ws` client shaped like the browser's WebSocket, as the bridge expects. */
function wsSocket(url: string, headers: Record<string, string> = {}): WebSocketLike {
  const socket = new WebSocket(url, { headers });
  openedSockets.push(socket);
  const adapter: WebSocketLike = {
    get readyState() {
      return socket.readyState;
    },
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason),
    onopen: null,
    onclose: null,
    onerror: null,
    onmessage: null,
  };
  socket.on('open', () => adapter.onopen?.(undefined as never));
  socket.on('close', () => adapter.onclose?.(undefined as never));
  socket.on('error', () => adapter.onerror?.(undefined as never));
  socket.on('message', (data, isBinary) =>
    adapter.onmessage?.(new MessageEvent('message', { data: isBinary ? data : data.toString() })),
  );
  return adapter;
}

function rawGet(
  port: number,
  pathname: string,
  host = `127.0.0.1:${port}`,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', () => undefined);
  });
}

describe('browser host', () => {
  let dir: string;
  let host: BrowserHost;
  let bridge: BrowserBridge;
  const hangingFetch: Array<() => void> = [];
  const socketUrl = () => `ws://127.0.0.1:${host.port}/ipc?secret=${encodeURIComponent(host.secret)}`;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'blockline-host-'));
    const rendererDir = path.join(dir, 'renderer');
    mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(
      path.join(rendererDir, 'index.html'),
      '<!doctype html><title>Blockline</title><script type="module" src="./assets/app.js"></script>',
    );
    writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
    writeFileSync(path.join(dir, 'outside.txt'), 'secret outside the renderer');
    host = await startBrowserHost({
      port: 0,
      dataDir: path.join(dir, 'data'),
      rendererDir,
      log: () => undefined,
      // Requests to the org server never answer: lets a test hold a call open.
      fetch: () => new Promise((_resolve, reject) => hangingFetch.push(() => reject(new Error('aborted')))),
    });
    bridge = createBrowserBridge({
      url: socketUrl(),
      createSocket: (url) => wsSocket(url, { origin: host.origin }),
    });
  });

  afterAll(async () => {
    bridge?.close();
    for (const release of hangingFetch) release();
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL carrying the secret', () => {
    expect(host.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?secret=[A-Za-z0-9_-]{40,}$`),
    );
  });

  it('serves the page with a strict CSP and no caching', async () => {
    const page = await rawGet(host.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Blockline</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(csp).toContain(`ws://127.0.0.1:${host.port}`);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-store');
    const script = await rawGet(host.port, '/assets/app.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('falls back to the page for app routes, but not for missing files or paths outside', async () => {
    expect((await rawGet(host.port, '/settings/blocked')).status).toBe(200);
    expect((await rawGet(host.port, '/assets/missing.js')).status).toBe(404);
    expect((await rawGet(host.port, '/../outside.txt')).body).not.toContain('secret outside');
    expect((await rawGet(host.port, '/%2e%2e/outside.txt')).body).not.toContain('secret outside');
  });

  it('refuses a request whose Host is not this loopback address (DNS rebinding)', async () => {
    expect((await rawGet(host.port, '/', 'evil.example')).status).toBe(403);
  });

  it('refuses WebSocket connections without the right secret, from a foreign origin or to another path', async () => {
    const base = `ws://127.0.0.1:${host.port}`;
    expect(await upgradeStatus(`${base}/ipc`)).toBe(403);
    expect(await upgradeStatus(`${base}/ipc?secret=wrong`)).toBe(403);
    expect(await upgradeStatus(`${base}/ipc?secret=${host.secret.slice(0, -1)}`)).toBe(403);
    expect(await upgradeStatus(socketUrl(), { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(`${base}/other?secret=${encodeURIComponent(host.secret)}`)).toBe(404);
    expect(await upgradeStatus(socketUrl(), { origin: host.origin })).toBe('open');
  });

  it('carries the typed API: app:info says browser host with no native capabilities', async () => {
    const info = await bridge.invoke('app:info', undefined);
    expect(info).toEqual({
      host: 'browser',
      version: expect.any(String),
      capabilities: {
        tray: false,
        nativeNotifications: false,
        osKeychain: false,
        protocolHandlers: false,
        // SPEC §10.11: a page cannot open the screen-pop by itself.
        openExternal: false,
      },
    });
    expect(await bridge.invoke('session:get', undefined)).toEqual({ signedIn: false });
    expect(await bridge.invoke('sync:state', undefined)).toEqual({ status: 'signed_out' });
  });

  it('refuses a wrongly shaped argument and an unknown channel with clear errors', async () => {
    const bad = bridge.invoke('calls:emergencyPlaced', { at: 'not a date' });
    await expect(bad).rejects.toBeInstanceOf(BridgeError);
    await expect(bad).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/Refused calls:emergencyPlaced/),
    });
    const unknown = Reflect.apply(bridge.invoke, bridge, [
      'shell:exec',
      { command: 'rm -rf /' },
    ]) as Promise<unknown>;
    await expect(unknown).rejects.toMatchObject({
      code: 'unknown_channel',
      message: 'Refused: "shell:exec" is not a Blockline channel',
    });
    // …and keeps serving.
    await expect(bridge.invoke('history:list', undefined)).resolves.toEqual([]);
  });

  it('pushes events to the page', async () => {
    const received = new Promise((resolve) => {
      const off = bridge.on('dialer:open', (payload) => {
        off();
        resolve(payload);
      });
    });
    host.services.emit('dialer:open', { number: '+12125551234' });
    await expect(received).resolves.toEqual({ number: '+12125551234' });
  });

  it('sends a page every delta in order, and only the latest of several whole lists, answering calls in between', async () => {
    const received: Array<{ kind: string; revision: number }> = [];
    const off = bridge.on('blocklist:changed', (change) =>
      received.push(
        change.kind === 'full'
          ? { kind: 'full', revision: change.state.revision }
          : { kind: 'delta', revision: change.delta.revision },
      ),
    );
    const waitForRevision = async (revision: number) => {
      const deadline = Date.now() + 3000;
      while (received.at(-1)?.revision !== revision && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      expect(received.at(-1)?.revision).toBe(revision);
    };
    try {
      // Whole lists of 5,000 rules, faster than the socket drains: one in flight, later ones replace
      // the waiting one.
      const rules = Array.from({ length: 5000 }, (_, i) => makeRule({ id: `r${i}` }));
      const full = (revision: number) => ({
        kind: 'full' as const,
        state: { revision, rules, settings: defaultOrgSettings(), lines: [] },
      });
      for (let revision = 1; revision <= 20; revision++)
        host.services.emit('blocklist:changed', full(revision));
      await expect(bridge.invoke('app:info', undefined)).resolves.toMatchObject({ host: 'browser' });
      await waitForRevision(20);
      expect(received.length).toBeLessThan(20);
      const fullRevisions = received.map((change) => change.revision);
      expect(fullRevisions).toEqual([...fullRevisions].sort((a, b) => a - b)); // never older after newer

      // Deltas are each needed: all of them arrive, in order, however fast they come.
      received.length = 0;
      for (let revision = 21; revision <= 70; revision++) {
        host.services.emit('blocklist:changed', {
          kind: 'delta',
          delta: {
            fromRevision: revision - 1,
            revision,
            upserted: [makeRule({ id: `d${revision}` })],
            removed: [],
          },
        });
      }
      await waitForRevision(70);
      expect(received.map((change) => change.revision)).toEqual(Array.from({ length: 50 }, (_, i) => 21 + i));
    } finally {
      off();
    }
  });

  it('keeps SIP passwords out of listings and gives them back only for a known account', async () => {
    const account = {
      id: 'a1',
      websocketUrl: 'wss://pbx.example.com/ws',
      sipUri: 'sip:agent1@pbx.example.com',
      displayName: 'Agent 1',
      lineNumber: '+12125550100',
    };
    await bridge.invoke('phone:saveAccount', { account, password: 'pw-1' });
    const accounts = await bridge.invoke('phone:accounts', undefined);
    expect(accounts).toEqual([{ account: { ...account, iceServers: [], enabled: true }, hasPassword: true }]);
    expect(JSON.stringify(accounts)).not.toContain('pw-1');
    expect(await bridge.invoke('phone:credentials', { accountId: 'a1' })).toEqual({ password: 'pw-1' });
    expect(await bridge.invoke('phone:credentials', { accountId: 'nope' })).toEqual({ password: null });
  });

  it('keeps TURN credentials with the secrets, not in the account, and forgets one with its server', async () => {
    const account = {
      id: 'a2',
      websocketUrl: 'wss://pbx.example.com/ws',
      sipUri: 'sip:agent2@pbx.example.com',
      displayName: 'Agent 2',
      lineNumber: '+12125550101',
      iceServers: [
        { url: 'stun:stun.example.com:3478' },
        { url: 'turn:turn.example.com:3478?transport=udp', username: 'agent2' },
      ],
      iceGatheringTimeoutMs: 800,
    };
    await bridge.invoke('phone:saveAccount', {
      account,
      iceCredentials: { 'turn:turn.example.com:3478?transport=udp': 'turn-secret-1' },
    });
    const listed = (await bridge.invoke('phone:accounts', undefined)).find(
      (entry) => entry.account.id === 'a2',
    );
    expect(listed).toEqual({
      account: { ...account, enabled: true },
      hasPassword: false,
      savedIceCredentials: ['turn:turn.example.com:3478?transport=udp'],
    });
    expect(JSON.stringify(listed)).not.toContain('turn-secret-1');
    expect(await bridge.invoke('phone:credentials', { accountId: 'a2' })).toEqual({
      password: null,
      iceCredentials: { 'turn:turn.example.com:3478?transport=udp': 'turn-secret-1' },
    });
    // Not a stun:/turn:/turns: URL: refused at the boundary.
    await expect(
      bridge.invoke('phone:saveAccount', {
        account: { ...account, iceServers: [{ url: 'http://x.example' }] },
      }),
    ).rejects.toThrow();
    // The TURN server taken off the list takes its credential with it.
    await bridge.invoke('phone:saveAccount', {
      account: { ...account, iceServers: [account.iceServers[0]!] },
    });
    expect(await bridge.invoke('phone:credentials', { accountId: 'a2' })).toEqual({ password: null });
  });

  it('fails a pending call cleanly when the socket drops, then reconnects', async () => {
    const states: string[] = [];
    const off = bridge.onConnectionChange((state) => states.push(state));
    const pending = bridge.invoke('session:signIn', {
      serverUrl: 'http://127.0.0.1:1',
      token: 'a-token-long-enough',
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The connection dies under the call (a network drop, a host restart).
    openedSockets.at(-1)?.terminate();
    await expect(pending).rejects.toMatchObject({
      code: 'disconnected',
      message: expect.stringMatching(/connection to the Blockline host was lost/),
    });
    await expect(bridge.invoke('app:info', undefined)).resolves.toMatchObject({ host: 'browser' });
    expect(states).toEqual(['connecting', 'open']);
    off();
  });
});
