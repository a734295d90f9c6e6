/**
 * `npm run demo:agent`: a second app window next to a running `npm start`, signed in as the demo agent
 * with its own SIP account (agent2, the Support line) on the local PBX — so the lead and an agent can
 * call each other, or `npm run demo:call -- --to agent2` rings the agent. Ctrl-C closes it.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../shared/error-message';
import { connectAppBridge, ensureDemoAccount, waitSignedIn } from './app-bridge';
import { browserAdvice, planBrowser } from './browser';
import { browserChoice, REPO_ROOT } from './config';
import { stopWhenParentGoes, Supervisor } from './processes';
import { DEMO_SIP_PASSWORD, demoSipAccount, loadDemoTokens, startAppHost } from './services';
import { readRunState } from './state';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { port: { type: 'string' }, 'no-browser': { type: 'boolean' } },
    strict: true,
  });
  const dataDir = process.env.BLOCKLINE_DATA_DIR ?? path.join(REPO_ROOT, 'data');
  const state = readRunState(dataDir);
  if (state === null) throw new Error('Blockline is not running here: start it with `npm start` first');
  const { tokens } = loadDemoTokens(state.dataDir);
  const agentDir = path.join(state.dataDir, 'agent');

  let stopping = false;
  const supervisor = new Supervisor((name) => {
    if (name === 'browser') return;
    console.log(`[blockline] the agent's ${name} stopped`);
    void stop(1);
  });
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await supervisor.stopAll(5000);
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  stopWhenParentGoes();

  try {
    const appUrl = await startAppHost(supervisor, {
      name: 'app',
      port: Number(values.port ?? state.ports.app + 1),
      dataDir: agentDir,
      serverUrl: state.serverUrl,
      token: tokens.agentToken,
    });
    const bridge = await connectAppBridge(appUrl);
    let sipUri: string | null = null;
    try {
      await waitSignedIn(bridge, 60_000);
      if (state.pbxUdp !== null) {
        const account = demoSipAccount('agent', `ws://127.0.0.1:${state.ports.sipWs}`);
        await ensureDemoAccount(bridge, account, DEMO_SIP_PASSWORD);
        sipUri = account.sipUri;
      }
    } finally {
      bridge.close();
    }
    const plan = planBrowser(
      appUrl,
      path.join(agentDir, 'chromium-profile'),
      browserChoice(values['no-browser'] === true, process.env),
      process.env,
    );
    if ('command' in plan) supervisor.start('browser', plan.command, plan.args, { onLine: () => false });
    console.log(`\nThe demo agent's app is ready at:\n\n  ${appUrl}\n`);
    if ('reason' in plan) console.log(`(${plan.reason}. ${browserAdvice()})\n`);
    console.log(`BLOCKLINE_DEMO_AGENT=${JSON.stringify({ appUrl, sipUri })}`);
  } catch (error) {
    console.error(`demo:agent: ${errorMessage(error)}`);
    await stop(1);
  }
}

main().catch((error: unknown) => {
  console.error(`demo:agent: ${errorMessage(error)}`);
  process.exit(1);
});
