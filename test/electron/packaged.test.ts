/**
 * The packaged app (electron-builder `--dir`, unsigned), checked apart from Playwright, which cannot drive
 * it once the inspect fuse is off: `npx @electron/fuses read` shows every fuse as scripts/electron-fuses.mjs
 * set it, a plain launch with `--smoke-test` loads the window, writes one line and exits 0, and the
 * disabled fuses really refuse ELECTRON_RUN_AS_NODE and NODE_OPTIONS. Skipped, with the reason, where the
 * Electron binary is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { platformFlag } from '../../scripts/dist.mjs';
import { expectedFuseStates } from '../../scripts/electron-fuses.mjs';
import { appEnv, assertBuilt, electron, makeWorkDir, needsElectron, REPO_ROOT } from './electron-harness';

const PRODUCT = 'Blockline';
const EXECUTABLE = 'blockline'; // Linux: the package name

/** The unpacked app electron-builder wrote for this platform: what `fuses read` takes, and what runs. */
function findPackagedApp(): { app: string; executable: string } | null {
  const release = path.join(REPO_ROOT, 'release');
  if (!existsSync(release)) return null;
  for (const version of readdirSync(release)) {
    for (const folder of readdirSync(path.join(release, version))) {
      const dir = path.join(release, version, folder);
      if (process.platform === 'darwin' && folder.startsWith('mac')) {
        const app = path.join(dir, `${PRODUCT}.app`);
        if (existsSync(app)) return { app, executable: path.join(app, 'Contents', 'MacOS', PRODUCT) };
      }
      if (process.platform === 'win32' && folder === 'win-unpacked') {
        const exe = path.join(dir, `${PRODUCT}.exe`);
        if (existsSync(exe)) return { app: exe, executable: exe };
      }
      if (process.platform === 'linux' && folder === 'linux-unpacked') {
        const exe = path.join(dir, EXECUTABLE);
        if (existsSync(exe)) return { app: exe, executable: exe };
      }
    }
  }
  return null;
}

function smokeTest(executable: string, extraEnv: Record<string, string> = {}, extraArgs: string[] = []) {
  const dataDir = makeWorkDir();
  return spawnSync(executable, [...extraArgs, '--smoke-test'], {
    env: { ...appEnv(dataDir), ...extraEnv },
    encoding: 'utf8',
    timeout: 90_000,
  });
}

describe.skipIf(electron.path === null)(needsElectron('the packaged app'), () => {
  let packaged: { app: string; executable: string };

  beforeAll(() => {
    assertBuilt();
    let found = findPackagedApp();
    if (found === null) {
      // The unpacked app for this machine only (no installer, no signing): what the workflow checks.
      execFileSync(
        'npx',
        [
          'electron-builder',
          '--dir',
          platformFlag(process.platform),
          `--${process.arch}`,
          '--config',
          'electron-builder.yml',
          '--publish',
          'never',
        ],
        {
          cwd: REPO_ROOT,
          stdio: 'inherit',
          shell: process.platform === 'win32',
          env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
        },
      );
      found = findPackagedApp();
    }
    if (found === null) throw new Error('electron-builder --dir wrote no app under release/');
    packaged = found;
  }, 900_000);

  it('`npx @electron/fuses read` shows every fuse as set', () => {
    const output = execFileSync('npx', ['@electron/fuses', 'read', '--app', packaged.app], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      shell: process.platform === 'win32',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    console.log(output);
    for (const [fuse, state] of Object.entries(expectedFuseStates(process.platform)))
      expect(output, fuse).toContain(`${fuse} is ${state}`);
  });

  it('a plain launch with --smoke-test loads the window, writes one line and exits 0', () => {
    const result = smokeTest(packaged.executable);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.split(/\r?\n/).filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^BLOCKLINE_SMOKE_TEST ok version=\S+ bridge=invoke,on secrets=\S+$/);
  });

  it('ELECTRON_RUN_AS_NODE and NODE_OPTIONS are ignored: the app starts as itself', () => {
    const attempts: Record<string, string>[] = [
      { ELECTRON_RUN_AS_NODE: '1' },
      { NODE_OPTIONS: '--require ./no-such-module.js' },
    ];
    for (const env of attempts) {
      const result = smokeTest(packaged.executable, env);
      // With the fuse on, Node would have tried to run "--smoke-test" as a script, or failed on the module.
      expect(result.status, `${JSON.stringify(env)}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/^BLOCKLINE_SMOKE_TEST ok /m);
    }
  });

  it('--inspect is ignored: no debugger listens', () => {
    const result = smokeTest(packaged.executable, {}, ['--inspect=0']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/Debugger listening/);
  });
});
