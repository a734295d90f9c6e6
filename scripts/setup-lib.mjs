// Set-up steps shared by `npm start` and `npm test`. Dependency-free: these run before `npm ci`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function say(message) {
  console.log(`[blockline] ${message}`);
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) say(`could not run ${command}: ${result.error.message}`);
  return result;
}

/** Debian packages each purpose needs, keyed by a file whose presence shows the package is installed. */
const PACKAGES = {
  test: {
    '/usr/sbin/kamailio': 'kamailio',
    '/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so': 'kamailio-websocket-modules',
    '/usr/bin/rtpengine': 'rtpengine-daemon',
    '/usr/bin/sipp': 'sip-tester',
    '/usr/bin/baresip': 'baresip',
    '/usr/bin/chromium': 'chromium',
    '/usr/bin/espeak-ng': 'espeak-ng',
    '/usr/bin/sox': 'sox',
    '/usr/bin/tcpdump': 'tcpdump',
    '/usr/lib/postgresql/15/bin/initdb': 'postgresql',
    '/usr/bin/unshare': 'util-linux',
    '/usr/sbin/ip': 'iproute2',
    '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf': 'fonts-liberation',
  },
  start: {},
};

export function ensureDebianPackages(purpose) {
  const wanted = PACKAGES[purpose] ?? {};
  const missing = [
    ...new Set(
      Object.entries(wanted)
        .filter(([file]) => !existsSync(file))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length === 0) {
    say(`Debian packages for ${purpose}: all present`);
    return;
  }
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    say(
      `missing system packages (${missing.join(', ')}) and no apt-get here: tests that need them will fail`,
    );
    return;
  }
  const asRoot = process.getuid?.() === 0;
  const sudo = asRoot ? [] : ['sudo'];
  say(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(asRoot ? [] : ['apt-get']), 'update', '-qq'], { env });
  const installed = run(
    sudo[0] ?? 'apt-get',
    [...(asRoot ? [] : ['apt-get']), 'install', '-y', '-qq', '--no-install-recommends', ...missing],
    { env },
  );
  if (installed.status !== 0) say('apt-get install failed: the suites that need these packages will fail');
}

/** `npm ci` when node_modules is missing or was installed from another package-lock.json. */
export function ensureNodeModules() {
  const lock = readFileSync('package-lock.json');
  const lockHash = createHash('sha256').update(lock).digest('hex');
  const stamp = join('node_modules', '.blockline-lock-hash');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash) {
    say('npm packages: up to date');
    return;
  }
  const env = { ...process.env };
  // The Electron binary cannot be downloaded on the Linux build machines; desktops (macOS, Windows) get it.
  if (process.platform === 'linux' && env.ELECTRON_SKIP_BINARY_DOWNLOAD === undefined) {
    env.ELECTRON_SKIP_BINARY_DOWNLOAD = '1';
    say('Linux: skipping the Electron binary download');
  }
  say('installing npm packages (npm ci)');
  const result = run('npm', ['ci', '--no-audit', '--no-fund'], { env });
  if (result.status !== 0) {
    say('npm ci failed');
    process.exit(1);
  }
  writeFileSync(stamp, lockHash);
}

export function electronBinaryPath() {
  const pathFile = join('node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join('node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}
