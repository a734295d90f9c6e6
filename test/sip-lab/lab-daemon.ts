/**
 * The long-lived side of `npm run lab:up`, started by scripts/lab.mjs inside the lab's loopback-only
 * network namespace: Kamailio + rtpengine, the org server with the demo org (SQLite), and the real app
 * — the browser host serving the built renderer, signed in as the demo agent, in headless Chromium,
 * with the lab SIP account saved through the app and registered as agent1. When everything is ready it
 * writes `<state>/ready.json`; on SIGTERM it stops what it started, by PID, and exits.
 *
 *   tsx test/sip-lab/lab-daemon.ts <state-dir>
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  freshRendererBuild,
  LAB_AGENT_ACCOUNT,
  REPO_ROOT,
  startAppRegistered,
  type RunningApp,
} from '../e2e/real-app';
import { launchChromium } from './browser';
import { startLab, tcpPortOpen, type Lab } from './lab';
import { errorDetail } from '../../shared/error-message';

const SERVER_PORT = 8787;

interface ServerInfo {
  url: string;
  leadToken: string;
  agentToken: string;
  process: ChildProcess;
}

async function startOrgServer(stateDir: string): Promise<ServerInfo> {
  const logPath = join(stateDir, 'server.log');
  const log = openSync(logPath, 'a');
  const outPath = join(stateDir, 'server.out');
  const out = openSync(outPath, 'w');
  // The server prints no tokens (SPEC §11.6): the demo's tokens are given to it, as scripts/start.mjs does.
  const token = () => `bl_demo_${randomBytes(24).toString('base64url')}`;
  const leadToken = token();
  const agentToken = token();
  const child = spawn(
    join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
    [join(REPO_ROOT, 'server', 'main.ts')],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', out, log],
      env: {
        ...process.env,
        PORT: String(SERVER_PORT),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(stateDir, 'blockline.sqlite')}`,
        BLOCKLINE_DEMO: '1',
        BLOCKLINE_DEMO_ADMIN_TOKEN: token(),
        BLOCKLINE_DEMO_LEAD_TOKEN: leadToken,
        BLOCKLINE_DEMO_AGENT_TOKEN: agentToken,
        LOG_LEVEL: 'warn',
      },
    },
  );
  closeSync(log);
  closeSync(out);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the org server exited (${child.exitCode}); see ${logPath}`);
    const text = existsSync(outPath) ? readFileSync(outPath, 'utf8') : '';
    const line = text.split('\n').find((candidate) => candidate.startsWith('{"demo"'));
    if (line && (await tcpPortOpen('127.0.0.1', SERVER_PORT))) {
      return { url: `http://127.0.0.1:${SERVER_PORT}`, leadToken, agentToken, process: child };
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  child.kill('SIGTERM');
  throw new Error(`the org server was not ready within 60 s; see ${logPath}`);
}

async function main(): Promise<void> {
  const stateDir = resolve(process.argv[2] ?? '.lab');
  mkdirSync(stateDir, { recursive: true });
  let lab: Lab | null = null;
  let server: ServerInfo | null = null;
  let browser: Browser | null = null;
  let app: RunningApp | null = null;
  let stopping = false;

  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // The app signs out first, so its line unregisters before Kamailio goes.
    await app?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (server && server.process.exitCode === null) {
      const exited = new Promise((done) => server?.process.once('exit', done));
      server.process.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))]);
    }
    await lab?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));

  try {
    // A fresh org database and app data each time: the demo tokens are issued anew on every start.
    for (const name of ['blockline.sqlite', 'blockline.sqlite-wal', 'blockline.sqlite-shm', 'host-data'])
      rmSync(join(stateDir, name), { recursive: true, force: true });
    const [startedLab, rendererDir] = await Promise.all([
      startLab({ dir: join(stateDir, 'run') }),
      freshRendererBuild(join(stateDir, 'renderer')),
    ]);
    lab = startedLab;
    server = await startOrgServer(stateDir);
    browser = await launchChromium();
    app = await startAppRegistered({
      browser,
      serverUrl: server.url,
      token: server.agentToken,
      rendererDir,
      dataDir: join(stateDir, 'host-data'),
    });
    const ready = {
      serverUrl: server.url,
      leadToken: server.leadToken,
      agentSipUri: LAB_AGENT_ACCOUNT.sipUri,
      agentLine: LAB_AGENT_ACCOUNT.lineNumber,
      netnsPid: Number(process.env.BLOCKLINE_LAB_NETNS_PID ?? process.pid),
      appUrl: app.host.url,
      labDir: lab.dir,
    };
    writeFileSync(join(stateDir, 'ready.json'), JSON.stringify(ready));
  } catch (error) {
    writeFileSync(join(stateDir, 'error.txt'), errorDetail(error));
    await stop(1);
  }
}

void main();
