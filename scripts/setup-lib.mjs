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
    // The lab's TURN server (test/sip-lab/turn.ts), started on loopback by the tests themselves.
    '/usr/bin/turnserver': 'coturn',
    '/usr/lib/postgresql/15/bin/initdb': 'postgresql',
    '/usr/bin/unshare': 'util-linux',
    '/usr/sbin/ip': 'iproute2',
    '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf': 'fonts-liberation',
  },
  // The local demo PBX and the demo caller (`npm run demo:call`); without them `npm start` says what
  // is missing and starts without the PBX.
  start: {
    '/usr/sbin/kamailio': 'kamailio',
    '/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so': 'kamailio-websocket-modules',
    '/usr/bin/rtpengine': 'rtpengine-daemon',
    '/usr/bin/sipp': 'sip-tester',
    '/usr/bin/baresip': 'baresip',
    '/usr/bin/sox': 'sox',
  },
};

/**
 * Packaged services that would start on every interface when their package is installed on a desktop
 * with systemd; the start script runs its own copies on loopback with its own configuration instead.
 */
const PACKAGED_SERVICES = {
  kamailio: ['kamailio.service'],
  'rtpengine-daemon': ['rtpengine-daemon.service'],
  coturn: ['coturn.service'],
};

/** Runs a command as root: directly when we are root, otherwise through sudo. */
function runAsRoot(command, args, options = {}) {
  const asRoot = process.getuid?.() === 0;
  return asRoot ? run(command, args, options) : run('sudo', [command, ...args], options);
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/** This machine, as holdPackagedServices sees it (tests pass a stand-in: these machines have no systemd). */
const hostSystem = {
  systemdRunning: () => existsSync('/run/systemd/system'),
  policyExists: () => existsSync(POLICY_RC_D),
  asRoot: (command, args) => runAsRoot(command, args),
  unitIs: (state, unit) => spawnSync('systemctl', [state, '--quiet', unit]).status === 0,
};

/**
 * Keeps the packaged services of `packages` from starting while apt-get installs them: a policy-rc.d
 * that refuses every start (honoured by invoke-rc.d and deb-systemd-invoke), unless the machine has a
 * policy of its own already. Returns the clean-up to run after the install, which also stops and
 * disables whatever was started or enabled anyway.
 */
export function holdPackagedServices(packages, system = hostSystem) {
  const units = packages.flatMap((pkg) => PACKAGED_SERVICES[pkg] ?? []);
  if (units.length === 0 || !system.systemdRunning()) return () => undefined;
  const ours = !system.policyExists();
  if (ours) {
    say(`keeping the packaged services from starting while installing (${units.join(', ')})`);
    system.asRoot('sh', [
      '-c',
      `printf '#!/bin/sh\\nexit 101\\n' > ${POLICY_RC_D} && chmod 755 ${POLICY_RC_D}`,
    ]);
  }
  return () => {
    if (ours) system.asRoot('rm', ['-f', POLICY_RC_D]);
    for (const unit of units) {
      if (!system.unitIs('is-active', unit) && !system.unitIs('is-enabled', unit)) continue;
      say(
        `stopping and disabling the packaged ${unit}: it listens on every interface; the demo runs its own on loopback`,
      );
      system.asRoot('systemctl', ['disable', '--now', '--quiet', unit]);
    }
  };
}

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
  const without = purpose === 'start' ? 'starting without the demo PBX' : 'tests that need them will fail';
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    say(`missing system packages (${missing.join(', ')}) and no apt-get here: ${without}`);
    return;
  }
  say(`installing Debian packages: ${missing.join(' ')}`);
  const release = holdPackagedServices(missing);
  // Through `env`: sudo does not pass the caller's environment on.
  const aptGet = (args) => runAsRoot('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
  aptGet(['update', '-qq']);
  const installed = aptGet(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  release();
  if (installed.status !== 0) say(`apt-get install failed: ${without}`);
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
