/**
 * The long-lived side of `npm run lab:up`, started by scripts/lab.mjs inside the lab's loopback-only
 * network namespace: Kamailio + rtpengine, the org server with the demo org (SQLite), and the phone in
 * headless Chromium registered as agent1. When everything is ready it writes `<state>/ready.json`; on
 * SIGTERM it stops what it started, by PID, and exits.
 *
 *   tsx test/sip-lab/lab-daemon.ts <state-dir>
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { defaultOrgSettings } from '../../shared/settings';
import { buildHarness, launchChromium, serveStatic, type StaticServer } from './browser';
import { LAB_DIR, LAB_SIP_PASSWORD, startLab, tcpPortOpen, type Lab } from './lab';

const REPO_ROOT = resolve(LAB_DIR, '..', '..');
const SERVER_PORT = 8787;
export const LAB_AGENT = {
  id: 'agent1',
  websocketUrl: 'ws://127.0.0.1:8080',
  sipUri: 'sip:agent1@127.0.0.1',
  displayName: 'Agent One',
  lineNumber: '+12125550101',
  iceServers: [],
  enabled: true,
};

interface ServerInfo {
  url: string;
  leadToken: string;
  process: ChildProcess;
}

async function startOrgServer(stateDir: string): Promise<ServerInfo> {
  const logPath = join(stateDir, 'server.log');
  const log = openSync(logPath, 'a');
  const outPath = join(stateDir, 'server.out');
  const out = openSync(outPath, 'w');
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
      const parsed: unknown = JSON.parse(line);
      const leadToken = readLeadToken(parsed);
      if (!leadToken) throw new Error(`the org server printed no lead token: ${line}`);
      return { url: `http://127.0.0.1:${SERVER_PORT}`, leadToken, process: child };
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  child.kill('SIGTERM');
  throw new Error(`the org server was not ready within 60 s; see ${logPath}`);
}

function readLeadToken(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('demo' in value)) return null;
  const demo = value.demo;
  if (typeof demo !== 'object' || demo === null || !('tokens' in demo)) return null;
  const tokens = demo.tokens;
  if (typeof tokens !== 'object' || tokens === null || !('lead' in tokens)) return null;
  return typeof tokens.lead === 'string' ? tokens.lead : null;
}

async function main(): Promise<void> {
  const stateDir = resolve(process.argv[2] ?? '.lab');
  mkdirSync(stateDir, { recursive: true });
  let lab: Lab | null = null;
  let server: ServerInfo | null = null;
  let staticServer: StaticServer | null = null;
  let browser: Browser | null = null;
  let stopping = false;

  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await browser?.close().catch(() => undefined);
    await staticServer?.close().catch(() => undefined);
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
    lab = await startLab({ dir: join(stateDir, 'run') });
    // TODO(lead): sign the full app (browser host + renderer) in to this server once the host exists;
    // for now the phone core's harness page is the registered agent.
    server = existsSync(join(REPO_ROOT, 'server', 'main.ts')) ? await startOrgServer(stateDir) : null;
    const www = join(stateDir, 'www');
    await buildHarness(www);
    staticServer = await serveStatic(www);
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${staticServer.url}/index.html`);
    await page.waitForFunction(() => window.lab !== undefined);
    await page.evaluate((config) => window.lab?.start(config), {
      account: LAB_AGENT,
      password: LAB_SIP_PASSWORD,
      rules: [],
      settings: defaultOrgSettings('US'),
      lines: [{ number: LAB_AGENT.lineNumber, label: 'Lab line', announcementMode: 'early-media' as const }],
      autoAnswer: 'none' as const,
    });
    const ready = {
      serverUrl: server?.url ?? null,
      leadToken: server?.leadToken ?? null,
      agentSipUri: LAB_AGENT.sipUri,
      agentLine: LAB_AGENT.lineNumber,
      netnsPid: Number(process.env.BLOCKLINE_LAB_NETNS_PID ?? process.pid),
      harnessUrl: staticServer.url,
      labDir: lab.dir,
    };
    writeFileSync(join(stateDir, 'ready.json'), JSON.stringify(ready));
  } catch (error) {
    writeFileSync(
      join(stateDir, 'error.txt'),
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
    await stop(1);
  }
}

void main();
