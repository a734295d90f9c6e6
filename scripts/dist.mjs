#!/usr/bin/env node
// `npm run dist`: builds the renderer and the Electron bundles, then the installer for this platform
// with electron-builder (Windows NSIS, macOS dmg, Linux AppImage). Where the Electron binary is not
// installed (as on CI machines without network access to its download), packaging is skipped and the
// reason printed; the exit code is 0 so the rest of a pipeline can go on, unless BLOCKLINE_DIST_REQUIRED=1.
//
// Publishing (the auto-update feed) comes from the environment:
//   BLOCKLINE_PUBLISH_PROVIDER=github  BLOCKLINE_PUBLISH_OWNER=…  BLOCKLINE_PUBLISH_REPO=…
//   BLOCKLINE_PUBLISH_PROVIDER=generic BLOCKLINE_PUBLISH_URL=https://…
//   BLOCKLINE_PUBLISH=always to upload (the release workflow), otherwise never.
// Signing/notarization: CSC_LINK, CSC_KEY_PASSWORD, APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the Electron binary would be, or null with the reason it is not usable. */
export function electronBinaryStatus() {
  const require = createRequire(join(root, 'package.json'));
  let packageDir;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'the electron package is not installed (npm install)' };
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      path: null,
      reason:
        'the Electron binary was not downloaded (node_modules/electron/path.txt is missing; ELECTRON_SKIP_BINARY_DOWNLOAD or no network)',
    };
  }
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary)
    ? { path: binary, reason: null }
    : { path: null, reason: `the Electron binary ${binary} is missing` };
}

/** electron-builder CLI arguments for the update feed, from the environment. */
export function publishArgsFromEnv(env) {
  const provider = env.BLOCKLINE_PUBLISH_PROVIDER;
  const mode = env.BLOCKLINE_PUBLISH === 'always' ? 'always' : 'never';
  if (provider === 'github') {
    if (!env.BLOCKLINE_PUBLISH_OWNER || !env.BLOCKLINE_PUBLISH_REPO) {
      throw new Error(
        'BLOCKLINE_PUBLISH_PROVIDER=github needs BLOCKLINE_PUBLISH_OWNER and BLOCKLINE_PUBLISH_REPO',
      );
    }
    return [
      '--publish',
      mode,
      '-c.publish.provider=github',
      `-c.publish.owner=${env.BLOCKLINE_PUBLISH_OWNER}`,
      `-c.publish.repo=${env.BLOCKLINE_PUBLISH_REPO}`,
      '-c.publish.releaseType=draft',
    ];
  }
  if (provider === 'generic') {
    if (!env.BLOCKLINE_PUBLISH_URL?.startsWith('https://'))
      throw new Error('BLOCKLINE_PUBLISH_PROVIDER=generic needs an https:// BLOCKLINE_PUBLISH_URL');
    return ['--publish', mode, '-c.publish.provider=generic', `-c.publish.url=${env.BLOCKLINE_PUBLISH_URL}`];
  }
  if (provider !== undefined && provider !== '')
    throw new Error(`unknown BLOCKLINE_PUBLISH_PROVIDER "${provider}" (github or generic)`);
  return ['--publish', 'never'];
}

export function platformFlag(platform) {
  return platform === 'win32' ? '--win' : platform === 'darwin' ? '--mac' : '--linux';
}

function main() {
  const electron = electronBinaryStatus();
  if (electron.path === null) {
    console.log(`[dist] packaging skipped: ${electron.reason}.`);
    console.log(
      '[dist] build installers on a machine where `npm install` can download Electron (see README, "Installers").',
    );
    process.exit(process.env.BLOCKLINE_DIST_REQUIRED === '1' ? 1 : 0);
  }
  const publishArgs = publishArgsFromEnv(process.env);
  for (const [command, args] of [
    ['npm', ['run', '--silent', 'build']],
    [
      'npx',
      [
        'electron-builder',
        platformFlag(process.platform),
        '--config',
        'electron-builder.yml',
        ...publishArgs,
      ],
    ],
  ]) {
    const result = spawnSync(command, args, {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
