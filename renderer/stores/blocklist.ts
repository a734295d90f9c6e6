import { createStore } from 'zustand/vanilla';
import type { BlocklineApi, BlocklistState } from '../../shared/contracts/ipc';
import type { BulkCreateResponse, TestNumberResponse } from '../../shared/contracts/api';
import type { Rule, RuleCreateInput, RulePatch } from '../../shared/rules';
import { safeWrite, type WriteOutcome } from '../app/api';
import { buildRuleIndex, DEFAULT_RULE_QUERY, type RuleIndex, type RuleQuery } from './rule-query';

export interface BlocklistStoreState {
  /** The synced list, org settings and lines; null until loaded. */
  data: BlocklistState | null;
  index: RuleIndex;
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
 * this many ms: the first at once, the newest at the end of the window. Re-indexing 100,000 rules for
 * every chunk would otherwise keep the renderer busy for the whole import.
 */
export const CHANGE_COALESCE_MS = 200;

/**
 * The org's list as synced from the server. Writes are never optimistic (SPEC §5.5): the list only
 * changes with what the server confirmed — a write's own answer or a `blocklist:changed` event.
 */
export function createBlocklistStore(api: BlocklineApi) {
  const store = createStore<BlocklistStoreState>()((set, get) => {
    const replaceRules = (rules: Rule[]) => {
      const data = get().data;
      if (data === null) return;
      set({ data: { ...data, rules }, index: buildRuleIndex(rules) });
    };
    const upsertConfirmed = (rule: Rule) => {
      const rules = get().data?.rules ?? [];
      const at = rules.findIndex((existing) => existing.id === rule.id);
      replaceRules(at === -1 ? [...rules, rule] : rules.map((existing, i) => (i === at ? rule : existing)));
    };
    return {
      data: null,
      index: buildRuleIndex([]),
      query: DEFAULT_RULE_QUERY,
      async load() {
        const data = await api.invoke('blocklist:get', undefined);
        set({ data, index: buildRuleIndex(data.rules) });
      },
      setQuery(patch) {
        set({ query: { ...get().query, ...patch } });
      },
      async createRule(input) {
        const result = await safeWrite(() => api.invoke('rules:create', input));
        if (result.ok) upsertConfirmed(result.value);
        return result;
      },
      async updateRule(id, patch) {
        const result = await safeWrite(() => api.invoke('rules:update', { id, patch }));
        if (result.ok) upsertConfirmed(result.value);
        return result;
      },
      async deleteRule(id) {
        const result = await safeWrite(() => api.invoke('rules:delete', { id }));
        if (result.ok) replaceRules((get().data?.rules ?? []).filter((rule) => rule.id !== id));
        return result;
      },
      async bulkCreate(entries, source) {
        const result = await safeWrite(() => api.invoke('rules:bulkCreate', { entries, source }));
        // An import arrives in hundreds of chunks: the list follows `blocklist:changed` instead of
        // re-indexing after every chunk.
        if (result.ok && source === 'bulk') {
          const created = result.value.results.flatMap((entry) =>
            entry.status === 'created' ? [entry.rule] : [],
          );
          if (created.length > 0) {
            const known = new Set((get().data?.rules ?? []).map((rule) => rule.id));
            replaceRules([...(get().data?.rules ?? []), ...created.filter((rule) => !known.has(rule.id))]);
          }
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
  let pending: BlocklistState | null = null;
  let coalesceTimer: ReturnType<typeof setTimeout> | null = null;
  const apply = (data: BlocklistState) => store.setState({ data, index: buildRuleIndex(data.rules) });
  const closeWindow = () => {
    coalesceTimer = null;
    if (pending === null) return;
    const latest = pending;
    pending = null;
    apply(latest);
    coalesceTimer = setTimeout(closeWindow, CHANGE_COALESCE_MS);
  };
  const offChanged = api.on('blocklist:changed', (data) => {
    if (coalesceTimer === null) {
      apply(data);
      coalesceTimer = setTimeout(closeWindow, CHANGE_COALESCE_MS);
    } else pending = data;
  });
  const unsubscribe = () => {
    offChanged();
    if (coalesceTimer !== null) clearTimeout(coalesceTimer);
    coalesceTimer = null;
    pending = null;
  };
  return store;
}
