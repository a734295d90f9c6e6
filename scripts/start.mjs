#!/usr/bin/env node
// `npm start`: installs what is missing, then starts the product on its embedded defaults — the org
// server on a SQLite file with a demo org, users and rules, and the app signed in to it as the demo
// lead: Electron where its binary exists, otherwise the renderer in an ordinary browser through the
// browser host (the URL is printed). Dependency-free so it runs on a fresh clone; idempotent.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath, ensureDebianPackages, ensureNodeModules, run, say } from './setup-lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const serverPort = process.env.PORT ?? '8787';
const hostPort = process.env.BLOCKLINE_HOST_PORT ?? '5173';
const dataDir = join(root, 'data');
mkdirSync(dataDir, { recursive: true });

ensureDebianPackages('start');
ensureNodeModules();

say('building the renderer and the Electron bundles');
if (run('npm', ['run', '--silent', 'build']).status !== 0) process.exit(1);

// Demo tokens are made once and kept in data/demo.json (0600), so a second start signs in the same users.
const demoFile = join(dataDir, 'demo.json');
if (!existsSync(demoFile)) {
  const token = () => `bl_demo_${randomBytes(24).toString('base64url')}`;
  writeFileSync(
    demoFile,
    JSON.stringify({ adminToken: token(), leadToken: token(), agentToken: token() }, null, 2),
    { mode: 0o600 },
  );
}
const demo = JSON.parse(readFileSync(demoFile, 'utf8'));

const children = [];
function startChild(name, command, args, env = {}) {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  child.on('exit', (code, signal) => {
    say(`${name} stopped (${signal ?? code})`);
    shutdown(code ?? 0);
  });
  children.push(child);
  return child;
}
let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

const serverUrl = `http://127.0.0.1:${serverPort}`;
say(`starting the org server on ${serverUrl}`);
startChild('org server', 'npx', ['tsx', 'server/main.ts'], {
  PORT: serverPort,
  // Request logs would bury the URL to open; LOG_LEVEL=info brings them back.
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  BLOCKLINE_DEMO: '1',
  BLOCKLINE_DEMO_ADMIN_TOKEN: demo.adminToken,
  BLOCKLINE_DEMO_LEAD_TOKEN: demo.leadToken,
  BLOCKLINE_DEMO_AGENT_TOKEN: demo.agentToken,
});

const appEnv = {
  BLOCKLINE_SERVER_URL: serverUrl,
  BLOCKLINE_TOKEN: demo.leadToken,
  BLOCKLINE_DATA_DIR: dataDir,
};
const electron = electronBinaryPath();
if (electron) {
  say('starting the desktop app (Electron), signed in as the demo lead');
  startChild('Electron app', electron, ['.'], appEnv);
} else {
  say('the Electron binary is not installed here: serving the app to a browser instead');
  startChild('browser host', 'npx', ['tsx', 'host/main.ts', '--port', hostPort], appEnv);
}
say(`demo users: lead token ${demo.leadToken}, agent token ${demo.agentToken} (also in data/demo.json)`);
