#!/usr/bin/env node
// `npm start`: installs what is missing, then starts the product on its embedded defaults — a local
// demo PBX (the SIP lab's Kamailio + rtpengine, loopback only), the org server on a SQLite file with a
// demo org, users and rules, and the app signed in to it as the demo lead with its SIP account set up:
// Electron where its binary exists, otherwise the app served to a browser (a Chromium window is opened
// where there is a display). The long-running part is scripts/demo/run.ts.
// Dependency-free up to the point where packages are installed, so it runs on a fresh clone.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronBinaryPath, ensureDebianPackages, ensureNodeModules, run, say } from './setup-lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const argv = process.argv.slice(2);
const dataDir = process.env.BLOCKLINE_DATA_DIR ?? join(root, 'data');
mkdirSync(dataDir, { recursive: true });

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// One `npm start` per data directory: the lock is taken before anything is installed or started.
const lockFile = join(dataDir, 'start.pid');
function takeLock() {
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (alive(holder)) {
      const stateFile = join(dataDir, 'demo-run.json');
      const url = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')).appUrl : null;
      say(`Blockline is already running (npm start, PID ${holder})${url ? `: ${url}` : ''}`);
      say('stop it first (Ctrl-C in its terminal) to start another one');
      return false;
    }
    rmSync(lockFile, { force: true }); // left by a start that was killed
    return takeLock();
  }
}
const wantsHelp = argv.includes('--help') || argv.includes('-h');
if (!wantsHelp) {
  if (!takeLock()) process.exit(1);
  process.on('exit', () => {
    if (existsSync(lockFile) && Number(readFileSync(lockFile, 'utf8')) === process.pid) rmSync(lockFile);
  });
}

if (!wantsHelp) ensureDebianPackages('start');
ensureNodeModules();

if (!wantsHelp) {
  say('building the renderer and the Electron bundles');
  if (run('npm', ['run', '--silent', 'build']).status !== 0) process.exit(1);
}

// From here on TypeScript: tsx (installed above) loads it in this same process.
const { register } = await import('tsx/esm/api');
register();
const { runDemo } = await import(pathToFileURL(join(root, 'scripts', 'demo', 'run.ts')).href);
await runDemo(argv, { electronBinary: electronBinaryPath() });
