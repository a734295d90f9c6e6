/**
 * `tsx host/main.ts [--port N] [--data-dir DIR] [--renderer-dir DIR] [--server-url URL] [--token-file FILE|-]`
 * Starts the browser host and prints the URL to open (with the per-launch secret). With a server URL
 * and a token it signs in at start, retrying while the server is still coming up. The token comes from
 * BLOCKLINE_TOKEN, from a file (`--token-file FILE`) or from stdin (`--token-file -`), never from the
 * command line: every user of the machine can read another process's arguments (`ps`).
 * BLOCKLINE_DATA_DIR sets the data directory (its `browser-host/`).
 */
import { readFileSync } from 'node:fs';
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

/** Reads a token file (`-` is stdin); the token is the file's first line, without surrounding space. */
export type ReadTokenFile = (file: string) => string;
const readTokenFile: ReadTokenFile = (file) => readFileSync(file === '-' ? 0 : file, 'utf8');

export const TOKEN_IN_ARGV_MESSAGE =
  '--token is not accepted: a token on the command line is visible to every user of this computer (ps). ' +
  'Give it in BLOCKLINE_TOKEN, in a file (--token-file FILE) or on stdin (--token-file -)';

export function parseHostCli(
  argv: string[],
  env: Record<string, string | undefined>,
  readToken: ReadTokenFile = readTokenFile,
): HostCliConfig {
  if (argv.some((arg) => arg === '--token' || arg.startsWith('--token=')))
    throw new Error(TOKEN_IN_ARGV_MESSAGE);
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'renderer-dir': { type: 'string' },
      'server-url': { type: 'string' },
      'token-file': { type: 'string' },
    },
    strict: true,
  });
  const portText = values.port ?? env.BLOCKLINE_HOST_PORT ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be a port number, got "${portText}"`);
  const dataRoot = values['data-dir'] ?? env.BLOCKLINE_DATA_DIR ?? path.join(repositoryRoot, 'data');
  const serverUrl = values['server-url'] ?? env.BLOCKLINE_SERVER_URL;
  const tokenFile = values['token-file'];
  const token = tokenFile === undefined ? env.BLOCKLINE_TOKEN : tokenFromFile(tokenFile, readToken);
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

function tokenFromFile(file: string, readToken: ReadTokenFile): string {
  const token = readToken(file).split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (token === '') throw new Error(`--token-file ${file}: no token in it`);
  return token;
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
