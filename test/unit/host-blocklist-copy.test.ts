/**
 * The host's copy of the list on its own (no connection loop): changes in revision order over a real
 * local store, gaps refused, and bursts announced coalesced as one delta.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Change } from '../../shared/contracts/api';
import type { BlocklistChange } from '../../shared/contracts/ipc';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings } from '../../shared/settings';
import { BlocklistCopy, RevisionGapError } from '../../host/blocklist-copy';
import { LocalStore } from '../../host/local-store';

const at = '2026-01-10T12:00:00.000Z';
const rule = (n: number): Rule => ({
  id: `r${n}`,
  kind: 'block',
  number: `+1212555${String(1000 + n)}`,
  scope: 'all',
  reason: `rule ${n}`,
  expiresAt: null,
  source: 'manual',
  createdBy: 'u1',
  createdAt: at,
  updatedAt: at,
  hitCount: 0,
  lastHitAt: null,
});
const upsert = (revision: number, n = revision): Change => ({
  revision,
  at,
  type: 'rule_upserted',
  rule: rule(n),
});

describe('BlocklistCopy over a real local store', () => {
  let dir: string;
  let store: LocalStore;
  let announced: BlocklistChange[];
  let syncTimes: Array<string | null>;
  let copy: BlocklistCopy;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'blockline-copy-'));
    store = new LocalStore({ dir });
    announced = [];
    syncTimes = [];
    copy = new BlocklistCopy({
      store,
      now: () => new Date(at),
      isOnline: () => true,
      onBlocklist: (change) => announced.push(change),
      onAnnounced: (syncedAt) => syncTimes.push(syncedAt),
      log: () => undefined,
      emitIntervalMs: 50,
    });
  });

  afterEach(async () => {
    await store.flushBlocklist();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies changes in order at once, ignores replays and refuses a gap', () => {
    copy.applyChange(upsert(1));
    copy.applyChange(upsert(2));
    copy.applyChange(upsert(1, 9)); // a replay: already held
    expect(copy.counts()).toEqual({ revision: 2, ruleCount: 2 });
    expect(() => copy.applyChange(upsert(4))).toThrow(RevisionGapError);
    expect(copy.getBlocklistState().rules.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(store.getBlocklistState().revision).toBe(2);
    copy.flushNow();
  });

  it('announces a burst as one delta carrying the last word on each rule', async () => {
    copy.applyChange(upsert(1));
    copy.applyChange({
      revision: 2,
      at,
      type: 'rule_deleted',
      ruleId: 'r1',
      number: rule(1).number,
      scope: 'all',
    });
    copy.applyChange(upsert(3, 2));
    copy.applyChange({ revision: 4, at, type: 'settings_updated', settings: defaultOrgSettings('GB') });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(announced).toEqual([
      {
        kind: 'delta',
        delta: {
          fromRevision: 0,
          revision: 4,
          upserted: [rule(2)],
          removed: ['r1'],
          settings: defaultOrgSettings('GB'),
        },
      },
    ]);
    expect(syncTimes).toEqual([at]);
  });

  it('announces a snapshot whole, at once, and a reload as an empty list', async () => {
    copy.applyChange(upsert(1));
    copy.replaceWithSnapshot({
      revision: 7,
      rules: [rule(5)],
      settings: defaultOrgSettings(),
      lines: [],
      announcements: { inbound: null, outbound: null },
    });
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({ kind: 'full', state: { revision: 7, rules: [rule(5)] } });
    await store.clearBlocklist();
    copy.reload();
    expect(announced.at(-1)).toMatchObject({ kind: 'full', state: { revision: 0, rules: [] } });
    expect(copy.counts()).toEqual({ revision: 0, ruleCount: 0 });
  });
});
