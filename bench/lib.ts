/**
 * What every benchmark area shares: the METRIC line, percentiles, a seeded generator (also the lab's
 * doctored RTP capture's), and the loopback-only namespace.
 */
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';

/** One figure, in the exact form the README and run-to-run comparisons read: `METRIC <name> <value> <unit>`. */
export function metric(name: string, value: number, unit: string): void {
  const shown = !Number.isFinite(value)
    ? 'NaN'
    : Number.isInteger(value)
      ? String(value)
      : value.toFixed(unit === 'ratio' ? 3 : 2);
  console.log(`METRIC ${name} ${shown} ${unit}`);
}

/** Nearest-rank percentile of values already sorted ascending; `fraction` in (0, 1]. */
export function percentileOfSorted(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** A small deterministic generator (mulberry32) in [0, 1): the same figures, data and captures on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function percentile(values: readonly number[], fraction: number): number {
  return percentileOfSorted(
    [...values].sort((a, b) => a - b),
    fraction,
  );
}

function insideLoopbackNamespace(): boolean {
  return Object.keys(networkInterfaces()).every((name) => name === 'lo');
}

/**
 * Benchmarks that start servers, browsers or SIP parts must not send a packet off this machine: when
 * started outside a loopback-only network namespace, re-run this script inside a new one and exit with
 * its status. Call it first thing, with `import.meta.url`.
 */
export function ensureLoopbackNamespace(scriptUrl: string): void {
  if (insideLoopbackNamespace()) return;
  const result = spawnSync(
    'unshare',
    [
      '-n',
      '--',
      'sh',
      '-c',
      'ip link set lo up && exec "$0" --expose-gc --import tsx "$@"',
      process.execPath,
      fileURLToPath(scriptUrl),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  if (result.error !== undefined)
    console.error(`could not enter a network namespace: ${result.error.message}`);
  process.exit(result.status ?? 1);
}
