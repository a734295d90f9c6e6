/**
 * `npm run bench -- <area>`: runs `bench/<area>.ts` in a fresh Node process with `--expose-gc` (memory
 * figures need `global.gc`). Each area prints `METRIC <name> <value> <unit>` lines.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const areas = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

const [area, ...rest] = process.argv.slice(2);
if (area === undefined || !/^[a-z0-9-]+$/.test(area)) {
  console.error(`usage: npm run bench -- <area> [args]\navailable areas: ${areas.join(', ') || '(none)'}`);
  process.exit(2);
}
const script = join(benchDir, `${area}.ts`);
if (!existsSync(script)) {
  console.error(
    `no benchmark for area "${area}" (expected ${script}); available areas: ${areas.join(', ') || '(none)'}`,
  );
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...rest], {
  stdio: 'inherit',
});
if (result.error !== undefined) {
  console.error(`could not start the ${area} benchmark: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
