/**
 * SPEC §10.11's screen-pop and wrap-up, the parts without a browser or a SIP lab: the URL policy the
 * main process applies before anything is opened, the host service (Electron's `shell.openExternal`
 * stubbed — the binary cannot run here), and the renderer's companion following the calls store:
 * one pop per call on ring or on answer, none without a URL, the browser host's pop left to the
 * Answer click, a wrap-up due after each answered call, and a report for answered outbound calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAllowedScreenPopUrl } from '../../electron/policy';
import { LocalStore } from '../../host/local-store';
import { createMemorySecretStore } from '../../host/secrets';
import { createMainServices, type NativeIntegration } from '../../host/services';
import { openPopOnAnswerClick, startCrmCompanion } from '../../renderer/app/crm-companion';
import { createAppStores } from '../../renderer/app/stores';
import type { CallSnapshot } from '../../renderer/phone/types';
import { screenPopOpenProblem } from '../../shared/screen-pop';
import { createFakeApi, makeBlocklistState } from './store-helpers';

describe('the URL policy before anything opens', () => {
  it('allows https and loopback http only, never credentials or other schemes', () => {
    for (const url of [
      'https://crm.example.com/c?p=%2B1212',
      'http://127.0.0.1:8080/visit',
      'http://localhost/x',
    ])
      expect(screenPopOpenProblem(url), url).toBeNull();
    for (const url of [
      'http://crm.example.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'blockline://x',
      'https://user:pass@crm.example.com/',
      'not a url',
    ]) {
      expect(screenPopOpenProblem(url), url).not.toBeNull();
      expect(isAllowedScreenPopUrl(url), url).toBe(false);
    }
    expect(isAllowedScreenPopUrl('https://crm.example.com/')).toBe(true);
  });
});

describe('screenPop:open in the host services (Electron’s shell.openExternal stubbed)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const servicesWith = (native?: NativeIntegration) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'blockline-screenpop-'));
    dirs.push(dir);
    return createMainServices({
      store: new LocalStore({ dir, log: () => undefined }),
      secrets: createMemorySecretStore(),
      fetch,
      now: () => new Date(),
      random: Math.random,
      appInfo: {
        host: 'electron',
        version: 'test',
        capabilities: { tray: true, nativeNotifications: true, osKeychain: true, protocolHandlers: true },
      },
      log: () => undefined,
      ...(native === undefined ? {} : { native }),
    });
  };

  it('opens an allowed URL once, refuses the rest without asking the OS', async () => {
    const opened: string[] = [];
    const services = servicesWith({ openExternal: (url) => void opened.push(url) });
    expect((await services.invoke('app:info', undefined)).capabilities.openExternal).toBe(true);
    expect(await services.invoke('screenPop:open', { url: 'https://crm.example.com/c?p=%2B1' })).toEqual({
      opened: true,
    });
    for (const url of ['file:///etc/passwd', 'http://crm.example.com/', 'https://a:b@crm.example.com/'])
      expect(await services.invoke('screenPop:open', { url })).toEqual({ opened: false });
    expect(opened).toEqual(['https://crm.example.com/c?p=%2B1']);
  });

  it('a host without a way to open (the browser host) says so', async () => {
    const services = servicesWith();
    expect((await services.invoke('app:info', undefined)).capabilities.openExternal).toBe(false);
    expect(await services.invoke('screenPop:open', { url: 'https://crm.example.com/' })).toEqual({
      opened: false,
    });
  });
});

const TEMPLATE = 'https://crm.example.com/search?phone={e164}&n={national}&line={line}&dir={direction}';
const EXPECTED =
  'https://crm.example.com/search?phone=%2B14155550142&n=(415)%20555-0142&line=%2B12125550100&dir=inbound';

function call(state: CallSnapshot['state'], overrides: Partial<CallSnapshot> = {}): CallSnapshot {
  return {
    id: 'call-1',
    accountId: 'a',
    line: '+12125550100',
    direction: 'inbound',
    number: '+14155550142',
    remote: '+14155550142',
    verification: 'none',
    state,
    muted: false,
    held: false,
    startedAt: 1_000,
    connectedAt: state === 'connected' || state === 'ended' ? 2_000 : null,
    endedAt: state === 'ended' ? 9_000 : null,
    endReason: state === 'ended' ? 'hangup' : null,
    emergency: false,
    sipCallId: 'sip-1',
    ...overrides,
  };
}

async function companionWith(options: { template: string; hostOpens: boolean; moment?: 'ring' | 'answer' }) {
  const api = createFakeApi();
  const state = makeBlocklistState([]);
  api.handle('blocklist:get', () => ({
    ...state,
    settings: { ...state.settings, screenPopUrl: options.template },
  }));
  api.handle('app:info', () => ({
    host: 'browser',
    version: 't',
    capabilities: {
      tray: false,
      nativeNotifications: false,
      osKeychain: false,
      protocolHandlers: false,
      openExternal: options.hostOpens,
    },
  }));
  api.handle('screenPop:open', () => ({ opened: true }));
  api.handle('calls:report', () => ({ queued: 1 }));
  const stores = createAppStores(api, null);
  await stores.blocklist.getState().load();
  if (options.moment) stores.companion.getState().setScreenPopOn(options.moment);
  const stop = startCrmCompanion(stores);
  await expect.poll(() => stores.companion.getState().hostOpens).toBe(options.hostOpens);
  const opens = () =>
    api.calls.filter((entry) => entry.channel === 'screenPop:open').map((entry) => entry.request);
  return { api, stores, stop, opens };
}

describe('the renderer’s CRM companion', () => {
  it('on ring: the host is asked once, with the templated URL, however often the call changes', async () => {
    const { stores, opens, stop } = await companionWith({ template: TEMPLATE, hostOpens: true });
    stores.calls.getState().upsertCall(call('incoming'));
    stores.calls.getState().upsertCall(call('incoming', { muted: true }));
    stores.calls.getState().upsertCall(call('connected'));
    stores.calls.getState().upsertCall(call('ended'));
    expect(opens()).toEqual([{ url: EXPECTED }]);
    stop();
  });

  it('on answer: nothing while it rings, once when it connects; a call never answered never pops', async () => {
    const { stores, opens, stop } = await companionWith({
      template: TEMPLATE,
      hostOpens: true,
      moment: 'answer',
    });
    stores.calls.getState().upsertCall(call('incoming'));
    expect(opens()).toEqual([]);
    stores.calls.getState().upsertCall(call('connected'));
    stores.calls.getState().upsertCall(call('connected', { held: true }));
    expect(opens()).toEqual([{ url: EXPECTED }]);
    stores.calls.getState().upsertCall(call('incoming', { id: 'call-2' }));
    stores.calls.getState().upsertCall(call('ended', { id: 'call-2', connectedAt: null }));
    expect(opens()).toHaveLength(1);
    stop();
  });

  it('no URL set: no pop and no link', async () => {
    const { stores, opens, stop } = await companionWith({ template: '', hostOpens: true });
    stores.calls.getState().upsertCall(call('incoming'));
    expect(opens()).toEqual([]);
    expect(stores.companion.getState().popUrls).toEqual({});
    stop();
  });

  it('the browser host: the call keeps its link and the Answer click opens it, once', async () => {
    const { stores, opens, stop } = await companionWith({ template: TEMPLATE, hostOpens: false });
    stores.calls.getState().upsertCall(call('incoming'));
    expect(opens()).toEqual([]);
    expect(stores.companion.getState().popUrls['call-1']).toBe(EXPECTED);
    const opened: string[] = [];
    openPopOnAnswerClick(stores.companion, 'call-1', (url) => opened.push(url));
    openPopOnAnswerClick(stores.companion, 'call-1', (url) => opened.push(url));
    expect(opened).toEqual([EXPECTED]);
    stores.calls.getState().upsertCall(call('ended'));
    expect(stores.companion.getState().popUrls).toEqual({});
    stop();
  });

  it('a wrap-up is due after each answered call, naming its report; an answered outbound call is reported', async () => {
    const { api, stores, stop } = await companionWith({ template: '', hostOpens: true });
    stores.calls.getState().upsertCall(call('connected'));
    stores.calls.getState().upsertCall(call('ended'));
    stores.calls
      .getState()
      .upsertCall(call('ringing', { id: 'out-1', direction: 'outbound', connectedAt: null }));
    stores.calls.getState().upsertCall(call('connected', { id: 'out-1', direction: 'outbound' }));
    stores.calls.getState().upsertCall(call('ended', { id: 'out-1', direction: 'outbound' }));
    stores.calls.getState().upsertCall(call('ended', { id: 'missed-1', connectedAt: null }));
    expect(stores.companion.getState().wrapUpsDue.map((due) => [due.callId, due.reportId])).toEqual([
      ['call-1', 'in-call-1'],
      ['out-1', 'out-out-1'],
    ]);
    const reports = api.calls
      .filter((entry) => entry.channel === 'calls:report')
      .map((entry) => entry.request);
    expect(reports).toEqual([
      expect.objectContaining({ id: 'out-out-1', direction: 'outbound', action: 'allow' }),
    ]);
    stop();
  });
});
