import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyDelta,
  mergeDelta,
  noteRemoval,
  noteUpsert,
  toBlocklistDelta,
  type MergedDelta,
} from '../../shared/blocklist-delta';
import type { BlocklistDelta } from '../../shared/contracts/ipc';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings } from '../../shared/settings';

function rule(id: string, reason: string): Rule {
  return {
    id,
    kind: 'block',
    number: '+12125551234',
    scope: 'all',
    reason,
    expiresAt: null,
    source: 'manual',
    createdBy: 'u1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    hitCount: 0,
    lastHitAt: null,
  };
}

/** The list as a reader sees it: rule id → rule. */
type RuleMap = Map<string, Rule>;

function applyTo(list: RuleMap, delta: BlocklistDelta): RuleMap {
  const next = new Map(list);
  for (const id of delta.removed) next.delete(id);
  for (const upserted of delta.upserted) next.set(upserted.id, upserted);
  return next;
}

// Few ids, so the same rule is often upserted, removed and upserted again within one burst.
const idArb = fc.constantFrom('r0', 'r1', 'r2', 'r3', 'r4');
const ruleArb = fc.tuple(idArb, fc.string({ maxLength: 3 })).map(([id, reason]) => rule(id, reason));
const listArb = fc.array(ruleArb, { maxLength: 5 }).map((rules) => new Map(rules.map((r) => [r.id, r])));
/** One change as the host receives it from the server. */
const changeArb = fc.oneof(
  ruleArb.map((upserted) => ({ type: 'upsert' as const, rule: upserted })),
  idArb.map((ruleId) => ({ type: 'remove' as const, ruleId })),
);
/** A delta as the page receives it: the host never puts one id in both lists. */
const deltaBodyArb = fc
  .record({
    upserted: fc.uniqueArray(ruleArb, { selector: (r) => r.id, maxLength: 4 }),
    removed: fc.uniqueArray(idArb, { maxLength: 3 }),
    withSettings: fc.boolean(),
  })
  .map(({ upserted, removed, withSettings }) => ({
    upserted,
    removed: removed.filter((id) => !upserted.some((r) => r.id === id)),
    withSettings,
  }));

/** Consecutive deltas: each starts where the previous one ended. */
function consecutive(
  bodies: ReadonlyArray<{ upserted: Rule[]; removed: string[]; withSettings: boolean }>,
  start: number,
): BlocklistDelta[] {
  return bodies.map((body, i) => ({
    fromRevision: start + i,
    revision: start + i + 1,
    upserted: body.upserted,
    removed: body.removed,
    ...(body.withSettings ? { settings: defaultOrgSettings('US', `Etc/GMT-${i % 12}`) } : {}),
  }));
}

describe('blocklist delta merge: properties', () => {
  it('applying the merge of consecutive deltas equals applying each in turn', () => {
    fc.assert(
      fc.property(listArb, fc.array(deltaBodyArb, { minLength: 1, maxLength: 8 }), (list, bodies) => {
        const deltas = consecutive(bodies, 10);
        let merged: MergedDelta | null = null;
        for (const delta of deltas) merged = mergeDelta(merged, delta);
        const wire = toBlocklistDelta(merged!);
        expect(applyTo(list, wire)).toEqual(deltas.reduce(applyTo, list));
        expect(wire.fromRevision).toBe(10);
        expect(wire.revision).toBe(10 + deltas.length);
        expect(merged!.gap).toBe(false);
        // Never both kept and removed: a reader may apply the two lists in either order.
        expect(wire.removed.filter((id) => wire.upserted.some((r) => r.id === id))).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('carries the latest settings when any delta did, and none otherwise', () => {
    fc.assert(
      fc.property(fc.array(deltaBodyArb, { minLength: 1, maxLength: 8 }), (bodies) => {
        const deltas = consecutive(bodies, 0);
        const wire = toBlocklistDelta(deltas.reduce<MergedDelta | null>(mergeDelta, null)!);
        const lastWithSettings = deltas.filter((delta) => delta.settings !== undefined).at(-1);
        expect(wire.settings).toEqual(lastWithSettings?.settings);
        expect('settings' in wire).toBe(lastWithSettings !== undefined);
        expect('lines' in wire).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('flags a gap exactly when a delta starts after the merged revision', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(deltaBodyArb, fc.integer({ min: -1, max: 2 })), { minLength: 2, maxLength: 6 }),
        (steps) => {
          let merged: MergedDelta | null = null;
          let expectGap = false;
          let revision = 5;
          for (const [body, skip] of steps) {
            // skip < 0: a replay of the last delta; 0: consecutive; > 0: changes missed in between.
            const fromRevision = Math.max(0, revision + skip);
            if (merged !== null && fromRevision > merged.revision) expectGap = true;
            merged = mergeDelta(merged, { fromRevision, revision: fromRevision + 1, ...body });
            revision = merged.revision;
          }
          expect(merged!.gap).toBe(expectGap);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('noting changes one by one (the host) gives the delta that takes the old list to the new one', () => {
    fc.assert(
      fc.property(listArb, fc.array(changeArb, { maxLength: 20 }), (list, changes) => {
        const delta = emptyDelta(3);
        const live = new Map(list);
        for (const change of changes) {
          if (change.type === 'upsert') {
            live.set(change.rule.id, change.rule);
            noteUpsert(delta, change.rule);
          } else {
            live.delete(change.ruleId);
            noteRemoval(delta, change.ruleId);
          }
        }
        expect(applyTo(list, toBlocklistDelta(delta))).toEqual(live);
      }),
      { numRuns: 400 },
    );
  });
});

describe('blocklist delta merge: examples', () => {
  it('an upsert after a removal brings the rule back; a removal after an upsert drops it', () => {
    const merged = mergeDelta(
      mergeDelta(null, { fromRevision: 1, revision: 2, upserted: [rule('a', 'x')], removed: ['b'] }),
      { fromRevision: 2, revision: 3, upserted: [rule('b', 'back')], removed: ['a'] },
    );
    expect(toBlocklistDelta(merged)).toEqual({
      fromRevision: 1,
      revision: 3,
      upserted: [rule('b', 'back')],
      removed: ['a'],
    });
  });

  it('an empty delta starts and ends at its revision', () => {
    expect(toBlocklistDelta(emptyDelta(7))).toEqual({
      fromRevision: 7,
      revision: 7,
      upserted: [],
      removed: [],
    });
  });
});
