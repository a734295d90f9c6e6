/**
 * Where `npm start`'s demo keeps its files and which ports it uses. Every port has a flag and an
 * environment variable; the defaults are the SIP lab's (test/sip-lab/lab.ts), so any SIP phone on this
 * computer can call in on 127.0.0.1:5060 as in the lab.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LAB_PORTS, type LabPorts } from '../../test/sip-lab/lab';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DemoPorts extends LabPorts {
  /** The org server (HTTP). */
  server: number;
  /** The browser host serving the app to a browser. */
  app: number;
  /** The gateway's media port (it echoes what it receives). */
  gatewayMedia: number;
}

interface PortSetting {
  key: keyof DemoPorts;
  flag: string;
  env: string;
  fallback: number;
}

const PORT_SETTINGS: PortSetting[] = [
  { key: 'server', flag: 'server-port', env: 'PORT', fallback: 8787 },
  { key: 'app', flag: 'app-port', env: 'BLOCKLINE_HOST_PORT', fallback: 5173 },
  { key: 'sipUdp', flag: 'sip-udp-port', env: 'BLOCKLINE_SIP_UDP_PORT', fallback: LAB_PORTS.sipUdp },
  { key: 'sipWs', flag: 'sip-ws-port', env: 'BLOCKLINE_SIP_WS_PORT', fallback: LAB_PORTS.sipWs },
  {
    key: 'rtpengineNg',
    flag: 'rtpengine-port',
    env: 'BLOCKLINE_RTPENGINE_PORT',
    fallback: LAB_PORTS.rtpengineNg,
  },
  { key: 'rtpMin', flag: 'rtp-port-min', env: 'BLOCKLINE_RTP_PORT_MIN', fallback: LAB_PORTS.rtpMin },
  { key: 'rtpMax', flag: 'rtp-port-max', env: 'BLOCKLINE_RTP_PORT_MAX', fallback: LAB_PORTS.rtpMax },
  { key: 'gateway', flag: 'gateway-port', env: 'BLOCKLINE_GATEWAY_PORT', fallback: LAB_PORTS.gateway },
  {
    key: 'gatewayMedia',
    flag: 'gateway-media-port',
    env: 'BLOCKLINE_GATEWAY_MEDIA_PORT',
    fallback: 16000,
  },
];

export type BrowserChoice = 'auto' | 'always' | 'never';

export interface DemoConfig {
  ports: DemoPorts;
  dataDir: string;
  /** Print the demo's bearer tokens (otherwise only where they are kept). */
  showTokens: boolean;
  /** Start without the local PBX even where its parts are installed. */
  pbx: boolean;
  browser: BrowserChoice;
}

function parsePort(text: string, name: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`${name} must be a port number (1-65535), got "${text}"`);
  return port;
}

export function demoUsage(): string {
  const ports = PORT_SETTINGS.map(
    (setting) => `  --${setting.flag} N   (or ${setting.env}; default ${setting.fallback})`,
  );
  return [
    'npm start [-- options]',
    ...ports,
    '  --no-pbx          start without the local demo PBX',
    '  --no-browser      do not open a browser window (BLOCKLINE_OPEN_BROWSER=0; =1 opens one even without a display)',
    '  --show-tokens     print the demo bearer tokens (they are kept in data/demo.json)',
  ].join('\n');
}

/** --no-browser, or BLOCKLINE_OPEN_BROWSER=0 / =1 (1 opens one even where no display is seen). */
export function browserChoice(
  noBrowserFlag: boolean,
  env: Record<string, string | undefined>,
): BrowserChoice {
  const opened = env.BLOCKLINE_OPEN_BROWSER;
  if (noBrowserFlag || opened === '0') return 'never';
  return opened === '1' ? 'always' : 'auto';
}

export function parseDemoConfig(argv: string[], env: Record<string, string | undefined>): DemoConfig {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    'no-pbx': { type: 'boolean' },
    'no-browser': { type: 'boolean' },
    'show-tokens': { type: 'boolean' },
  };
  for (const setting of PORT_SETTINGS) options[setting.flag] = { type: 'string' };
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  const ports = {} as DemoPorts;
  for (const setting of PORT_SETTINGS) {
    const given = values[setting.flag];
    const text = typeof given === 'string' ? given : env[setting.env];
    ports[setting.key] =
      text === undefined || text === '' ? setting.fallback : parsePort(text, `--${setting.flag}`);
  }
  if (ports.rtpMin >= ports.rtpMax)
    throw new Error('the RTP port range is empty (--rtp-port-min ≥ --rtp-port-max)');
  const browser = browserChoice(values['no-browser'] === true, env);
  return {
    ports,
    dataDir: env.BLOCKLINE_DATA_DIR ?? path.join(REPO_ROOT, 'data'),
    showTokens: values['show-tokens'] === true,
    pbx: values['no-pbx'] !== true,
    browser,
  };
}
