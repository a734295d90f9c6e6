/**
 * The local demo PBX for `npm start`: the SIP lab's Kamailio and rtpengine (test/sip-lab, the same
 * configuration files, ports moved with defines and flags) and its gateway UAS, which answers numbers
 * nobody registered and the echo number `*43` and sends back the media it receives. Loopback only.
 */
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync } from 'node:fs';
import { startLab, type Lab } from '../../test/sip-lab/lab';
import { startUas, type RunningUas } from '../../test/sip-lab/sipp';
import type { DemoPorts } from './config';

/** File that shows each part is installed → its Debian package (the start script installs them). */
export const PBX_PARTS: Record<string, string> = {
  '/usr/sbin/kamailio': 'kamailio',
  '/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so': 'kamailio-websocket-modules',
  '/usr/bin/rtpengine': 'rtpengine-daemon',
  '/usr/bin/sipp': 'sip-tester',
};

/** The Debian packages of the PBX that are missing here (empty: it can start). */
export function missingPbxPackages(): string[] {
  if (process.platform !== 'linux') return Object.values(PBX_PARTS);
  return [
    ...new Set(
      Object.entries(PBX_PARTS)
        .filter(([file]) => !existsSync(file))
        .map(([, pkg]) => pkg),
    ),
  ];
}

export interface DemoPbx {
  /** Where any SIP phone on this computer can send calls: 127.0.0.1:<udp port>. */
  udp: string;
  websocketUrl: string;
  lab: Lab;
  stop(): Promise<void>;
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

export async function startDemoPbx(ports: DemoPorts, runDir: string): Promise<DemoPbx> {
  mkdirSync(runDir, { recursive: true });
  for (const [name, port] of [
    ['the PBX gateway', ports.gateway],
    ['the gateway media', ports.gatewayMedia],
  ] as const) {
    if (!(await udpPortFree(port)))
      throw new Error(`udp 127.0.0.1:${port} (${name}) is taken: choose another port (npm start -- --help)`);
  }
  const lab = await startLab({ dir: runDir, ports, network: 'host-loopback' });
  let gateway: RunningUas;
  try {
    gateway = startUas(ports.gateway, ports.gatewayMedia);
  } catch (error) {
    await lab.stop();
    throw error;
  }
  return {
    udp: `127.0.0.1:${ports.sipUdp}`,
    websocketUrl: `ws://127.0.0.1:${ports.sipWs}`,
    lab,
    stop: async () => {
      await gateway.stop();
      await lab.stop();
    },
  };
}
