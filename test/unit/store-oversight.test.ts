import { describe, expect, it } from 'vitest';
import { createActivityStore, lastDays } from '../../renderer/stores/activity';
import { createAuditStore } from '../../renderer/stores/audit';
import { createInsightStore, INSIGHT_TTL_MS } from '../../renderer/stores/insight';
import type { AuditListEntry, InsightResponse } from '../../shared/contracts/oversight';
import { createFakeApi } from './store-helpers';

const auditEntry = (id: string): AuditListEntry => ({
  id,
  at: '2030-01-01T00:00:00.000Z',
  actor: null,
  action: 'rule.created',
  target: id,
  number: '+12125550100',
  before: null,
  after: { number: '+12125550100', reason: 'x' },
});

describe('activity store', () => {
  it('asks for the last N local days and keeps only the newest answer', async () => {
    expect(lastDays(7, 'America/New_York', Date.parse('2030-01-08T03:30:00Z'))).toEqual({
      from: '2030-01-01',
      to: '2030-01-07',
    });
    const api = createFakeApi();
    const asked: string[] = [];
    api.handle('oversight:statsBlocked', async (query) => {
      asked.push(`${query.from}..${query.to}/${query.bucket}`);
      return { ok: false, code: 'forbidden', message: 'no' };
    });
    api.handle('oversight:statsTop', () => ({ ok: false, code: 'forbidden', message: 'no' }));
    const store = createActivityStore(api);
    await store.getState().chooseRange({ from: '2030-01-01', to: '2030-01-31' });
    await store.getState().chooseBucket('hour');
    expect(asked).toEqual(['2030-01-01..2030-01-31/day', '2030-01-01..2030-01-31/hour']);
    expect(store.getState()).toMatchObject({
      preset: 'custom',
      loading: false,
      error: { code: 'forbidden' },
    });
  });
});

describe('audit store', () => {
  it('pages with the cursor, keeps the filters, and exports every page as CSV', async () => {
    const api = createFakeApi();
    const requests: unknown[] = [];
    api.handle('oversight:audit', (query) => {
      requests.push(query);
      const second = query.cursor === 'c1';
      return {
        ok: true,
        value: {
          items: second ? [auditEntry('b')] : [auditEntry('a')],
          nextCursor: second ? null : 'c1',
          actors: second ? [] : [{ id: 'u1', name: 'Lee' }],
        },
      };
    });
    const store = createAuditStore(api);
    await store.getState().setFilters({ number: '+12125550100' });
    await store.getState().loadMore();
    expect(store.getState().items.map((item) => item.id)).toEqual(['a', 'b']);
    expect(store.getState().actors).toEqual([{ id: 'u1', name: 'Lee' }]);
    expect(requests[1]).toMatchObject({ number: '+12125550100', cursor: 'c1' });
    const csv = await store.getState().exportCsv();
    expect(csv.ok && csv.value.split('\r\n')).toHaveLength(4);
  });
});

describe('insight store', () => {
  it('asks once per number while fresh, in the background, and never throws', async () => {
    const api = createFakeApi();
    let asked = 0;
    const insight: InsightResponse = {
      number: '+12125550100',
      rules: [],
      lastHour: { agents: 1, attempts: 1, firstAt: null, lastAt: null },
      lastVerification: null,
    };
    api.handle('oversight:insight', async () => {
      asked += 1;
      return { ok: true, value: insight };
    });
    const store = createInsightStore(api);
    store.getState().request('+12125550100', 1_000);
    expect(store.getState().byNumber['+12125550100']?.status).toBe('loading');
    store.getState().request('+12125550100', 2_000);
    store.getState().request('not a number', 2_000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(asked).toBe(1);
    expect(store.getState().byNumber['+12125550100']).toMatchObject({ status: 'ready', insight });
    store.getState().request('+12125550100', 1_000 + INSIGHT_TTL_MS);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(asked).toBe(2);
    // A host that went away leaves the card without the line, and nothing else.
    api.handle('oversight:insight', () => Promise.reject(new Error('bridge closed')));
    store.getState().request('+12125550101', 0);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState().byNumber['+12125550101']).toMatchObject({ status: 'unavailable' });
  });
});
