/**
 * The long-running part of `npm start` (scripts/start.mjs loads it once packages are installed and the
 * app is built): the local demo PBX, the org server with the demo org, the app signed in as the demo
 * lead with its SIP account set up, and a browser window that can carry calls. The app's URL is
 * printed only once all of that is ready, then one `BLOCKLINE_DEMO={…}` line for scripts. Ctrl-C or
 * SIGTERM stops everything, each process by its PID with a bounded wait.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEMO_CALLERS } from '../../server/demo';
import { errorMessage } from '../../shared/error-message';
import { connectAppBridge, ensureDemoAccount, waitSignedIn } from './app-bridge';
import { browserAdvice, planBrowser } from './browser';
import { demoUsage, parseDemoConfig, REPO_ROOT, type DemoConfig } from './config';
import { missingPbxPackages, startDemoPbx, type DemoPbx } from './pbx';
import { stopWhenParentGoes, Supervisor } from './processes';
import {
  DEMO_SIP_PASSWORD,
  demoSipAccount,
  loadDemoTokens,
  startAppHost,
  startOrgServer,
  turnOnDemoPolicies,
} from './services';
import { clearRunState, writeRunState, type DemoRunState } from './state';

const say = (message: string) => console.log(`[blockline] ${message}`);
/** Per process: SIGTERM, then this long before SIGKILL. */
const STOP_GRACE_MS = 5000;

export interface RunDemoOptions {
  /** The Electron binary, where it is installed (desktops); otherwise the app is served to a browser. */
  electronBinary: string | null;
}

export async function runDemo(argv: string[], options: RunDemoOptions): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(demoUsage());
    return;
  }
  let config: DemoConfig;
  try {
    config = parseDemoConfig(argv, process.env);
  } catch (error) {
    say(errorMessage(error));
    console.log(demoUsage());
    process.exit(2);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const { tokens, file: tokensFile, created: firstStart } = loadDemoTokens(config.dataDir);

  let stopping: Promise<void> | null = null;
  let pbx: DemoPbx | null = null;
  const supervisor = new Supervisor((name, code, signal) => {
    if (name === 'browser') {
      say('the browser window was closed; the demo keeps running (open the URL above again)');
      return;
    }
    say(`${name} stopped on its own (${signal ?? `exit ${code}`}): stopping the demo`);
    void stop(1);
  });
  const stop = (code: number): Promise<void> => {
    stopping ??= (async () => {
      say('stopping: the app, the org server and the PBX');
      await supervisor.stopAll(STOP_GRACE_MS);
      await pbx?.stop().catch((error: unknown) => say(`stopping the PBX: ${errorMessage(error)}`));
      clearRunState(config.dataDir);
      say('stopped');
      process.exit(code);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  stopWhenParentGoes();

  try {
    const missing = config.pbx ? missingPbxPackages() : [];
    if (!config.pbx) say('starting without the local demo PBX (--no-pbx)');
    else if (missing.length > 0)
      say(`no local demo PBX: missing ${missing.join(', ')} (Debian packages); starting without it`);
    else {
      say(
        `starting the local demo PBX (Kamailio + rtpengine on 127.0.0.1, SIP udp ${config.ports.sipUdp}, WebSocket ${config.ports.sipWs})`,
      );
      pbx = await startDemoPbx(config.ports, path.join(config.dataDir, 'pbx')).catch((error: unknown) => {
        throw new Error(
          `the local PBX did not start (other ports: npm start -- --help): ${errorMessage(error)}`,
        );
      });
    }

    say(`starting the org server on http://127.0.0.1:${config.ports.server}`);
    const serverUrl = await startOrgServer(supervisor, config, tokens);
    if (firstStart) await turnOnDemoPolicies(serverUrl, tokens.adminToken);

    if (options.electronBinary !== null) {
      // Electron keeps its secrets in the OS keychain, out of reach of this script: the SIP account
      // is added in Settings → Phone (the PBX details are printed below).
      say('starting the desktop app (Electron), signed in as the demo lead');
      supervisor.start('Electron app', options.electronBinary, ['.'], {
        cwd: REPO_ROOT,
        env: {
          BLOCKLINE_SERVER_URL: serverUrl,
          BLOCKLINE_TOKEN: tokens.leadToken,
          BLOCKLINE_DATA_DIR: config.dataDir,
          // The demo PBX's media is on loopback, which Chromium refuses unless told (electron/launch.ts).
          ...(pbx !== null ? { BLOCKLINE_LOCAL_PBX: '1' } : {}),
        },
      });
      if (pbx !== null) {
        const account = demoSipAccount('lead', pbx.websocketUrl);
        say(
          `add the SIP account in Settings → Phone: WebSocket ${account.websocketUrl}, ${account.sipUri}, password ${DEMO_SIP_PASSWORD}, line ${account.lineNumber}`,
        );
      }
      say('Stop with Ctrl-C.');
      return;
    }
    say('starting the app for a browser, signed in as the demo lead');
    const appUrl = await startAppHost(supervisor, {
      name: 'app',
      port: config.ports.app,
      dataDir: config.dataDir,
      serverUrl,
      token: tokens.leadToken,
    });
    const bridge = await connectAppBridge(appUrl);
    let sipUri: string | null = null;
    try {
      await waitSignedIn(bridge, 60_000);
      if (pbx !== null) {
        const account = demoSipAccount('lead', pbx.websocketUrl);
        const done = await ensureDemoAccount(bridge, account, DEMO_SIP_PASSWORD);
        if (done === 'added')
          say(`set up the SIP account ${account.sipUri} in the app (password in its secret store)`);
        sipUri = account.sipUri;
      }
    } finally {
      bridge.close();
    }

    const state: DemoRunState = {
      pid: process.pid,
      appUrl,
      serverUrl,
      sipUri,
      pbxUdp: pbx?.udp ?? null,
      blockedNumber: DEMO_CALLERS.blocked,
      allowedNumber: DEMO_CALLERS.allowed,
      ports: config.ports,
      dataDir: config.dataDir,
    };
    writeRunState(state);

    const plan = planBrowser(
      appUrl,
      path.join(config.dataDir, 'chromium-profile'),
      config.browser,
      process.env,
    );
    if ('command' in plan) supervisor.start('browser', plan.command, plan.args, { onLine: () => false });

    console.log('');
    console.log(`Blockline is ready. Open the app at:\n\n  ${appUrl}\n`);
    if ('reason' in plan) console.log(`(${plan.reason}. ${browserAdvice()})\n`);
    else console.log('(opened in a Chromium window of its own)\n');
    if (pbx !== null) {
      console.log(
        `Local PBX: any SIP phone on this computer can call in on udp ${pbx.udp} (password ${DEMO_SIP_PASSWORD}).`,
      );
      console.log(`Try a blocked call:  npm run demo:call -- --from "${DEMO_CALLERS.blocked}"`);
      console.log(`Try an allowed call: npm run demo:call -- --from "${DEMO_CALLERS.allowed}"`);
      console.log('Call *43 from the app to hear yourself (echo), *486 for a busy line.');
      console.log('A second window, signed in as the demo agent: npm run demo:agent');
    }
    if (config.showTokens) {
      console.log(
        `Demo tokens: lead ${tokens.leadToken}, agent ${tokens.agentToken}, admin ${tokens.adminToken}`,
      );
    } else {
      console.log(
        `Demo tokens (lead, agent, admin) are kept in ${tokensFile} (npm start -- --show-tokens prints them).`,
      );
    }
    console.log('Stop with Ctrl-C.\n');
    const { dataDir: _dataDir, pid: _pid, ports: _ports, ...printed } = state;
    console.log(`BLOCKLINE_DEMO=${JSON.stringify(printed)}`);
  } catch (error) {
    say(`could not start: ${errorMessage(error)}`);
    await stop(1);
  }
}
