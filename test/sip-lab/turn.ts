/**
 * The lab's TURN server: Debian's coturn on loopback, long-term credentials for one test user, relaying
 * to loopback peers (rtpengine is one). Started and stopped by its own PID like the other daemons;
 * `restart()` drops every allocation — the "changed media path" of SPEC §10.6.
 */
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitedEarly, startLogged, stopChild, waitUntil } from './lab';

export const TURN_PORT = 3478;
export const TURN_REALM = 'blockline.lab';
export const TURN_USER = 'agent1-turn';
export const TURN_PASSWORD = 'turn-secret-from-the-keychain';
export const TURN_URL = `turn:127.0.0.1:${TURN_PORT}?transport=udp`;

export interface TurnServer {
  logPath: string;
  readLog(): string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** True when a STUN Binding request to the server gets any answer. */
export function turnAnswersBinding(port: number = TURN_PORT, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    // Binding request: type 0x0001, length 0, the magic cookie, a 12-byte transaction id.
    const request = Buffer.concat([
      Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]),
      randomBytes(12),
    ]);
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(answered: boolean): void {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    }
    socket.on('message', () => finish(true));
    socket.on('error', () => finish(false));
    socket.bind(0, '127.0.0.1', () => socket.send(request, port, '127.0.0.1'));
  });
}

export async function startTurnServer(dir: string, port: number = TURN_PORT): Promise<TurnServer> {
  if (await turnAnswersBinding(port))
    throw new Error(`something already answers STUN on udp 127.0.0.1:${port}`);
  const logPath = join(dir, 'turnserver.log');
  const args = [
    '-n', // no configuration file: everything is here
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    '--min-port=49160',
    '--max-port=49260',
    '--lt-cred-mech',
    `--user=${TURN_USER}:${TURN_PASSWORD}`,
    `--realm=${TURN_REALM}`,
    // rtpengine, the peer, is on loopback too (coturn refuses loopback peers by default).
    '--allow-loopback-peers',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    `--db=${join(dir, 'turndb')}`,
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    '--log-file=stdout',
    '--simple-log',
    '--verbose',
  ];
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const started = startLogged('/usr/bin/turnserver', args, logPath);
    child = started;
    await Promise.race([
      waitUntil(`coturn to answer on udp 127.0.0.1:${port}`, () => turnAnswersBinding(port), 10_000),
      exitedEarly(started, 'turnserver', logPath),
    ]);
  };
  const stop = async (): Promise<void> => {
    if (child) await stopChild(child);
    child = null;
  };
  const killOnExit = (): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  await start();
  return {
    logPath,
    readLog: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    restart: async () => {
      await stop();
      await start();
    },
    stop: async () => {
      await stop();
      process.removeListener('exit', killOnExit);
    },
  };
}
