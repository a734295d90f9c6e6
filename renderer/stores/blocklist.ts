import { createStore } from 'zustand/vanilla';
import { mergeDelta, toBlocklistDelta, type MergedDelta } from '../../shared/blocklist-delta';
import type { BlocklineApi, BlocklistState } from '../../shared/contracts/ipc';
import type { BulkCreateResponse, TestNumberResponse } from '../../shared/contracts/api';
import type { Rule, RuleCreateInput, RulePatch } from '../../shared/rules';
import { safeWrite, type WriteOutcome } from '../app/api';
import {
  applyRuleDelta,
  buildRuleIndex,
  DEFAULT_RULE_QUERY,
  ruleById,
  type RuleIndex,
  type RuleQuery,
} from './rule-query';

/** The synced list's revision, the org settings and lines (the rules themselves are in the index). */
export type BlocklistMeta = Omit<BlocklistState, 'rules'>;

/** Rules added, replaced or removed, and whatever else came with them. */
interface ListChange {
  revision?: number;
  upserted: readonly Rule[];
  removed: readonly string[];
  settings?: BlocklistState['settings'];
  lines?: BlocklistState['lines'];
}

export interface BlocklistStoreState {
  /** Null until loaded. */
  data: BlocklistMeta | null;
  /** The synced rules, indexed for searching and sorting. */
  index: RuleIndex;
  /**
   * The rules as far as call decisions are concerned: a new array only when a rule was added, removed,
   * or changed in anything but its hit counters, so the phone rebuilds its decision index only then
   * (every blocked call anywhere in the org updates a counter).
   */
  decisionRules: readonly Rule[];
  query: RuleQuery;
  load(): Promise<void>;
  setQuery(patch: Partial<RuleQuery>): void;
  createRule(input: RuleCreateInput): Promise<WriteOutcome<Rule>>;
  updateRule(id: string, patch: RulePatch): Promise<WriteOutcome<Rule>>;
  deleteRule(id: string): Promise<WriteOutcome<null>>;
  bulkCreate(
    entries: RuleCreateInput[],
    source: 'bulk' | 'import',
  ): Promise<WriteOutcome<BulkCreateResponse>>;
  testNumber(number: string, line: string | undefined): Promise<WriteOutcome<TestNumberResponse>>;
  exportCsv(): Promise<WriteOutcome<string>>;
  dispose(): void;
}

export type BlocklistStore = ReturnType<typeof createBlocklistStore>;

/**
 * A burst of `blocklist:changed` events (an import, a sync catching up) is applied at most once per
 * this many ms: the first at once, the rest merged and applied at the end of the window.
 */
export const CHANGE_COALESCE_MS = 200;

/** Whether a rule changed in anything a call decision (or its explanation) depends on. */
function decidesDifferently(before: Rule | undefined, after: Rule): boolean {
  return (
    before === undefined ||
    before.number !== after.number ||
    before.kind !== after.kind ||
    before.scope !== after.scope ||
    before.expiresAt !== after.expiresAt ||
    before.reason !== after.reason
  );
}

/**
 * The org's list as synced from the server. Writes are never optimistic (SPEC §5.5): the list only
 * changes with what the server confirmed — a write's own answer or a `blocklist:changed` event.
 */
export function createBlocklistStore(api: BlocklineApi) {
  const store = createStore<BlocklistStoreState>()((set, get) => {
    const confirm = (upserted: readonly Rule[], removed: readonly string[]) => {
      const data = get().data;
      if (data === null) return;
      applyToList(data, { upserted, removed });
    };
    return {
      data: null,
      index: buildRuleIndex([]),
      decisionRules: [],
      query: DEFAULT_RULE_QUERY,
      async load() {
        replaceAll(await api.invoke('blocklist:get', undefined));
      },
      setQuery(patch) {
        set({ query: { ...get().query, ...patch } });
      },
      async createRule(input) {
        const result = await safeWrite(() => api.invoke('rules:create', input));
        if (result.ok) confirm([result.value], []);
        return result;
      },
      async updateRule(id, patch) {
        const result = await safeWrite(() => api.invoke('rules:update', { id, patch }));
        if (result.ok) confirm([result.value], []);
        return result;
      },
      async deleteRule(id) {
        const result = await safeWrite(() => api.invoke('rules:delete', { id }));
        if (result.ok) confirm([], [id]);
        return result;
      },
      async bulkCreate(entries, source) {
        const result = await safeWrite(() => api.invoke('rules:bulkCreate', { entries, source }));
        // An import arrives in hundreds of chunks: the list follows `blocklist:changed`, coalesced,
        // instead of being updated after every chunk.
        if (result.ok && source === 'bulk') {
          confirm(
            result.value.results.flatMap((entry) => (entry.status === 'created' ? [entry.rule] : [])),
            [],
          );
        }
        return result;
      },
      testNumber(number, line) {
        return safeWrite(() =>
          api.invoke('rules:testNumber', line === undefined ? { number } : { number, line }),
        );
      },
      exportCsv() {
        return safeWrite(() => api.invoke('rules:exportCsv', undefined));
      },
      dispose() {
        unsubscribe();
      },
    };
  });

  function replaceAll(data: BlocklistState): void {
    const { rules, ...meta } = data;
    store.setState({ data: meta, index: buildRuleIndex(rules), decisionRules: rules });
    const early = beforeLoad;
    beforeLoad = null;
    if (early !== null) applyDelta(early);
  }

  function applyToList(data: BlocklistMeta, change: ListChange): void {
    const { index, decisionRules } = store.getState();
    const decisionsChange =
      change.removed.some((id) => ruleById(index, id) !== undefined) ||
      change.upserted.some((rule) => decidesDifferently(ruleById(index, rule.id), rule));
    const next =
      change.upserted.length === 0 && change.removed.length === 0
        ? index
        : applyRuleDelta(index, change.upserted, change.removed);
    store.setState({
      index: next,
      decisionRules: decisionsChange ? next.rules : decisionRules,
      data: {
        revision: Math.max(data.revision, change.revision ?? data.revision),
        settings: change.settings ?? data.settings,
        lines: change.lines ?? data.lines,
      },
    });
  }

  async function reload(): Promise<void> {
    try {
      replaceAll(await api.invoke('blocklist:get', undefined));
    } catch (error) {
      console.error('blockline: could not reload the list after a missed change', error);
    }
  }

  /** Deltas that arrived before the first load (merged): applied on top of it if it turns out older. */
  let beforeLoad: MergedDelta | null = null;

  function applyDelta(delta: MergedDelta): void {
    const data = store.getState().data;
    if (data === null) {
      if (beforeLoad === null) beforeLoad = delta;
      else {
        const gapInside = delta.gap;
        beforeLoad = mergeDelta(beforeLoad, toBlocklistDelta(delta));
        // The wire form has no gap flag: a gap inside this burst must survive the merge.
        if (gapInside) beforeLoad.gap = true;
      }
      return;
    }
    if (data.revision >= delta.revision) return;
    // Changes between our copy and this delta were missed: only the whole list is the truth.
    if (delta.gap || data.revision < delta.fromRevision) {
      void reload();
      return;
    }
    applyToList(data, toBlocklistDelta(delta));
  }

  let pendingFull: BlocklistState | null = null;
  let pendingDelta: MergedDelta | null = null;
  let coalesceTimer: ReturnType<typeof setTimeout> | null = null;
  const applyPending = () => {
    const full = pendingFull;
    const delta = pendingDelta;
    pendingFull = null;
    pendingDelta = null;
    if (full !== null) replaceAll(full);
    if (delta !== null) applyDelta(delta);
  };
  const closeWindow = () => {
    coalesceTimer = null;
    if (pendingFull === null && pendingDelta === null) return;
    applyPending();
    coalesceTimer = setTimeout(closeWindow, CHANGE_COALESCE_MS);
  };
  const offChanged = api.on('blocklist:changed', (change) => {
    if (change.kind === 'full') {
      pendingFull = change.state;
      pendingDelta = null;
    } else pendingDelta = mergeDelta(pendingDelta, change.delta);
    if (coalesceTimer === null) {
      applyPending();
      coalesceTimer = setTimeout(closeWindow, CHANGE_COALESCE_MS);
    }
  });
  const unsubscribe = () => {
    offChanged();
    if (coalesceTimer !== null) clearTimeout(coalesceTimer);
    coalesceTimer = null;
    pendingFull = null;
    pendingDelta = null;
  };
  return store;
}
