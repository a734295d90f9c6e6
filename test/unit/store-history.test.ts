import { describe, expect, it } from 'vitest';
import { createHistoryStore, describeResult, formatDuration } from '../../renderer/stores/history';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import { createFakeApi } from './store-helpers';

const entry = (id: string, startedAt: string, overrides: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id,
  direction: 'inbound',
  number: '+12125551234',
  display: '+12125551234',
  line: '+12125550100',
  startedAt,
  durationSeconds: 0,
  result: 'answered',
  blockedReason: null,
  verification: null,
  ...overrides,
});

describe('history store', () => {
  it('loads newest first, adds, and clears through the main process', async () => {
    const api = createFakeApi();
    api.handle('history:list', () => [
      entry('old', '2026-01-01T09:00:00.000Z'),
      entry('new', '2026-01-01T11:00:00.000Z'),
    ]);
    api.handle('history:add', () => ({ ok: true }));
    api.handle('history:clear', () => ({ ok: true }));
    const store = createHistoryStore(api);
    await store.getState().load();
    expect(store.getState().entries.map((e) => e.id)).toEqual(['new', 'old']);
    await store.getState().add(entry('mid', '2026-01-01T10:00:00.000Z'));
    expect(store.getState().entries.map((e) => e.id)).toEqual(['new', 'mid', 'old']);
    expect(api.calls.some((call) => call.channel === 'history:add')).toBe(true);
    await store.getState().clear();
    expect(store.getState().entries).toEqual([]);
  });

  it('keeps a load failure as an error message', async () => {
    const api = createFakeApi();
    api.handle('history:list', () => {
      throw new Error('store unreadable');
    });
    const store = createHistoryStore(api);
    await store.getState().load();
    expect(store.getState().error).toBe('store unreadable');
  });

  it('says "Hung up: blocked" for blocked inbound and "Blocked" for outbound, with the reason', () => {
    expect(
      describeResult(entry('1', '2026-01-01T00:00:00Z', { result: 'blocked', blockedReason: 'Robocaller' })),
    ).toBe('Hung up: blocked (Robocaller)');
    expect(
      describeResult(
        entry('2', '2026-01-01T00:00:00Z', {
          result: 'blocked',
          direction: 'outbound',
          blockedReason: 'Premium',
        }),
      ),
    ).toBe('Blocked (Premium)');
    expect(describeResult(entry('3', '2026-01-01T00:00:00Z', { result: 'missed' }))).toBe('Missed');
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65.7)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
