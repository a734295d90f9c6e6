/**
 * Core call-path benchmark: `npm run bench -- core`. Prints `METRIC <name> <value> <unit>` lines.
 *
 * Lists of 1k, 100k and 1M random rules (1 % prefixes, 1 % exceptions); probes are half listed numbers,
 * half random ones. Every call is timed on its own with process.hrtime.bigint(), so each sample includes
 * one timer read (reported as core.timer_overhead) — for the decision and the Set baseline alike.
 */
import { buildRuleIndex, decide } from '../shared/decision';
import type { RuleIndex } from '../shared/decision';
import type { CallToDecide, DecisionClock } from '../shared/decision.types';
import { identityFromHeaders } from '../shared/identity';
import type { Rule } from '../shared/rules';
import { defaultOrgSettings } from '../shared/settings';
import { metric, percentileOfSorted, seededRandom } from './lib';

const gc: (() => void) | undefined = typeof globalThis.gc === 'function' ? globalThis.gc : undefined;

const random = seededRandom(20260301);
const digit = (from = 0): string => String(from + Math.floor(random() * (10 - from)));
const digits = (count: number): string => Array.from({ length: count }, () => digit()).join('');

/** A North American number: +1 NPA NXX XXXX with NPA and NXX not starting with 0 or 1. */
function randomNumber(): string {
  return `+1${digit(2)}${digits(2)}${digit(2)}${digits(2)}${digits(4)}`;
}

const CREATED = '2026-01-01T00:00:00.000Z';
function makeRules(count: number): Rule[] {
  const rules: Rule[] = [];
  const seen = new Set<string>();
  while (rules.length < count) {
    const slot = rules.length % 100;
    const kind = slot === 1 ? 'allow' : 'block';
    // 1 % prefixes: NPA-NXX plus 0–3 more digits, so each covers 1k–10k numbers and misses stay misses.
    const number = slot === 0 ? `${randomNumber().slice(0, 8 + Math.floor(random() * 4))}*` : randomNumber();
    if (seen.has(number)) continue;
    seen.add(number);
    rules.push({
      id: `rule-${rules.length}`,
      kind,
      number,
      scope: 'all',
      reason: kind === 'allow' ? 'Partner' : 'Spam',
      expiresAt: null,
      source: 'bulk',
      createdBy: 'bench',
      createdAt: CREATED,
      updatedAt: CREATED,
      hitCount: 0,
      lastHitAt: null,
    });
  }
  return rules;
}

/** Probe numbers: half listed exact numbers (fresh string copies), half random numbers. */
function makeProbes(rules: readonly Rule[], count: number): string[] {
  const exact = rules.filter((rule) => !rule.number.endsWith('*'));
  const probes: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const listed = exact[Math.floor(random() * exact.length)];
      probes.push(listed === undefined ? randomNumber() : `+${listed.number.slice(1)}`);
    } else {
      probes.push(randomNumber());
    }
  }
  return probes;
}

/** Times `run(i)` once per probe, after one untimed warm-up pass; returns sorted nanoseconds. */
function timeEach(count: number, run: (i: number) => unknown): Float64Array {
  let sink = 0;
  for (let i = 0; i < count; i++) if (run(i) !== undefined) sink++;
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    const result = run(i);
    samples[i] = Number(process.hrtime.bigint() - start);
    if (result !== undefined) sink++;
  }
  if (sink < 0) console.log(sink);
  return samples.sort();
}

const settings = defaultOrgSettings('US');
const clock: DecisionClock = { nowMs: Date.now(), lastEmergencyCallAtMs: null };
const LINE = '+12125550100';

function inboundCalls(probes: readonly string[]): CallToDecide[] {
  return probes.map((e164) => ({
    direction: 'inbound',
    line: LINE,
    caller: { kind: 'number', e164, withheld: false, verification: null },
  }));
}

function benchDecide(
  label: string,
  rules: readonly Rule[],
  probeCount: number,
): { index: RuleIndex; p99: number } {
  const index = buildRuleIndex(rules);
  const calls = inboundCalls(makeProbes(rules, probeCount));
  const samples = timeEach(calls.length, (i) => decide(calls[i]!, index, settings, clock));
  metric(`core.decide.p50.${label}`, percentileOfSorted(samples, 0.5), 'ns');
  const p99 = percentileOfSorted(samples, 0.99);
  metric(`core.decide.p99.${label}`, p99, 'ns');
  return { index, p99 };
}

function heapBytes(): number {
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const timerSamples = timeEach(200_000, () => undefined);
metric('core.timer_overhead', percentileOfSorted(timerSamples, 0.5), 'ns');

const allRules = makeRules(1_000_000);
benchDecide('1k', allRules.slice(0, 1_000), 100_000);
benchDecide('100k', allRules.slice(0, 100_000), 200_000);
const { index: bigIndex, p99: decideP99 } = benchDecide('1m', allRules, 400_000);

// The baseline: a bare Set of the listed numbers, probed the same way.
const numberSet = new Set(allRules.filter((rule) => !rule.number.endsWith('*')).map((rule) => rule.number));
const setProbes = makeProbes(allRules, 400_000);
const setSamples = timeEach(setProbes.length, (i) => numberSet.has(setProbes[i]!));
const setP99 = percentileOfSorted(setSamples, 0.99);
metric('core.set.p99.1m', setP99, 'ns');
metric('core.decide_vs_set.p99.1m', decideP99 / setP99, 'ratio');
numberSet.clear();

// Full path: a raw From header value → identity → normalization → decision, against the 1M list.
const fullProbes = makeProbes(allRules, 20_000).map(
  (e164, i) => `"Caller ${i}" <sip:${e164}@carrier.example.com;user=phone>;tag=${i.toString(36)}`,
);
const fullSamples = timeEach(fullProbes.length, (i) => {
  const caller = identityFromHeaders({ get: (name) => (name === 'From' ? [fullProbes[i]!] : []) }, 'US');
  return decide({ direction: 'inbound', line: LINE, caller }, bigIndex, settings, clock);
});
metric('core.fullpath.p50', percentileOfSorted(fullSamples, 0.5), 'ns');
metric('core.fullpath.p99', percentileOfSorted(fullSamples, 0.99), 'ns');

// Build time (median of three, each after a full GC so earlier garbage is not billed to it) and index
// memory at 1M rules.
const buildTimes: number[] = [];
for (let run = 0; run < 3; run++) {
  gc?.();
  const buildStart = process.hrtime.bigint();
  const built = buildRuleIndex(allRules);
  buildTimes.push(Number(process.hrtime.bigint() - buildStart) / 1e6);
  if (built.size !== allRules.length) console.error('unexpected: some rules were skipped');
}
metric('core.build.1m', buildTimes.sort((a, b) => a - b)[1] ?? NaN, 'ms');
if (gc === undefined) {
  console.error('core.bytes_per_rule.1m needs `node --expose-gc` (npm run bench -- core does that)');
} else {
  const before = heapBytes();
  const built = buildRuleIndex(allRules);
  const after = heapBytes();
  metric('core.bytes_per_rule.1m', (after - before) / allRules.length, 'bytes');
  if (built.size !== allRules.length) console.error('unexpected: some rules were skipped');
}
