/**
 * IPC safety: the handler the Electron main process registers refuses calls from a frame that is not
 * the app's page, unknown channels and wrongly shaped arguments — with a clear error, and without
 * the failure escaping into the process. Uses a stand-in for ipcMain (no Electron binary here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MainServices } from '../../host/services';
import {
  IPC_INVOKE,
  registerInvokeHandlers,
  type InvokeEventLike,
  type IpcMainLike,
} from '../../electron/ipc';
import type { AppLocation } from '../../electron/policy';
import { offlineElectronServices } from './host-services-helpers';

const app: AppLocation = { kind: 'file', indexUrl: 'file:///opt/blockline/dist/renderer/index.html' };
const trusted: InvokeEventLike = {
  senderFrame: { url: 'file:///opt/blockline/dist/renderer/index.html#/settings' },
};

type Handler = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

describe('registerInvokeHandlers', () => {
  let dir: string;
  let services: MainServices;
  let handler: Handler;
  let logs: string[];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'blockline-ipc-'));
    logs = [];
    services = offlineElectronServices(dir);
    const registered = new Map<string, Handler>();
    const ipcMain: IpcMainLike = { handle: (channel, listener) => void registered.set(channel, listener) };
    registerInvokeHandlers({ ipcMain, services, app, log: (message) => logs.push(message) });
    expect([...registered.keys()]).toEqual([IPC_INVOKE]);
    const registeredHandler = registered.get(IPC_INVOKE);
    if (registeredHandler === undefined) throw new Error('no handler');
    handler = registeredHandler;
    process.on('unhandledRejection', onUnhandled);
  });

  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
    expect(unhandled).toEqual([]);
  });

  it('answers a valid call from the app page', async () => {
    await expect(handler(trusted, 'app:info', undefined)).resolves.toMatchObject({
      host: 'electron',
      version: '1.2.3',
    });
    await expect(handler(trusted, 'calls:emergencyPlaced', { at: '2026-01-10T11:00:00Z' })).resolves.toEqual({
      ok: true,
    });
    await expect(handler(trusted, 'calls:lastEmergency', undefined)).resolves.toEqual({
      at: '2026-01-10T11:00:00Z',
    });
  });

  it.each([
    ['another page', { senderFrame: { url: 'https://evil.example/' } }],
    ['a look-alike file', { senderFrame: { url: 'file:///opt/blockline/dist/renderer/index.html.evil' } }],
    ['a UNC host', { senderFrame: { url: 'file://evil/opt/blockline/dist/renderer/index.html' } }],
    ['a destroyed frame', { senderFrame: null }],
  ])('refuses a call from %s, before looking at the channel', async (_name, event: InvokeEventLike) => {
    await expect(handler(event, 'phone:credentials', { accountId: 'a1' })).rejects.toThrow(
      /not Blockline's own/,
    );
    expect(logs.at(-1)).toMatch(/Refused: the call came from a page/);
  });

  it('refuses an unknown channel, naming it', async () => {
    await expect(handler(trusted, 'fs:readFile', { path: '/etc/passwd' })).rejects.toThrow(
      'Refused: "fs:readFile" is not a Blockline channel',
    );
    await expect(handler(trusted, 42, undefined)).rejects.toThrow(
      'Refused: number is not a Blockline channel',
    );
    await expect(handler(trusted, '__proto__', undefined)).rejects.toThrow(/is not a Blockline channel/);
  });

  it('refuses a wrongly shaped argument with the reason, and runs no handler', async () => {
    await expect(handler(trusted, 'history:add', { id: 'h1' })).rejects.toThrow(
      /Refused history:add: .*direction/s,
    );
    await expect(handler(trusted, 'rules:create', { number: '+12125551234', reason: '' })).rejects.toThrow(
      /a reason is required/,
    );
    await expect(handler(trusted, 'rules:update', { id: 'r1', patch: { number: '+1999' } })).rejects.toThrow(
      /Refused rules:update/,
    );
    await expect(handler(trusted, 'calls:emergencyPlaced', { at: 'yesterday' })).rejects.toThrow(
      /Refused calls:emergencyPlaced/,
    );
    await expect(handler(trusted, 'app:info', { extra: true })).rejects.toThrow(/Refused app:info/);
    expect(await services.invoke('history:list', undefined)).toEqual([]);
    expect(await services.invoke('calls:lastEmergency', undefined)).toEqual({ at: null });
  });

  it('refuses extra arguments', async () => {
    await expect(handler(trusted, 'app:info', undefined, 'smuggled')).rejects.toThrow(/exactly one argument/);
  });

  it('keeps working after refusals (the process is not disturbed)', async () => {
    for (let i = 0; i < 20; i++) await handler(trusted, 'nope', i).catch(() => undefined);
    await expect(handler(trusted, 'session:get', undefined)).resolves.toEqual({ signedIn: false });
  });

  it('reports a failing handler as a plain error, not a crash', async () => {
    const result = await handler(trusted, 'session:signIn', {
      serverUrl: 'http://127.0.0.1:9',
      token: 'a-token-long-enough',
    });
    expect(result).toMatchObject({ ok: false, code: 'network' });
    const broken = { handle: () => Promise.reject(new TypeError('boom')) };
    const registered = new Map<string, Handler>();
    registerInvokeHandlers({
      ipcMain: { handle: (c, l) => void registered.set(c, l) },
      services: broken,
      app,
      log: (m) => logs.push(m),
    });
    await expect(registered.get(IPC_INVOKE)?.(trusted, 'app:info', undefined)).rejects.toThrow(
      'app:info failed: boom',
    );
    expect(logs.at(-1)).toMatch(/app:info failed: TypeError: boom/);
  });
});
