import { describe, expect, it, vi } from 'vitest';
import { CHANGE_COALESCE_MS, createBlocklistStore } from '../../renderer/stores/blocklist';
import {
  applyRuleDelta,
  buildRuleIndex,
  DEFAULT_RULE_QUERY,
  queryRules,
  queryRulesIncremental,
  type QueryResult,
  searchTerms,
} from '../../renderer/stores/rule-query';
import { errorReportCsv, runBulk, summarize } from '../../renderer/stores/bulk-run';
import type { BulkCreateResponse } from '../../shared/contracts/api';
import type { EventPayload } from '../../shared/contracts/ipc';
import type { Rule, RuleCreate } from '../../shared/rules';
import { parsePastedNumbers, parseRulesCsv } from '../../shared/bulk';
import { createFakeApi, makeBlocklistState, makeRule } from './store-helpers';

const delta = (
  fromRevision: number,
  revision: number,
  upserted: Rule[],
  removed: string[] = [],
): EventPayload<'blocklist:changed'> => ({
  kind: 'delta',
  delta: { fromRevision, revision, upserted, removed },
});
const full = (rules: Rule[], revision: number): EventPayload<'blocklist:changed'> => ({
  kind: 'full',
  state: makeBlocklistState(rules, revision),
});

describe('blocklist store', () => {
  it('loads the synced state and follows deltas', async () => {
    vi.useFakeTimers();
    try {
      const api = createFakeApi();
      const first = makeRule();
      api.handle('blocklist:get', () => makeBlocklistState([first]));
      const store = createBlocklistStore(api);
      await store.getState().load();
      expect(store.getState().index.rules).toEqual([first]);
      const second = makeRule();
      api.emit('blocklist:changed', delta(1, 2, [second]));
      expect(store.getState().data?.revision).toBe(2);
      expect(store.getState().index.rules).toEqual([first, second]);
      const decisionRules = store.getState().decisionRules;
      expect(decisionRules).toEqual([first, second]);
      vi.advanceTimersByTime(CHANGE_COALESCE_MS * 2);
      // Hit counters change with every blocked call in the org: the list shows them, but the phone's
      // decision index is not rebuilt for them.
      const hit = { ...first, hitCount: 7, lastHitAt: '2026-02-01T00:00:00.000Z' };
      api.emit('blocklist:changed', delta(2, 3, [hit]));
      vi.advanceTimersByTime(CHANGE_COALESCE_MS);
      expect(store.getState().index.rules[0]?.hitCount).toBe(7);
      expect(store.getState().decisionRules).toBe(decisionRules);
      // A changed reason (shown with a blocked call) or a removal does rebuild it.
      vi.advanceTimersByTime(CHANGE_COALESCE_MS);
      api.emit('blocklist:changed', delta(3, 4, [{ ...hit, reason: 'New reason' }]));
      expect(store.getState().decisionRules).not.toBe(decisionRules);
      vi.advanceTimersByTime(CHANGE_COALESCE_MS * 2);
      api.emit('blocklist:changed', delta(4, 5, [], [second.id]));
      expect(store.getState().index.rules.map((rule) => rule.reason)).toEqual(['New reason']);
      expect(store.getState().decisionRules).toHaveLength(1);
      expect(store.getState().data?.revision).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('applies a burst at once and then the rest merged at the end of the window; a whole list replaces it', () => {
    vi.useFakeTimers();
    try {
      const api = createFakeApi();
      const store = createBlocklistStore(api);
      const [a, b, c] = [makeRule(), makeRule(), makeRule()];
      api.emit('blocklist:changed', full([a!], 1));
      expect(store.getState().data?.revision).toBe(1);
      api.emit('blocklist:changed', delta(1, 2, [b!]));
      api.emit('blocklist:changed', delta(2, 3, [c!], [a!.id]));
      api.emit('blocklist:changed', delta(3, 4, [{ ...b!, reason: 'edited' }]));
      expect(store.getState().data?.revision).toBe(1);
      vi.advanceTimersByTime(CHANGE_COALESCE_MS);
      expect(store.getState().data?.revision).toBe(4);
      expect(store.getState().index.rules.map((rule) => [rule.id, rule.reason])).toEqual([
        [b!.id, 'edited'],
        [c!.id, c!.reason],
      ]);
      vi.advanceTimersByTime(CHANGE_COALESCE_MS * 2);
      api.emit('blocklist:changed', full([], 9));
      expect(store.getState().data?.revision).toBe(9);
      expect(store.getState().index.rules).toEqual([]);
      store.getState().dispose();
      api.emit('blocklist:changed', delta(9, 10, [a!]));
      vi.advanceTimersByTime(CHANGE_COALESCE_MS);
      expect(store.getState().data?.revision).toBe(9);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ignores a delta it already holds, and fetches the whole list after a missed one', async () => {
    const api = createFakeApi();
    const first = makeRule();
    api.handle('blocklist:get', () => makeBlocklistState([first], 5));
    const store = createBlocklistStore(api);
    await store.getState().load();
    // Already included (the list was fetched after these changes were made).
    api.emit('blocklist:changed', delta(3, 5, [makeRule()]));
    expect(store.getState().index.rules).toEqual([first]);
    // A delta that starts before our revision still applies: it carries the final state of each rule.
    await new Promise((resolve) => setTimeout(resolve, CHANGE_COALESCE_MS * 2 + 20));
    const edited = { ...first, reason: 'edited' };
    api.emit('blocklist:changed', delta(4, 6, [edited]));
    expect(store.getState().index.rules).toEqual([edited]);
    expect(store.getState().data?.revision).toBe(6);
    // Revisions 7–9 never arrived: the delta from 9 cannot apply, the whole list is fetched instead.
    await new Promise((resolve) => setTimeout(resolve, CHANGE_COALESCE_MS * 2 + 20));
    const later = makeRule();
    api.handle('blocklist:get', () => makeBlocklistState([edited, later], 10));
    api.emit('blocklist:changed', delta(9, 10, [later]));
    await vi.waitFor(() => expect(store.getState().data?.revision).toBe(10));
    expect(store.getState().index.rules).toEqual([edited, later]);
    expect(api.calls.filter((call) => call.channel === 'blocklist:get')).toHaveLength(2);
    store.getState().dispose();
  });

  it('keeps a delta that arrives while the first load is on its way, and applies it if the load is older', async () => {
    const api = createFakeApi();
    const first = makeRule();
    const second = makeRule();
    let answer: (state: ReturnType<typeof makeBlocklistState>) => void = () => undefined;
    api.handle('blocklist:get', () => new Promise((resolve) => (answer = resolve)));
    const store = createBlocklistStore(api);
    const loading = store.getState().load();
    // The host announced revision 3 after it had answered the load with revision 2.
    api.emit('blocklist:changed', delta(2, 3, [second]));
    answer(makeBlocklistState([first], 2));
    await loading;
    expect(store.getState().data?.revision).toBe(3);
    expect(store.getState().index.rules).toEqual([first, second]);
    store.getState().dispose();
  });

  it('remembers a missed change among the deltas that arrive before the first load', async () => {
    const api = createFakeApi();
    const first = makeRule();
    let answer: (state: ReturnType<typeof makeBlocklistState>) => void = () => undefined;
    api.handle('blocklist:get', () => new Promise((resolve) => (answer = resolve)));
    const store = createBlocklistStore(api);
    const loading = store.getState().load();
    api.emit('blocklist:changed', delta(2, 3, [makeRule()]));
    // One burst with revisions 5–6 missing inside it, merged with the delta already waiting.
    api.emit('blocklist:changed', delta(3, 4, [makeRule()]));
    api.emit('blocklist:changed', delta(6, 7, [makeRule()]));
    await new Promise((resolve) => setTimeout(resolve, CHANGE_COALESCE_MS * 2 + 20));
    const whole = [first, makeRule()];
    answer(makeBlocklistState([first], 2));
    api.handle('blocklist:get', () => makeBlocklistState(whole, 7));
    await loading;
    await vi.waitFor(() =>
      expect(api.calls.filter((call) => call.channel === 'blocklist:get')).toHaveLength(2),
    );
    await vi.waitFor(() => expect(store.getState().index.rules).toEqual(whole));
    store.getState().dispose();
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

  it('keeps an index up to date through deltas with the same answers as one built anew', () => {
    // A small seeded generator: the same "random" lists every run.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
    const randomRule = (id: string): Rule =>
      makeRule({
        id,
        number: pick(['+1212555', '+1646555', '+44207946']) + String(Math.floor(random() * 40)),
        reason: pick(['Spam', 'Robocaller', 'Premium', 'spam again']),
        scope: pick(['all', '+12125550101']),
        kind: pick(['block', 'allow'] as const),
        createdAt: day(Math.floor(random() * 10)), // many ties: the order must still be total
        hitCount: Math.floor(random() * 4),
        lastHitAt: random() < 0.5 ? null : day(Math.floor(random() * 10)),
      });
    let nextId = 0;
    const model = new Map<string, Rule>();
    for (let i = 0; i < 300; i++) {
      const rule = randomRule(`r${nextId++}`);
      model.set(rule.id, rule);
    }
    let index = buildRuleIndex([...model.values()]);
    const queries = (['created', 'number', 'hits'] as const).flatMap((sort) =>
      (['asc', 'desc'] as const).flatMap((order) =>
        ['', 'spam', '646', '(212) 555-12'].map((search) => ({ ...DEFAULT_RULE_QUERY, sort, order, search })),
      ),
    );
    for (const query of queries) queryRules(index, query, 'US'); // every order computed, then kept
    for (let round = 0; round < 40; round++) {
      const upserted: Rule[] = [];
      const removed: string[] = [];
      const ids = [...model.keys()];
      for (let k = Math.floor(random() * 20); k > 0; k--) {
        const roll = random();
        if (roll < 0.4) upserted.push(randomRule(`r${nextId++}`));
        else if (roll < 0.6) {
          const existing = model.get(pick(ids))!;
          upserted.push({ ...existing, hitCount: existing.hitCount + 1, lastHitAt: day(11) });
        } else if (roll < 0.8) upserted.push(randomRule(pick(ids)));
        else removed.push(pick(ids));
      }
      for (const id of removed) model.delete(id);
      for (const rule of upserted) {
        if (removed.includes(rule.id)) continue;
        model.set(rule.id, rule);
      }
      index = applyRuleDelta(
        index,
        upserted.filter((rule) => !removed.includes(rule.id)),
        removed,
      );
      expect(index.rules).toEqual([...model.values()]);
      const fresh = buildRuleIndex([...model.values()]);
      for (const query of queries)
        expect(queryRules(index, query, 'US'), `${round} ${JSON.stringify(query)}`).toEqual(
          queryRules(fresh, query, 'US'),
        );
    }
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
