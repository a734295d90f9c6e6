/**
 * The SIP lab controller: starts rtpengine, then Kamailio, with the project's own configuration, and
 * stops exactly the processes it started. It must run inside a network namespace that holds only
 * loopback (`unshare -n`, then `ip link set lo up`); `assertLoopbackOnlyNetwork()` refuses anything else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAB_DIR = dirname(fileURLToPath(import.meta.url));
export const SCENARIO_DIR = join(LAB_DIR, 'scenarios');
export const KAMAILIO_UDP = { host: '127.0.0.1', port: 5060 } as const;
export const KAMAILIO_WS_URL = 'ws://127.0.0.1:8080';
export const RTPENGINE_NG = { host: '127.0.0.1', port: 22222 } as const;
/** Unregistered numbers are routed by Kamailio to a sipp UAS here (the lab's "PSTN gateway"). */
export const PSTN_GATEWAY_PORT = 5070;
/** Every lab SIP user registers with this password (Digest, realm 127.0.0.1). */
export const LAB_SIP_PASSWORD = 'blockline-lab';
export const LAB_SIP_DOMAIN = '127.0.0.1';

/** Every port the lab's daemons use; the constants above are the defaults (`npm start` may move them). */
export interface LabPorts {
  /** Kamailio, plain SIP over UDP. */
  sipUdp: number;
  /** Kamailio, SIP over WebSocket (its TCP listener). */
  sipWs: number;
  /** rtpengine's control socket (ng protocol over UDP). */
  rtpengineNg: number;
  /** rtpengine's media port range. */
  rtpMin: number;
  rtpMax: number;
  /** Where Kamailio sends numbers nobody registered (and the echo number `*43`). */
  gateway: number;
}

export const LAB_PORTS: Readonly<LabPorts> = {
  sipUdp: KAMAILIO_UDP.port,
  sipWs: 8080,
  rtpengineNg: RTPENGINE_NG.port,
  rtpMin: 30000,
  rtpMax: 30400,
  gateway: PSTN_GATEWAY_PORT,
};

export interface Lab {
  dir: string;
  kamailioLogPath: string;
  rtpengineLogPath: string;
  /** Kamailio's log so far (it logs one `LAB INVITE from=… ruri=…` line per initial INVITE). */
  readKamailioLog(): string;
  stop(): Promise<void>;
}

/** Throws unless this process sees nothing but a loopback interface. */
export function assertLoopbackOnlyNetwork(): void {
  const names = Object.keys(networkInterfaces());
  const others = names.filter((name) => name !== 'lo');
  if (others.length > 0 || !names.includes('lo')) {
    throw new Error(
      `the SIP lab must run in a loopback-only network namespace (found interfaces: ${names.join(', ') || 'none'}); ` +
        "run: unshare -n bash -c 'ip link set lo up; …'",
    );
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await delay(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Sends one UDP datagram and resolves with the first reply, or null after `timeoutMs`. */
export function udpRequest(
  host: string,
  port: number,
  payload: string,
  timeoutMs = 300,
): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(null), timeoutMs);
    function finish(reply: string | null): void {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    }
    socket.on('message', (message) => finish(message.toString('utf8')));
    socket.on('error', () => finish(null));
    socket.bind(0, '127.0.0.1', () => socket.send(payload, port, host));
  });
}

export async function rtpengineAnswersPing(port: number = RTPENGINE_NG.port): Promise<boolean> {
  const reply = await udpRequest(RTPENGINE_NG.host, port, 'lab1 d7:command4:pinge');
  return reply !== null && reply.includes('pong');
}

export async function kamailioAnswersOptions(port: number = KAMAILIO_UDP.port): Promise<boolean> {
  const branch = `z9hG4bK-lab-${Math.random().toString(36).slice(2)}`;
  const request = [
    `OPTIONS sip:${KAMAILIO_UDP.host}:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:9;branch=${branch};rport`,
    'From: <sip:lab-probe@127.0.0.1>;tag=probe',
    'To: <sip:127.0.0.1>',
    `Call-ID: ${branch}`,
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const reply = await udpRequest(KAMAILIO_UDP.host, port, request);
  return reply !== null && reply.startsWith('SIP/2.0 200');
}

export function tcpPortOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts a process whose stdout and stderr go to `logPath`; rejects early if it exits during start-up. */
export function startLogged(command: string, args: string[], logPath: string): ChildProcess {
  // The log file itself is the child's stdout and stderr: no pipe through Node to lose or block.
  const log = openSync(logPath, 'a');
  try {
    return spawn(command, args, { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
}

export function exitedEarly(child: ChildProcess, name: string, logPath: string): Promise<never> {
  return new Promise((_resolve, reject) => {
    child.once('exit', (code, signal) => {
      const tail = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n') : '';
      reject(new Error(`${name} exited during start-up (code ${code}, signal ${signal}):\n${tail}`));
    });
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), delay(3000).then(() => false)]);
  if (!stopped) {
    child.kill('SIGKILL');
    await exited;
  }
}

let current: Lab | null = null;

export interface StartLabOptions {
  dir?: string;
  /** Ports other than the lab's defaults (LAB_PORTS). */
  ports?: Partial<LabPorts>;
  /**
   * Tests must run in a loopback-only namespace (the default, enforced). `npm start` runs on the
   * user's own network: every daemon binds 127.0.0.1 only, so nothing listens beyond this computer.
   */
  network?: 'loopback-namespace' | 'host-loopback';
}

export async function startLab(options: StartLabOptions = {}): Promise<Lab> {
  if (current) throw new Error('a SIP lab is already running in this process; call stopLab() first');
  if (options.network !== 'host-loopback') assertLoopbackOnlyNetwork();
  const ports: LabPorts = { ...LAB_PORTS, ...options.ports };
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'blockline-sip-lab-'));
  mkdirSync(dir, { recursive: true });
  const rtpengineLogPath = join(dir, 'rtpengine.log');
  const kamailioLogPath = join(dir, 'kamailio.log');
  const started: ChildProcess[] = [];
  // If this process dies without stop() (a crash, a killed test run), take our own daemons with it:
  // they would otherwise hold the lab's ports in the namespace.
  const killOnExit = (): void => {
    // SIGTERM, not SIGKILL: Kamailio's main process must live long enough to stop its own children.
    for (const child of started)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  const stopAll = async (): Promise<void> => {
    // Kamailio first (it talks to rtpengine), each by its own PID.
    for (const child of [...started].reverse()) await stopChild(child);
    process.removeListener('exit', killOnExit);
  };

  try {
    if (await rtpengineAnswersPing(ports.rtpengineNg))
      throw new Error(`something already answers on rtpengine port ${ports.rtpengineNg}`);
    if (await tcpPortOpen('127.0.0.1', ports.sipWs))
      throw new Error(`something already listens on tcp 127.0.0.1:${ports.sipWs}`);
    if (await kamailioAnswersOptions(ports.sipUdp))
      throw new Error(`a SIP server already answers on udp 127.0.0.1:${ports.sipUdp}`);

    // rtpengine before Kamailio: Kamailio pings it once at start and would otherwise disable it for 60 s.
    // Command-line options take precedence over the config file's, so the file stays the one home.
    const rtpengine = startLogged(
      '/usr/bin/rtpengine',
      [
        `--config-file=${join(LAB_DIR, 'rtpengine.conf')}`,
        `--pidfile=${join(dir, 'rtpengine.pid')}`,
        `--listen-ng=127.0.0.1:${ports.rtpengineNg}`,
        `--port-min=${ports.rtpMin}`,
        `--port-max=${ports.rtpMax}`,
      ],
      rtpengineLogPath,
    );
    started.push(rtpengine);
    await Promise.race([
      waitUntil(
        `rtpengine to answer on udp 127.0.0.1:${ports.rtpengineNg}`,
        () => rtpengineAnswersPing(ports.rtpengineNg),
        10_000,
      ),
      exitedEarly(rtpengine, 'rtpengine', rtpengineLogPath),
    ]);

    const kamailio = startLogged(
      '/usr/sbin/kamailio',
      [
        '-f',
        join(LAB_DIR, 'kamailio.cfg'),
        '-DD',
        '-E',
        '-m',
        '64',
        '-M',
        '8',
        '-Y',
        dir,
        '-P',
        join(dir, 'kamailio.pid'),
        // The config's port defines (#!trydef), given their values here.
        '-A',
        `SIP_UDP_PORT=${ports.sipUdp}`,
        '-A',
        `SIP_WS_PORT=${ports.sipWs}`,
        '-A',
        `RTPENGINE_SOCK="udp:127.0.0.1:${ports.rtpengineNg}"`,
        '-A',
        `GATEWAY_URI="sip:127.0.0.1:${ports.gateway}"`,
      ],
      kamailioLogPath,
    );
    started.push(kamailio);
    await Promise.race([
      (async () => {
        await waitUntil(
          `Kamailio to answer OPTIONS on udp 127.0.0.1:${ports.sipUdp}`,
          () => kamailioAnswersOptions(ports.sipUdp),
          10_000,
        );
        await waitUntil(
          `Kamailio to listen on tcp 127.0.0.1:${ports.sipWs}`,
          () => tcpPortOpen('127.0.0.1', ports.sipWs),
          10_000,
        );
      })(),
      exitedEarly(kamailio, 'kamailio', kamailioLogPath),
    ]);
  } catch (error) {
    await stopAll();
    throw error;
  }

  const lab: Lab = {
    dir,
    kamailioLogPath,
    rtpengineLogPath,
    readKamailioLog: () => (existsSync(kamailioLogPath) ? readFileSync(kamailioLogPath, 'utf8') : ''),
    stop: async () => {
      await stopAll();
      if (current === lab) current = null;
    },
  };
  current = lab;
  return lab;
}

/** Stops the lab this process started, if any. */
export async function stopLab(): Promise<void> {
  if (current) await current.stop();
}
