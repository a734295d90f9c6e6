/**
 * The rule list as a lookup structure for the call path (SPEC §3.1): built once per list revision, then
 * every call asks "which rule of this kind covers this number on this line?" in well under a microsecond.
 *
 * Memory matters at a million rules, so nothing is keyed by strings: an E.164 number's digits (at most 15)
 * are an exact integer in a double, stored in an open-addressing hash table: a Float64Array of keys and a
 * parallel array of rule references (about 26 bytes a rule, against ≈ 60 for a `Set` of strings; a hit
 * costs one cache miss for the key and one for the rule). Prefix rules are few; they get one such
 * table per prefix length, and a lookup tries each distinct length (at most 13).
 */
import { PREFIX_PATTERN } from './rules';
import type { Rule, RuleKind } from './rules';

/** Slots per entry: a load factor of 0.625 keeps linear-probing runs short. */
const SLOTS_PER_ENTRY = 1.6;
const POWERS_OF_TEN: readonly number[] = Array.from({ length: 17 }, (_, exponent) => 10 ** exponent);

/**
 * An open-addressing hash table (linear probing) from an integer key (< 2^53) to rules; the same key may
 * appear more than once (an expired rule and its successor, say), so lookups walk every equal key in the
 * probe run. Key 0 marks an empty slot: E.164 digits never start with 0.
 */
class NumberTable {
  readonly keys: Float64Array;
  readonly rules: (Rule | undefined)[];
  readonly capacity: number;

  constructor(entryCount: number) {
    this.capacity = Math.max(8, Math.ceil(entryCount * SLOTS_PER_ENTRY));
    this.keys = new Float64Array(this.capacity);
    this.rules = new Array<Rule | undefined>(this.capacity).fill(undefined);
  }

  insert(key: number, rule: Rule): void {
    let slot = slotOf(key, this.capacity);
    while (this.keys[slot] !== 0) {
      slot += 1;
      if (slot === this.capacity) slot = 0;
    }
    this.keys[slot] = key;
    this.rules[slot] = rule;
  }

  /** The first rule under `key` that has not expired at `nowMs`, or null. */
  find(key: number, expiresAtMs: ReadonlyMap<Rule, number>, nowMs: number): Rule | null {
    const keys = this.keys;
    const capacity = this.capacity;
    let slot = slotOf(key, capacity);
    for (;;) {
      const stored = keys[slot];
      if (stored === 0 || stored === undefined) return null;
      if (stored === key) {
        const rule = this.rules[slot];
        if (rule !== undefined) {
          if (rule.expiresAt === null) return rule;
          const expiry = expiresAtMs.get(rule);
          if (expiry === undefined || expiry > nowMs) return rule;
        }
      }
      slot += 1;
      if (slot === capacity) slot = 0;
    }
  }
}

const TWO_TO_MINUS_32 = 1 / 4294967296;

/** Mixes both 32-bit halves of the key (murmur3 finalizer) and maps the hash onto the table. */
function slotOf(key: number, capacity: number): number {
  const low = key >>> 0; // ToUint32 is exact modulo 2^32 for integer doubles
  const high = (key / 4294967296) >>> 0;
  let hash = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  // Multiply-shift range reduction: `%` on a uint32 above 2^31 is a slow floating-point modulo in V8.
  return Math.floor((hash >>> 0) * capacity * TWO_TO_MINUS_32);
}

/** Prefix rules of one prefix length. */
interface PrefixTable {
  digits: number;
  table: NumberTable;
}

/** The rules of one kind in one scope. */
interface KindTables {
  exact: NumberTable | null;
  /** Longest prefix first; usually empty. */
  prefixes: PrefixTable[];
}

/** All rules of one scope (`all`, or one line). */
interface ScopeTables {
  block: KindTables;
  allow: KindTables;
}

export interface RuleIndex {
  /** The rules the index was built from: the array given, not a copy (lists are replaced, not mutated). */
  readonly rules: readonly Rule[];
  /** How many rules the index covers, and how many were skipped for a number that is neither E.164 nor a prefix. */
  readonly size: number;
  readonly skipped: number;
  /** @internal */
  readonly all: ScopeTables;
  /** @internal Line-scoped rules by line (E.164). */
  readonly lines: ReadonlyMap<string, ScopeTables>;
  /** @internal Expiry instants of the rules that expire. */
  readonly expiresAtMs: ReadonlyMap<Rule, number>;
}

/**
 * A rule number's key and digit count (negative for a prefix), or digits 0 when malformed. Written into
 * typed arrays by the caller: a million small objects would cost more than the index itself.
 */
function parseRuleNumber(
  ruleNumber: unknown,
  keys: Float64Array,
  digitCounts: Int8Array,
  position: number,
): void {
  digitCounts[position] = 0;
  if (typeof ruleNumber !== 'string') return;
  if (ruleNumber.endsWith('*')) {
    if (!PREFIX_PATTERN.test(ruleNumber)) return;
    keys[position] = Number(ruleNumber.slice(1, -1));
    digitCounts[position] = -(ruleNumber.length - 2);
    return;
  }
  const key = numberKey(ruleNumber);
  if (key === -1) return;
  keys[position] = key;
  digitCounts[position] = ruleNumber.length - 1;
}

/** Counts per table first, so every table is allocated once at its final size. */
interface ScopeCounts {
  block: { exact: number; prefixes: Map<number, number> };
  allow: { exact: number; prefixes: Map<number, number> };
}

function emptyCounts(): ScopeCounts {
  return { block: { exact: 0, prefixes: new Map() }, allow: { exact: 0, prefixes: new Map() } };
}

function tablesFor(counts: ScopeCounts): ScopeTables {
  const kindTables = (kind: { exact: number; prefixes: Map<number, number> }): KindTables => ({
    exact: kind.exact === 0 ? null : new NumberTable(kind.exact),
    prefixes: [...kind.prefixes.entries()]
      .sort(([a], [b]) => b - a)
      .map(([digits, count]) => ({ digits, table: new NumberTable(count) })),
  });
  return { block: kindTables(counts.block), allow: kindTables(counts.allow) };
}

/** Builds the index for one list revision. Rules with a malformed number are skipped (and counted). */
export function buildRuleIndex(rules: readonly Rule[]): RuleIndex {
  const ownRules = rules;
  const keys = new Float64Array(ownRules.length);
  const digitCounts = new Int8Array(ownRules.length);
  const allCounts = emptyCounts();
  const lineCounts = new Map<string, ScopeCounts>();
  const expiresAtMs = new Map<Rule, number>();
  let skipped = 0;

  for (let position = 0; position < ownRules.length; position++) {
    const rule = ownRules[position];
    if (
      rule === undefined ||
      (rule.kind !== 'block' && rule.kind !== 'allow') ||
      typeof rule.scope !== 'string'
    ) {
      skipped += 1;
      continue;
    }
    parseRuleNumber(rule.number, keys, digitCounts, position);
    const digits = digitCounts[position] ?? 0;
    if (digits === 0) {
      skipped += 1;
      continue;
    }
    let counts = allCounts;
    if (rule.scope !== 'all') {
      counts = lineCounts.get(rule.scope) ?? emptyCounts();
      lineCounts.set(rule.scope, counts);
    }
    const kindCounts = counts[rule.kind];
    if (digits < 0) kindCounts.prefixes.set(-digits, (kindCounts.prefixes.get(-digits) ?? 0) + 1);
    else kindCounts.exact += 1;
    if (rule.expiresAt !== null) {
      const at = Date.parse(rule.expiresAt);
      // An unreadable expiry never expires, exactly as isExpired() judges it.
      if (!Number.isNaN(at)) expiresAtMs.set(rule, at);
    }
  }

  const all = tablesFor(allCounts);
  const lines = new Map<string, ScopeTables>();
  for (const [line, counts] of lineCounts) lines.set(line, tablesFor(counts));

  for (let position = 0; position < ownRules.length; position++) {
    const rule = ownRules[position];
    const digits = digitCounts[position] ?? 0;
    const key = keys[position] ?? 0;
    if (rule === undefined || digits === 0) continue;
    const scopeTables = rule.scope === 'all' ? all : lines.get(rule.scope);
    if (scopeTables === undefined) continue;
    const kindTables = scopeTables[rule.kind];
    if (digits < 0) {
      kindTables.prefixes.find((prefix) => prefix.digits === -digits)?.table.insert(key, rule);
    } else {
      kindTables.exact?.insert(key, rule);
    }
  }

  return { rules: ownRules, size: ownRules.length - skipped, skipped, all, lines, expiresAtMs };
}

/**
 * The digits of an E.164 number (`+` then 7–15 digits, no leading zero) as an integer, or -1 when it is
 * not E.164. A character loop rather than a regular expression: this runs twice on every call.
 */
export function numberKey(e164: string): number {
  const length = e164.length;
  if (length < 8 || length > 16 || e164.charCodeAt(0) !== 43 /* + */) return -1;
  let key = 0;
  for (let i = 1; i < length; i++) {
    const code = e164.charCodeAt(i) - 48;
    if (code < 0 || code > 9 || (i === 1 && code === 0)) return -1;
    key = key * 10 + code;
  }
  return key;
}

/**
 * A live (not expired) rule of `kind` covering the number, in the line's scope or on all lines: exact
 * rules first, then prefixes (longest first), line rules before all-lines rules. Null when none.
 */
export function findMatchingRule(
  index: RuleIndex,
  e164: string,
  kind: RuleKind,
  line: string | null,
  nowMs: number,
): Rule | null {
  const key = numberKey(e164);
  return key === -1 ? null : findMatchingRuleByKey(index, key, e164.length - 1, kind, line, nowMs);
}

/** {@link findMatchingRule} for a number already turned into its key (see {@link numberKey}). */
export function findMatchingRuleByKey(
  index: RuleIndex,
  key: number,
  digits: number,
  kind: RuleKind,
  line: string | null,
  nowMs: number,
): Rule | null {
  if (line !== null && index.lines.size > 0) {
    const lineTables = index.lines.get(line);
    if (lineTables !== undefined) {
      const rule = findIn(lineTables[kind], key, digits, index.expiresAtMs, nowMs);
      if (rule !== null) return rule;
    }
  }
  return findIn(index.all[kind], key, digits, index.expiresAtMs, nowMs);
}

function findIn(
  tables: KindTables,
  key: number,
  digits: number,
  expiresAtMs: ReadonlyMap<Rule, number>,
  nowMs: number,
): Rule | null {
  if (tables.exact !== null) {
    const rule = tables.exact.find(key, expiresAtMs, nowMs);
    if (rule !== null) return rule;
  }
  for (const prefix of tables.prefixes) {
    if (prefix.digits > digits) continue;
    // Exact: the key is an integer below 2^53 and the divisor a power of ten, so the quotient's rounding
    // can never reach the next integer (the property tests check up to 15 digits).
    const prefixKey = Math.floor(key / (POWERS_OF_TEN[digits - prefix.digits] ?? 1));
    const rule = prefix.table.find(prefixKey, expiresAtMs, nowMs);
    if (rule !== null) return rule;
  }
  return null;
}
