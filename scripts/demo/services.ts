/**
 * The demo's parts as processes and files: its tokens, its users' SIP accounts on the local PBX, the
 * org server with the demo org and the browser host signed in as a demo user. Shared by `npm start`
 * (run.ts) and `npm run demo:agent` (agent.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SipAccount } from '../../shared/contracts/ipc';
import { DEMO_LINES } from '../../server/demo';
import { LAB_SIP_DOMAIN, LAB_SIP_PASSWORD, tcpPortOpen } from '../../test/sip-lab/lab';
import { REPO_ROOT, type DemoConfig } from './config';
import type { Supervisor } from './processes';

const say = (message: string) => console.log(`[blockline] ${message}`);

export interface DemoTokens {
  adminToken: string;
  leadToken: string;
  agentToken: string;
}

/** Demo tokens are made once and kept in data/demo.json (0600), so a second start signs in the same users. */
export function loadDemoTokens(dataDir: string): { tokens: DemoTokens; file: string; created: boolean } {
  const file = path.join(dataDir, 'demo.json');
  if (existsSync(file))
    return { tokens: JSON.parse(readFileSync(file, 'utf8')) as DemoTokens, file, created: false };
  const token = () => `bl_demo_${randomBytes(24).toString('base64url')}`;
  const tokens = { adminToken: token(), leadToken: token(), agentToken: token() };
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return { tokens, file, created: true };
}

/** The SIP accounts of the demo users on the local PBX: the lead answers Sales, the agent Support. */
export function demoSipAccount(role: 'lead' | 'agent', websocketUrl: string): SipAccount {
  const user = role === 'lead' ? 'agent1' : 'agent2';
  return {
    id: `demo-pbx-${user}`,
    websocketUrl,
    sipUri: `sip:${user}@${LAB_SIP_DOMAIN}`,
    displayName: role === 'lead' ? 'Lee Lead (demo PBX)' : 'Alex Agent (demo PBX)',
    lineNumber: role === 'lead' ? DEMO_LINES.sales : DEMO_LINES.support,
    iceServers: [],
    enabled: true,
  };
}

export const DEMO_SIP_PASSWORD = LAB_SIP_PASSWORD;

/** The node binary with tsx as a loader: one process per service (no npx or shell in between). */
export function tsxCommand(script: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', path.join(REPO_ROOT, script)] };
}

async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The browser host signed in as `token`; resolves with its URL once it serves. */
export async function startAppHost(
  supervisor: Supervisor,
  options: { name: string; port: number; dataDir: string; serverUrl: string; token: string },
): Promise<string> {
  let url: string | null = null;
  const host = tsxCommand('host/main.ts');
  supervisor.start(options.name, host.command, [...host.args, '--port', String(options.port)], {
    cwd: REPO_ROOT,
    // The token goes in through the environment: argv is visible to every user in `ps`.
    env: {
      BLOCKLINE_SERVER_URL: options.serverUrl,
      BLOCKLINE_TOKEN: options.token,
      BLOCKLINE_DATA_DIR: options.dataDir,
    },
    onLine: (line) => {
      const found = /^BLOCKLINE_URL=(\S+)$/.exec(line);
      if (found?.[1] !== undefined) url = found[1];
      // The URL is printed once everything is ready, not while the host starts; and sign-in is said once.
      return !(
        line.startsWith('[host] signed in to') ||
        line.trim() === '' ||
        line.startsWith('Blockline is running') ||
        found !== null ||
        line.includes('?secret=')
      );
    },
  });
  await waitFor(`the app (${options.name})`, () => url !== null, 60_000);
  return url ?? '';
}

export async function startOrgServer(
  supervisor: Supervisor,
  config: DemoConfig,
  tokens: DemoTokens,
): Promise<string> {
  let seeded = false;
  const server = tsxCommand('server/main.ts');
  supervisor.start('org server', server.command, server.args, {
    cwd: REPO_ROOT,
    env: {
      PORT: String(config.ports.server),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(config.dataDir, 'blockline.sqlite')}`,
      // Request logs would bury the URL to open; LOG_LEVEL=info brings them back.
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      BLOCKLINE_DEMO: '1',
      BLOCKLINE_DEMO_ADMIN_TOKEN: tokens.adminToken,
      BLOCKLINE_DEMO_LEAD_TOKEN: tokens.leadToken,
      BLOCKLINE_DEMO_AGENT_TOKEN: tokens.agentToken,
    },
    onLine: (line) => {
      // The seed line carries the tokens: it stays off the terminal.
      if (line.startsWith('{"demo"')) {
        seeded = true;
        return false;
      }
      return true;
    },
  });
  await waitFor(
    'the org server',
    async () => seeded && (await tcpPortOpen('127.0.0.1', config.ports.server)),
    60_000,
  );
  return `http://127.0.0.1:${config.ports.server}`;
}

/** First start: the policies the demo callers' flags show (`--anonymous`, `--verstat failed`). */
export async function turnOnDemoPolicies(serverUrl: string, adminToken: string): Promise<void> {
  const response = await fetch(`${serverUrl}/v1/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ blockAnonymous: true, blockFailedVerification: true }),
  });
  if (!response.ok) say(`could not turn on the demo policies: HTTP ${response.status}`);
}
