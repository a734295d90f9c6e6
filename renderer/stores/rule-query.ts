/**
 * Searching and sorting the local copy of the list (SPEC §7.1). Built once per revision and queried on
 * every keystroke, so the per-keystroke work is one pass of plain string tests over precomputed keys:
 * fast enough for 100,000 rules without a worker.
 */
import type { Rule, RuleKind, RuleScope } from '../../shared/rules';
import { isPrefix, prefixBody } from '../../shared/rules';
import { nationalPrefixOf, normalizeNumber, isSupportedCountryCode } from '../../shared/numbers';

export type RuleSort = 'created' | 'number' | 'hits';
export type SortOrder = 'asc' | 'desc';
/** `any` shows every scope; otherwise only rules of exactly that scope. */
export type ScopeFilter = 'any' | RuleScope;
export type KindFilter = 'any' | RuleKind;

export interface RuleQuery {
  search: string;
  sort: RuleSort;
  order: SortOrder;
  scope: ScopeFilter;
  kind: KindFilter;
}

export const DEFAULT_RULE_QUERY: RuleQuery = {
  search: '',
  sort: 'created',
  order: 'desc',
  scope: 'any',
  kind: 'any',
};

export interface RuleIndex {
  rules: readonly Rule[];
  /** Digits of each rule's number, aligned with `rules`. */
  digits: readonly string[];
  /** Lower-cased reasons, aligned with `rules`. */
  reasons: readonly string[];
  /** Sort keys aligned with `rules`, computed on first use. */
  keys: { created?: Float64Array; lastHit?: Float64Array };
  /** Ascending orders by sort key (positions in `rules`), computed on first use. */
  orders: Partial<Record<RuleSort, Uint32Array>>;
  /**
   * Rule id → position, computed on first use. {@link applyRuleDelta} hands it on to the next index
   * (and takes it from this one) rather than copying 100,000 entries per change.
   */
  ids?: Map<string, number>;
}

export function buildRuleIndex(rules: readonly Rule[]): RuleIndex {
  const digits = new Array<string>(rules.length);
  const reasons = new Array<string>(rules.length);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    digits[i] = digitsOf(rule);
    reasons[i] = rule.reason.toLowerCase();
  }
  return { rules, digits, reasons, keys: {}, orders: {} };
}

function digitsOf(rule: Rule): string {
  return rule.number.replace(/\D/g, '');
}

function timeOf(iso: string | null): number {
  return iso === null ? 0 : Date.parse(iso);
}

function createdKeys(index: RuleIndex): Float64Array {
  index.keys.created ??= Float64Array.from(index.rules, (rule) => timeOf(rule.createdAt));
  return index.keys.created;
}

function lastHitKeys(index: RuleIndex): Float64Array {
  index.keys.lastHit ??= Float64Array.from(index.rules, (rule) => timeOf(rule.lastHitAt));
  return index.keys.lastHit;
}

/** A total order per sort (ties end on the id), so an order kept up to date equals one sorted anew. */
function comparator(index: RuleIndex, sort: RuleSort): (a: number, b: number) => number {
  const { rules } = index;
  const byId = (a: number, b: number) => compareStrings(rules[a]!.id, rules[b]!.id);
  if (sort === 'created') {
    const times = createdKeys(index);
    return (a, b) =>
      times[a]! - times[b]! || compareStrings(rules[a]!.number, rules[b]!.number) || byId(a, b);
  }
  if (sort === 'number') {
    return (a, b) =>
      compareStrings(rules[a]!.number, rules[b]!.number) ||
      compareStrings(rules[a]!.scope, rules[b]!.scope) ||
      byId(a, b);
  }
  const lastHits = lastHitKeys(index);
  return (a, b) => rules[a]!.hitCount - rules[b]!.hitCount || lastHits[a]! - lastHits[b]! || byId(a, b);
}

function ascendingOrder(index: RuleIndex, sort: RuleSort): Uint32Array {
  const cached = index.orders[sort];
  if (cached) return cached;
  const order = new Uint32Array(index.rules.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort(comparator(index, sort));
  index.orders[sort] = order;
  return order;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function positionsById(rules: readonly Rule[]): Map<string, number> {
  const ids = new Map<string, number>();
  for (let i = 0; i < rules.length; i++) ids.set(rules[i]!.id, i);
  return ids;
}

/**
 * The index after some rules were added, replaced or removed, without starting over: each position
 * touched is updated in place, new rules are appended, and every sort order computed so far is kept by
 * sorting only the touched rules and merging them in — linear in the list, not n·log n, so an import
 * streaming thousands of rules a second into a list of 100,000 keeps the view live.
 */
export function applyRuleDelta(
  index: RuleIndex,
  upserted: readonly Rule[],
  removedIds: Iterable<string>,
): RuleIndex {
  const ids = index.ids ?? positionsById(index.rules);
  delete index.ids;
  const before = index.rules.length;
  const removedBefore = new Uint8Array(before);
  let removedCount = 0;
  for (const id of removedIds) {
    const at = ids.get(id);
    if (at === undefined || removedBefore[at] === 1) continue;
    removedBefore[at] = 1;
    removedCount++;
    ids.delete(id);
  }
  const latest = new Map<string, Rule>();
  for (const rule of upserted) latest.set(rule.id, rule);
  let added = 0;
  for (const id of latest.keys()) if (!ids.has(id)) added++;

  const size = before + added;
  const rules = index.rules.slice();
  const digits = index.digits.slice();
  const reasons = index.reasons.slice();
  const created = index.keys.created && growKeys(index.keys.created, size);
  const lastHit = index.keys.lastHit && growKeys(index.keys.lastHit, size);
  /** Positions (before compaction) whose sort keys are new: they are merged into the orders. */
  const touched: number[] = [];
  const replacedBefore = new Uint8Array(before);
  for (const rule of latest.values()) {
    let at = ids.get(rule.id);
    if (at === undefined) {
      at = rules.length;
      ids.set(rule.id, at);
    } else replacedBefore[at] = 1;
    rules[at] = rule;
    digits[at] = digitsOf(rule);
    reasons[at] = rule.reason.toLowerCase();
    if (created) created[at] = timeOf(rule.createdAt);
    if (lastHit) lastHit[at] = timeOf(rule.lastHitAt);
    touched.push(at);
  }

  let next: RuleIndex = { rules, digits, reasons, keys: {}, orders: {} };
  /** Old position → position after compaction (identity when nothing was removed). */
  let moved: (position: number) => number = (position) => position;
  if (removedCount > 0) {
    const remap = new Int32Array(size);
    let kept = 0;
    for (let i = 0; i < size; i++) {
      if (i < before && removedBefore[i] === 1) remap[i] = -1;
      else remap[i] = kept++;
    }
    const keep = (_: unknown, i: number) => remap[i] !== -1;
    next = {
      rules: rules.filter(keep),
      digits: digits.filter(keep),
      reasons: reasons.filter(keep),
      keys: {},
      orders: {},
    };
    if (created) next.keys.created = created.filter(keep);
    if (lastHit) next.keys.lastHit = lastHit.filter(keep);
    moved = (position) => remap[position]!;
  } else {
    if (created) next.keys.created = created;
    if (lastHit) next.keys.lastHit = lastHit;
    next.ids = ids;
  }

  const fresh = touched.map(moved);
  for (const sort of Object.keys(index.orders) as RuleSort[]) {
    const old = index.orders[sort]!;
    const compare = comparator(next, sort);
    fresh.sort(compare);
    const order = new Uint32Array(next.rules.length);
    let out = 0;
    let f = 0;
    for (let k = 0; k < old.length; k++) {
      const position = old[k]!;
      if (removedBefore[position] === 1 || replacedBefore[position] === 1) continue;
      const now = moved(position);
      while (f < fresh.length && compare(fresh[f]!, now) < 0) order[out++] = fresh[f++]!;
      order[out++] = now;
    }
    while (f < fresh.length) order[out++] = fresh[f++]!;
    next.orders[sort] = order;
  }
  return next;
}

/** The rule with this id in the index, if any. */
export function ruleById(index: RuleIndex, id: string): Rule | undefined {
  index.ids ??= positionsById(index.rules);
  const at = index.ids.get(id);
  return at === undefined ? undefined : index.rules[at];
}

/** The keys in a longer array (the list only grows before removals are compacted). */
function growKeys(keys: Float64Array, size: number): Float64Array {
  const grown = new Float64Array(size);
  grown.set(keys);
  return grown;
}

/** What a search text can match: the number it normalizes to, digit substrings, and reason text. */
export interface SearchTerms {
  text: string;
  /** The E.164 number the text normalizes to with the org's country, if it is a whole valid number. */
  e164: string | null;
  /** Digit runs to look for inside rule numbers (as typed, and without a national trunk prefix). */
  digitVariants: string[];
}

export function searchTerms(search: string, country: string): SearchTerms {
  const text = search.trim().toLowerCase();
  if (text === '') return { text, e164: null, digitVariants: [] };
  let e164: string | null = null;
  const looksNumeric = /^[\d\s+().\-*/]+$/.test(text) || /^(tel|sip|sips|callto):/.test(text);
  if (looksNumeric && isSupportedCountryCode(country)) {
    const normalized = normalizeNumber(search.replace(/\*$/, ''), country);
    if (normalized.ok) e164 = normalized.e164;
  }
  const digitVariants: string[] = [];
  if (looksNumeric) {
    const digits = text.replace(/\D/g, '');
    if (digits !== '') {
      digitVariants.push(digits);
      const trunk = isSupportedCountryCode(country) ? nationalPrefixOf(country) : null;
      if (
        trunk !== null &&
        !text.startsWith('+') &&
        digits.startsWith(trunk) &&
        digits.length > trunk.length
      ) {
        digitVariants.push(digits.slice(trunk.length));
      }
    }
  }
  return { text, e164, digitVariants };
}

function matches(index: RuleIndex, i: number, terms: SearchTerms): boolean {
  if (terms.text === '') return true;
  if (index.reasons[i]!.includes(terms.text)) return true;
  const rule = index.rules[i]!;
  if (terms.e164 !== null) {
    if (rule.number === terms.e164) return true;
    if (isPrefix(rule.number) && terms.e164.startsWith(prefixBody(rule.number))) return true;
  }
  const digits = index.digits[i]!;
  for (const variant of terms.digitVariants) if (digits.includes(variant)) return true;
  return false;
}

/** Positions in `index.rules` of the rules to show, in order. */
function queryPositions(index: RuleIndex, query: RuleQuery, terms: SearchTerms): number[] {
  const order = ascendingOrder(index, query.sort);
  const result: number[] = [];
  const count = order.length;
  for (let k = 0; k < count; k++) {
    const i = order[query.order === 'asc' ? k : count - 1 - k]!;
    const rule = index.rules[i]!;
    if (query.scope !== 'any' && rule.scope !== query.scope) continue;
    if (query.kind !== 'any' && rule.kind !== query.kind) continue;
    if (!matches(index, i, terms)) continue;
    result.push(i);
  }
  return result;
}

function rulesAt(index: RuleIndex, positions: readonly number[]): Rule[] {
  const rules = new Array<Rule>(positions.length);
  for (let k = 0; k < positions.length; k++) rules[k] = index.rules[positions[k]!]!;
  return rules;
}

/** The rules to show, in order. */
export function queryRules(index: RuleIndex, query: RuleQuery, country: string): Rule[] {
  return rulesAt(index, queryPositions(index, query, searchTerms(query.search, country)));
}

export interface QueryResult {
  index: RuleIndex;
  query: RuleQuery;
  country: string;
  /** Where each shown rule is in `index.rules` (what the next keystroke narrows). */
  positions: number[];
  rules: Rule[];
}

/**
 * Like {@link queryRules}, but when the search only grew by typing on (same list, same other filters)
 * it filters the previous result instead of the whole list: every match test is monotonic under
 * appending characters, except a whole number matching a prefix rule, so a search that normalizes to a
 * number always scans the whole list.
 */
export function queryRulesIncremental(
  previous: QueryResult | null,
  index: RuleIndex,
  query: RuleQuery,
  country: string,
): QueryResult {
  const terms = searchTerms(query.search, country);
  const narrowing =
    previous !== null &&
    previous.index === index &&
    previous.country === country &&
    previous.query.sort === query.sort &&
    previous.query.order === query.order &&
    previous.query.scope === query.scope &&
    previous.query.kind === query.kind &&
    previous.query.search.trim() !== '' &&
    query.search.trim().toLowerCase().startsWith(previous.query.search.trim().toLowerCase()) &&
    terms.e164 === null;
  const positions = narrowing
    ? previous.positions.filter((position) => matches(index, position, terms))
    : queryPositions(index, query, terms);
  return { index, query, country, positions, rules: rulesAt(index, positions) };
}

/** The last result per list, so the next keystroke can narrow it (dropped with the list). */
const lastResults = new WeakMap<RuleIndex, QueryResult>();

/** {@link queryRulesIncremental} from the last query on the same list. */
export function queryRulesTyping(index: RuleIndex, query: RuleQuery, country: string): Rule[] {
  const result = queryRulesIncremental(lastResults.get(index) ?? null, index, query, country);
  lastResults.set(index, result);
  return result.rules;
}
