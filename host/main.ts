/**
 * `tsx host/main.ts [--port N] [--data-dir DIR] [--renderer-dir DIR] [--server-url URL --token T]`
 * Starts the browser host and prints the URL to open (with the per-launch secret). With a server URL
 * and token (flags, or BLOCKLINE_SERVER_URL / BLOCKLINE_TOKEN) it signs in at start, retrying while
 * the server is still coming up. BLOCKLINE_DATA_DIR sets the data directory (its `browser-host/`).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startBrowserHost, type BrowserHost } from './browser-host';
import { SERVER_TOKEN_KEY } from './secrets';
import { errorMessage } from '../shared/error-message';

const repositoryRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface HostCliConfig {
  port: number;
  dataDir: string;
  rendererDir: string;
  signIn: { serverUrl: string; token: string } | null;
}

export function parseHostCli(argv: string[], env: Record<string, string | undefined>): HostCliConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'renderer-dir': { type: 'string' },
      'server-url': { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
  });
  const portText = values.port ?? env.BLOCKLINE_HOST_PORT ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be a port number, got "${portText}"`);
  const dataRoot = values['data-dir'] ?? env.BLOCKLINE_DATA_DIR ?? path.join(repositoryRoot, 'data');
  const serverUrl = values['server-url'] ?? env.BLOCKLINE_SERVER_URL;
  const token = values.token ?? env.BLOCKLINE_TOKEN;
  if ((serverUrl === undefined) !== (token === undefined)) {
    throw new Error('give both a server URL and a token (or neither)');
  }
  return {
    port,
    dataDir: values['data-dir'] === undefined ? path.join(dataRoot, 'browser-host') : dataRoot,
    rendererDir: values['renderer-dir'] ?? path.join(repositoryRoot, 'dist', 'renderer'),
    signIn: serverUrl !== undefined && token !== undefined ? { serverUrl, token } : null,
  };
}

/** Signs in unless already signed in to that server; retries while the server is unreachable. */
export async function signInAtStart(
  host: BrowserHost,
  serverUrl: string,
  token: string,
  log: (m: string) => void,
): Promise<void> {
  const current = await host.services.invoke('session:get', undefined);
  const sameServer = current.signedIn && current.serverUrl === serverUrl.replace(/\/+$/, '');
  if (sameServer && host.secrets.get(SERVER_TOKEN_KEY) === token) return;
  for (let attempt = 1; attempt <= 30; attempt++) {
    const result = await host.services.invoke('session:signIn', { serverUrl, token });
    if (result.ok) {
      log(`signed in to ${serverUrl} as ${result.value.signedIn ? result.value.me.user.name : '?'}`);
      return;
    }
    if (result.code !== 'network') {
      log(`could not sign in to ${serverUrl}: ${result.message}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  log(`gave up signing in to ${serverUrl}: the server did not answer`);
}

async function main(): Promise<void> {
  const config = parseHostCli(process.argv.slice(2), process.env);
  const log = (message: string) => console.log(`[host] ${message}`);
  const host = await startBrowserHost({
    port: config.port,
    dataDir: config.dataDir,
    rendererDir: config.rendererDir,
    log,
  });
  console.log(`\nBlockline is running in your browser at:\n\n  ${host.url}\n`);
  console.log(`BLOCKLINE_URL=${host.url}`);
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    void host.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  if (config.signIn !== null) await signInAtStart(host, config.signIn.serverUrl, config.signIn.token, log);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`[host] ${errorMessage(error)}`);
    process.exit(1);
  });
}
