/**
 * The rules touched between two revisions of the org's list, merged so the last word on each rule
 * wins: an upsert after a removal brings the rule back, a removal after an upsert drops it. The host
 * collects one while changes arrive from the server (host/blocklist-copy.ts); the page merges the
 * deltas of a burst into one before applying them (renderer/stores/blocklist.ts).
 */
import type { BlocklistDelta, BlocklistState } from './contracts/ipc';
import type { Rule } from './rules';

export interface MergedDelta {
  fromRevision: number;
  revision: number;
  upserted: Map<string, Rule>;
  removed: Set<string>;
  /** The latest settings and lines, when any delta carried them. */
  settings?: BlocklistState['settings'];
  lines?: BlocklistState['lines'];
  /** A delta did not follow on from the previous one: the changes in between are missing. */
  gap: boolean;
}

/** Nothing changed yet since `fromRevision`. */
export function emptyDelta(fromRevision: number): MergedDelta {
  return { fromRevision, revision: fromRevision, upserted: new Map(), removed: new Set(), gap: false };
}

export function noteUpsert(merged: MergedDelta, rule: Rule): void {
  merged.removed.delete(rule.id);
  merged.upserted.set(rule.id, rule);
}

export function noteRemoval(merged: MergedDelta, ruleId: string): void {
  merged.upserted.delete(ruleId);
  merged.removed.add(ruleId);
}

/** `delta` on top of `into` (or a new merge starting at `delta`); `into` is updated in place. */
export function mergeDelta(into: MergedDelta | null, delta: BlocklistDelta): MergedDelta {
  const merged = into ?? { ...emptyDelta(delta.fromRevision), revision: delta.revision };
  if (delta.fromRevision > merged.revision) merged.gap = true;
  merged.revision = Math.max(merged.revision, delta.revision);
  for (const id of delta.removed) noteRemoval(merged, id);
  for (const rule of delta.upserted) noteUpsert(merged, rule);
  if (delta.settings) merged.settings = delta.settings;
  if (delta.lines) merged.lines = delta.lines;
  return merged;
}

/** The wire form (`blocklist:changed`): settings and lines only when they changed. */
export function toBlocklistDelta(merged: MergedDelta): BlocklistDelta {
  return {
    fromRevision: merged.fromRevision,
    revision: merged.revision,
    upserted: [...merged.upserted.values()],
    removed: [...merged.removed],
    ...(merged.settings ? { settings: merged.settings } : {}),
    ...(merged.lines ? { lines: merged.lines } : {}),
  };
}
