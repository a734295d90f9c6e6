import { describe, expect, it, vi } from 'vitest';
import { CHANGE_COALESCE_MS, createBlocklistStore } from '../../renderer/stores/blocklist';
import {
  buildRuleIndex,
  DEFAULT_RULE_QUERY,
  queryRules,
  queryRulesIncremental,
  type QueryResult,
  searchTerms,
} from '../../renderer/stores/rule-query';
import { errorReportCsv, runBulk, summarize } from '../../renderer/stores/bulk-run';
import type { BulkCreateResponse } from '../../shared/contracts/api';
import type { RuleCreate } from '../../shared/rules';
import { parsePastedNumbers, parseRulesCsv } from '../../shared/bulk';
import { createFakeApi, makeBlocklistState, makeRule } from './store-helpers';

describe('blocklist store', () => {
  it('loads the synced state and follows blocklist:changed', async () => {
    const api = createFakeApi();
    const first = makeRule();
    api.handle('blocklist:get', () => makeBlocklistState([first]));
    const store = createBlocklistStore(api);
    await store.getState().load();
    expect(store.getState().index.rules).toEqual([first]);
    const hit = { ...first, hitCount: 7, lastHitAt: '2026-02-01T00:00:00.000Z' };
    api.emit('blocklist:changed', makeBlocklistState([hit, makeRule()], 2));
    expect(store.getState().data?.revision).toBe(2);
    expect(store.getState().index.rules[0]?.hitCount).toBe(7);
    expect(store.getState().index.rules).toHaveLength(2);
  });

  it('applies a burst of changes at once and then the newest at the end of the window', () => {
    vi.useFakeTimers();
    try {
      const api = createFakeApi();
      const store = createBlocklistStore(api);
      api.emit('blocklist:changed', makeBlocklistState([makeRule()], 1));
      expect(store.getState().data?.revision).toBe(1);
      api.emit('blocklist:changed', makeBlocklistState([makeRule(), makeRule()], 2));
      api.emit('blocklist:changed', makeBlocklistState([makeRule(), makeRule(), makeRule()], 3));
      expect(store.getState().data?.revision).toBe(1);
      vi.advanceTimersByTime(CHANGE_COALESCE_MS);
      expect(store.getState().data?.revision).toBe(3);
      expect(store.getState().index.rules).toHaveLength(3);
      vi.advanceTimersByTime(CHANGE_COALESCE_MS * 2);
      api.emit('blocklist:changed', makeBlocklistState([], 4));
      expect(store.getState().data?.revision).toBe(4);
      store.getState().dispose();
      api.emit('blocklist:changed', makeBlocklistState([], 5));
      vi.advanceTimersByTime(CHANGE_COALESCE_MS);
      expect(store.getState().data?.revision).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('changes the list only with what the server confirmed', async () => {
    const api = createFakeApi();
    const existing = makeRule();
    api.handle('blocklist:get', () => makeBlocklistState([existing]));
    const store = createBlocklistStore(api);
    await store.getState().load();

    api.handle('rules:create', () => ({
      ok: false,
      code: 'already_blocked',
      message: '+12125551000 is already blocked on all lines',
    }));
    const refused = await store.getState().createRule({ number: '212 555 1000', reason: 'spam' });
    expect(refused).toMatchObject({ ok: false, code: 'already_blocked' });
    expect(store.getState().index.rules).toHaveLength(1);

    const created = makeRule({ number: '+12125559999' });
    api.handle('rules:create', () => ({ ok: true, value: created }));
    await store.getState().createRule({ number: '212 555 9999', reason: 'spam' });
    expect(store.getState().index.rules.map((rule) => rule.id)).toEqual([existing.id, created.id]);

    const edited = { ...created, reason: 'new reason' };
    api.handle('rules:update', (request) => {
      expect(request).toEqual({ id: created.id, patch: { reason: 'new reason' } });
      return { ok: true, value: edited };
    });
    await store.getState().updateRule(created.id, { reason: 'new reason' });
    expect(store.getState().index.rules[1]?.reason).toBe('new reason');

    api.handle('rules:delete', () => ({ ok: false, code: 'offline', message: 'Offline' }));
    expect((await store.getState().deleteRule(created.id)).ok).toBe(false);
    expect(store.getState().index.rules).toHaveLength(2);
    api.handle('rules:delete', () => ({ ok: true, value: null }));
    await store.getState().deleteRule(created.id);
    expect(store.getState().index.rules.map((rule) => rule.id)).toEqual([existing.id]);
  });

  it('turns a transport failure into a network write error', async () => {
    const api = createFakeApi();
    api.handle('rules:create', () => {
      throw new Error('bridge closed');
    });
    const store = createBlocklistStore(api);
    expect(await store.getState().createRule({ number: '+12125550000', reason: 'x' })).toEqual({
      ok: false,
      code: 'network',
      message: 'bridge closed',
    });
  });

  it('adds the rules a bulk request created', async () => {
    const api = createFakeApi();
    api.handle('blocklist:get', () => makeBlocklistState([]));
    const store = createBlocklistStore(api);
    await store.getState().load();
    const created = makeRule();
    api.handle('rules:bulkCreate', () => ({
      ok: true,
      value: {
        results: [
          { index: 0, status: 'created', rule: created },
          { index: 1, status: 'emergency', message: 'no' },
        ],
      },
    }));
    await store.getState().bulkCreate(
      [
        { number: 'a', reason: 'r' },
        { number: '911', reason: 'r' },
      ],
      'bulk',
    );
    expect(store.getState().index.rules).toEqual([created]);
  });
});

describe('rule query', () => {
  const rules = [
    makeRule({ number: '+12125551234', reason: 'Robocaller', hitCount: 5, scope: 'all' }),
    makeRule({ number: '+1900*', reason: 'Premium-rate numbers', hitCount: 50, scope: 'all' }),
    makeRule({ number: '+442079460958', reason: 'Spam from London', hitCount: 1, scope: '+12125550101' }),
    makeRule({ number: '+13125550000', reason: 'Exception for partner', kind: 'allow', hitCount: 0 }),
  ];
  const index = buildRuleIndex(rules);
  const numbers = (search: string, extra = {}) =>
    queryRules(index, { ...DEFAULT_RULE_QUERY, search, ...extra }, 'US').map((rule) => rule.number);

  it('finds a number typed in any common form, normalized with the org country', () => {
    expect(numbers('(212) 555-1234')).toEqual(['+12125551234']);
    expect(numbers('tel:+1-212-555-1234')).toEqual(['+12125551234']);
    expect(numbers('1 900 555 0100')).toEqual(['+1900*']);
  });

  it('finds digit substrings and reasons, case-insensitively', () => {
    expect(numbers('7946')).toEqual(['+442079460958']);
    expect(numbers('premium')).toEqual(['+1900*']);
    expect(numbers('SPAM')).toEqual(['+442079460958']);
    expect(numbers('no such thing')).toEqual([]);
  });

  it('drops a national trunk prefix when searching digits', () => {
    const gbIndex = buildRuleIndex([makeRule({ number: '+442079460958' })]);
    expect(queryRules(gbIndex, { ...DEFAULT_RULE_QUERY, search: '020 7946' }, 'GB')).toHaveLength(1);
    expect(searchTerms('020 7946', 'GB').digitVariants).toEqual(['0207946', '207946']);
  });

  it('sorts by date, number and hits in both orders', () => {
    expect(numbers('', { sort: 'created', order: 'desc' })).toEqual(
      rules.map((rule) => rule.number).reverse(),
    );
    expect(numbers('', { sort: 'hits', order: 'desc' })).toEqual([
      '+1900*',
      '+12125551234',
      '+442079460958',
      '+13125550000',
    ]);
    expect(numbers('', { sort: 'number', order: 'asc' })).toEqual([
      '+12125551234',
      '+13125550000',
      '+1900*',
      '+442079460958',
    ]);
  });

  it('filters by scope and kind', () => {
    expect(numbers('', { scope: '+12125550101' })).toEqual(['+442079460958']);
    expect(numbers('', { kind: 'allow' })).toEqual(['+13125550000']);
  });

  it('narrows the previous result while typing on, with the same answers as a full search', () => {
    const typed = [
      '2',
      '21',
      '212',
      '(212) 5',
      '(212) 555-1234',
      'p',
      'pr',
      'premium',
      '1 900 555 0100',
      's',
      'sp',
      'spam',
    ];
    let previous: QueryResult | null = null;
    for (const search of typed) {
      const query = { ...DEFAULT_RULE_QUERY, search };
      const result = queryRulesIncremental(previous, index, query, 'US');
      expect(result.rules, search).toEqual(queryRules(index, query, 'US'));
      previous = result;
    }
    // A number that only a prefix rule covers is found even after a narrower digit search.
    const digits = queryRulesIncremental(
      null,
      index,
      { ...DEFAULT_RULE_QUERY, search: '1 900 555 010' },
      'US',
    );
    expect(digits.rules).toEqual([]);
    const whole = queryRulesIncremental(
      digits,
      index,
      { ...DEFAULT_RULE_QUERY, search: '1 900 555 0100' },
      'US',
    );
    expect(whole.rules.map((rule) => rule.number)).toEqual(['+1900*']);
  });

  it('answers a search over 100,000 rules quickly', () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      makeRule({
        number: `+1${String(2_000_000_000 + i * 7)}`,
        reason: i % 1000 === 0 ? 'needle' : `reason ${i}`,
      }),
    );
    const big = buildRuleIndex(many);
    queryRules(big, DEFAULT_RULE_QUERY, 'US');
    const started = performance.now();
    const found = queryRules(big, { ...DEFAULT_RULE_QUERY, search: 'needle' }, 'US');
    const elapsed = performance.now() - started;
    expect(found).toHaveLength(100);
    expect(elapsed).toBeLessThan(500);
  });
});

describe('bulk run', () => {
  const ctx = { country: 'US' as const, lines: ['+12125550100'], defaults: { reason: 'Pasted' } };

  it('sends only valid entries, in requests of at most the batch size, and reports every line', async () => {
    const sent: RuleCreate[][] = [];
    const send = async (batch: RuleCreate[]) => {
      sent.push(batch);
      const response: BulkCreateResponse = {
        results: batch.map((entry, index) =>
          entry.number === '+12125550007'
            ? {
                index,
                status: 'already_blocked' as const,
                message: '+12125550007 is already blocked on all lines',
              }
            : { index, status: 'created' as const, rule: makeRule({ number: entry.number }) },
        ),
      };
      return { ok: true as const, value: response };
    };
    const text = [
      '212-555-0001',
      '911',
      'not a number',
      '212 555 0002; 212 555 0003',
      '212-555-0001',
      '(212) 555-0007',
    ].join('\n');
    const progress: number[] = [];
    const outcomes = await runBulk(parsePastedNumbers(text), ctx, send, (p) => progress.push(p.done), 2);
    expect(sent.map((batch) => batch.length)).toEqual([2, 2]);
    expect(outcomes.map((o) => [o.line, o.status])).toEqual([
      [1, 'created'],
      [2, 'emergency'],
      [3, 'invalid'],
      [4, 'created'],
      [4, 'created'],
      [5, 'duplicate'],
      [6, 'already_blocked'],
    ]);
    expect(progress.at(-1)).toBe(7);
    expect(summarize(outcomes)).toMatchObject({
      created: 3,
      emergency: 1,
      invalid: 1,
      duplicate: 1,
      already_blocked: 1,
    });
  });

  it('marks a refused request as not saved and goes on with the next one', async () => {
    let call = 0;
    const send = async (batch: RuleCreate[]) => {
      call += 1;
      if (call === 1)
        return { ok: false as const, code: 'forbidden' as const, message: 'Only leads may add rules' };
      return {
        ok: true as const,
        value: {
          results: batch.map((entry, index) => ({
            index,
            status: 'created' as const,
            rule: makeRule({ number: entry.number }),
          })),
        },
      };
    };
    const outcomes = await runBulk(
      parsePastedNumbers('2125550001\n2125550002\n2125550003'),
      ctx,
      send,
      undefined,
      2,
    );
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'created']);
    expect(outcomes[0]?.message).toBe('Only leads may add rules');
  });

  it('keeps CSV line numbers in the error report', async () => {
    const csv = 'number,reason\n+12125550001,ok\nbad,oops\n\n+12125550002,"two, with comma"\n';
    const send = async (batch: RuleCreate[]) => ({
      ok: true as const,
      value: {
        results: batch.map((entry, index) => ({
          index,
          status: 'created' as const,
          rule: makeRule({ number: entry.number }),
        })),
      },
    });
    const outcomes = await runBulk(parseRulesCsv(csv).entries, { country: 'US', lines: [] }, send);
    expect(outcomes.map((o) => [o.line, o.status])).toEqual([
      [2, 'created'],
      [3, 'invalid'],
      [5, 'created'],
    ]);
    const report = errorReportCsv(outcomes).trim().split('\r\n');
    expect(report).toHaveLength(2);
    expect(report[1]).toMatch(/^3,bad,invalid,/);
  });
});
