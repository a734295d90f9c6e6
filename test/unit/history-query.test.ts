import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import { createHistoryStore } from '../../renderer/stores/history';
import { queryHistory, unseenMissedCount } from '../../renderer/stores/history-query';
import { createFakeApi } from './store-helpers';

const entry = (id: string, overrides: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id,
  direction: 'inbound',
  number: '+12125551234',
  display: '+12125551234',
  line: '+12125550100',
  startedAt: '2026-01-01T10:00:00.000Z',
  durationSeconds: 0,
  result: 'answered',
  blockedReason: null,
  verification: null,
  ...overrides,
});

const entries: HistoryEntry[] = [
  entry('us', { display: 'Acme Supplies' }),
  entry('uk', { number: '+442079460958', display: '+442079460958', result: 'missed' }),
  entry('out', { number: '+13105550199', display: '(310) 555-0199', direction: 'outbound' }),
  entry('blocked', { number: '+19005550123', display: '+19005550123', result: 'blocked' }),
  entry('anon', { number: null, display: 'Anonymous', result: 'missed' }),
];
const ids = (found: HistoryEntry[]) => found.map((found) => found.id);

describe('history search (SPEC §10.10)', () => {
  it('finds a number however it is typed: E.164, formatted, bare digits, a part of it', () => {
    for (const typed of ['+1 212 555 1234', '(212) 555-1234', '2125551234', '555-12', '+12125551234'])
      expect(ids(queryHistory(entries, typed, 'all', 'US')), typed).toEqual(['us']);
  });

  it('finds a national form with its trunk prefix in the org’s country, and full-width digits', () => {
    expect(ids(queryHistory(entries, '020 7946 0958', 'all', 'GB'))).toEqual(['uk']);
    expect(ids(queryHistory(entries, '７９４６', 'all', 'US'))).toEqual(['uk']);
  });

  it('searches names when the query has letters, case-insensitively', () => {
    expect(ids(queryHistory(entries, 'acme', 'all', 'US'))).toEqual(['us']);
    expect(ids(queryHistory(entries, 'ANONYM', 'all', 'US'))).toEqual(['anon']);
    expect(queryHistory(entries, 'nobody', 'all', 'US')).toEqual([]);
    // Punctuation alone is not a search for everything.
    expect(queryHistory(entries, '+', 'all', 'US')).toEqual([]);
    expect(queryHistory(entries, '  ', 'all', 'US')).toHaveLength(entries.length);
  });

  it('filters missed, blocked, inbound and outbound, together with the search', () => {
    expect(ids(queryHistory(entries, '', 'missed', 'US'))).toEqual(['uk', 'anon']);
    expect(ids(queryHistory(entries, '', 'blocked', 'US'))).toEqual(['blocked']);
    expect(ids(queryHistory(entries, '', 'outbound', 'US'))).toEqual(['out']);
    expect(ids(queryHistory(entries, '', 'inbound', 'US'))).toEqual(['us', 'uk', 'blocked', 'anon']);
    expect(ids(queryHistory(entries, '4420', 'missed', 'US'))).toEqual(['uk']);
    expect(queryHistory(entries, '4420', 'outbound', 'US')).toEqual([]);
  });

  it('searches 10,000 entries in well under a frame once the keys are built', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      entry(`e${i}`, { number: `+1212${String(2_000_000 + i * 7)}`, display: `Caller ${i}` }),
    );
    queryHistory(many, '1', 'all', 'US');
    const started = performance.now();
    const found = queryHistory(many, '212200', 'all', 'US');
    expect(performance.now() - started).toBeLessThan(50);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((hit) => hit.number?.includes('212200'))).toBe(true);
  });
});

describe('missed-call count', () => {
  it('counts missed calls after the moment they were last seen', () => {
    const list = [
      entry('a', { result: 'missed', startedAt: '2026-01-01T10:00:00.000Z' }),
      entry('b', { result: 'missed', startedAt: '2026-01-01T12:00:00.000Z' }),
      entry('c', { result: 'answered', startedAt: '2026-01-01T13:00:00.000Z' }),
    ];
    expect(unseenMissedCount(list, 0)).toBe(2);
    expect(unseenMissedCount(list, Date.parse('2026-01-01T11:00:00.000Z'))).toBe(1);
  });

  it('choosing the Missed filter marks them seen', () => {
    const store = createHistoryStore(createFakeApi());
    store.setState({
      entries: [entry('a', { result: 'missed', startedAt: new Date(Date.now() - 1000).toISOString() })],
    });
    expect(unseenMissedCount(store.getState().entries, store.getState().missedSeenAt)).toBe(1);
    store.getState().setFilter('missed');
    expect(store.getState().filter).toBe('missed');
    expect(unseenMissedCount(store.getState().entries, store.getState().missedSeenAt)).toBe(0);
  });
});
