#!/usr/bin/env node
// `npm run lab:up` / `npm run lab:down`: the SIP lab in its own loopback-only network namespace.
//   up   — creates the namespace (a long-lived `unshare -n` holder), starts test/sip-lab/lab-daemon.ts
//          inside it (Kamailio, rtpengine, the org server with the demo org, the phone in headless
//          Chromium registered as agent1), prints one JSON line
//          { serverUrl, leadToken, agentSipUri, agentLine, netnsPid } and returns.
//          Join the lab with any SIP tool: nsenter -t <netnsPid> -n sipp …
//   down — stops exactly what `up` started, by PID (state in .lab/state.json).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = join(root, '.lab');
const statePath = join(stateDir, 'state.json');

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function fail(message) {
  process.stderr.write(`lab: ${message}\n`);
  process.exit(1);
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function stopPid(pid, graceMs) {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

async function up() {
  if (existsSync(statePath)) {
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    if (alive(state.daemonPid) || alive(state.holderPid))
      fail('the lab is already up (npm run lab:down first)');
    rmSync(statePath);
  }
  mkdirSync(stateDir, { recursive: true });
  for (const name of ['ready.json', 'error.txt']) rmSync(join(stateDir, name), { force: true });

  // The namespace lives as long as this holder: `unshare` execs sh, which execs sleep, so the PID stays.
  const holder = spawn('unshare', ['-n', '--', 'sh', '-c', 'ip link set lo up && exec sleep infinity'], {
    detached: true,
    stdio: 'ignore',
  });
  holder.unref();
  const holderPid = holder.pid;
  if (!holderPid) fail('could not create the network namespace (unshare -n needs root)');
  await sleep(300);
  if (!alive(holderPid))
    fail('the network namespace holder exited at once (is `ip` installed, are we root?)');

  const log = openSync(join(stateDir, 'daemon.log'), 'w');
  const daemon = spawn(
    'nsenter',
    [
      '-t',
      String(holderPid),
      '-n',
      '--',
      join(root, 'node_modules', '.bin', 'tsx'),
      join(root, 'test', 'sip-lab', 'lab-daemon.ts'),
      stateDir,
    ],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, BLOCKLINE_LAB_NETNS_PID: String(holderPid) },
    },
  );
  closeSync(log);
  daemon.unref();
  // nsenter without --fork execs the daemon, so this PID is the daemon's.
  writeFileSync(statePath, JSON.stringify({ holderPid, daemonPid: daemon.pid }));

  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (existsSync(join(stateDir, 'ready.json'))) {
      const ready = JSON.parse(readFileSync(join(stateDir, 'ready.json'), 'utf8'));
      const { serverUrl, leadToken, agentSipUri, agentLine, netnsPid } = ready;
      process.stdout.write(`${JSON.stringify({ serverUrl, leadToken, agentSipUri, agentLine, netnsPid })}\n`);
      return;
    }
    if (existsSync(join(stateDir, 'error.txt')) || !alive(daemon.pid)) {
      const why = existsSync(join(stateDir, 'error.txt'))
        ? readFileSync(join(stateDir, 'error.txt'), 'utf8')
        : 'the lab daemon exited';
      await down();
      fail(`the lab did not start: ${why}\n(see .lab/daemon.log)`);
    }
    await sleep(200);
  }
  await down();
  fail('the lab was not ready within 120 s (see .lab/daemon.log)');
}

async function down() {
  if (!existsSync(statePath)) {
    process.stderr.write('lab: not running\n');
    return;
  }
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  await stopPid(state.daemonPid, 15_000);
  await stopPid(state.holderPid, 2_000);
  rmSync(statePath, { force: true });
}

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else fail('usage: node scripts/lab.mjs up|down');
