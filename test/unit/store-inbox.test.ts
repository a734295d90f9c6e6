import { describe, expect, it } from 'vitest';
import { createInboxStore, inboxCount, seesInbox } from '../../renderer/stores/inbox';
import type { AutoBlockReview } from '../../shared/contracts/api';
import type { BlockRequest } from '../../shared/contracts/block-requests';
import type { Session } from '../../shared/contracts/ipc';
import { createFakeApi, makeRule } from './store-helpers';

const request = (id: string): BlockRequest => ({
  id,
  number: '+13035550147',
  reason: 'Abusive',
  requestedBy: { id: 'u-agent', name: 'Alex Agent' },
  createdAt: '2026-12-01T10:00:00.000Z',
  status: 'open',
  resolvedBy: null,
  resolvedAt: null,
  ruleId: null,
});
const review = (): AutoBlockReview => ({
  rule: makeRule({ source: 'auto', expiresAt: '2026-12-02T10:00:00.000Z' }),
  reporter: { id: 'u-agent', name: 'Alex Agent' },
});

const sessionAs = (role: 'admin' | 'lead' | 'agent'): Session => ({
  signedIn: true,
  serverUrl: 'http://127.0.0.1:1',
  me: {
    user: { id: 'u', name: 'U', role },
    org: { id: 'o', name: 'O', defaultCountry: 'US', timeZone: 'America/Denver' },
    canManage: role !== 'agent',
  },
});

describe('lead inbox store', () => {
  it('is for leads and admins only, and counts requests and reviews together', () => {
    expect([
      seesInbox(sessionAs('lead')),
      seesInbox(sessionAs('admin')),
      seesInbox(sessionAs('agent')),
    ]).toEqual([true, true, false]);
    expect(seesInbox({ signedIn: false })).toBe(false);
    expect(inboxCount({ reviews: [review()], requests: [request('a'), request('b')] })).toBe(3);
  });

  it('shows what the server says; a decided item leaves only once the server confirmed it', async () => {
    const api = createFakeApi();
    const waiting = { reviews: [review()], requests: [request('a'), request('b')] };
    api.handle('inbox:get', () => ({ ok: true, value: waiting }));
    const store = createInboxStore(api);
    await store.getState().refresh();
    expect(inboxCount(store.getState())).toBe(3);

    api.handle('inbox:resolveRequest', () => ({ ok: false, code: 'offline', message: 'You are offline' }));
    const refused = await store.getState().resolveRequest('a', { decision: 'dismiss' });
    expect(refused.ok).toBe(false);
    expect(store.getState().requests.map((item) => item.id)).toEqual(['a', 'b']);

    api.handle('inbox:resolveRequest', () => ({
      ok: true,
      value: { request: { ...request('a'), status: 'dismissed' }, rule: null },
    }));
    waiting.requests = [request('b')];
    expect((await store.getState().resolveRequest('a', { decision: 'dismiss' })).ok).toBe(true);
    expect(store.getState().requests.map((item) => item.id)).toEqual(['b']);
    expect(
      api.calls.filter((call) => call.channel === 'inbox:resolveRequest').map((call) => call.request),
    ).toEqual([
      { id: 'a', resolution: { decision: 'dismiss' } },
      { id: 'a', resolution: { decision: 'dismiss' } },
    ]);
  });

  it('keeps the last refusal to show it (an agent token, offline), and the previous items', async () => {
    const api = createFakeApi();
    api.handle('inbox:get', () => ({ ok: true, value: { reviews: [], requests: [request('a')] } }));
    const store = createInboxStore(api);
    await store.getState().refresh();
    api.handle('inbox:get', () => ({ ok: false, code: 'forbidden', message: 'only admins and leads' }));
    await store.getState().refresh();
    expect(store.getState().error?.code).toBe('forbidden');
    expect(store.getState().requests).toHaveLength(1);
    // A host that went away is a network error, not a crash.
    api.handle('inbox:get', () => Promise.reject(new Error('bridge closed')));
    await store.getState().refresh();
    expect(store.getState().error).toMatchObject({ code: 'network' });
  });
});
