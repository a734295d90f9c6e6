/**
 * `npm run demo:call -- --from "+1 900 555 0123" [--to agent1] [--anonymous] [--verstat failed]`
 * A real SIP call from that number to an agent of the running `npm start`, placed by baresip through
 * the local PBX. It prints one JSON line of what the caller experienced — the SIP statuses it got,
 * whether it heard the announcement, how long it took — and keeps the caller's recording of what it
 * heard in data/calls/. An allowed call rings the agent; answered, the caller stays on the line for
 * `--hold` seconds (default 5) and hangs up.
 */
import { createSocket } from 'node:dgram';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { normalizeNumber } from '../../shared/numbers';
import { errorMessage } from '../../shared/error-message';
import { soxVoicedStats } from '../../test/sip-lab/audio-analysis';
import { baresipCall } from '../../test/sip-lab/baresip';
import { LAB_SIP_DOMAIN } from '../../test/sip-lab/lab';
import { REPO_ROOT } from './config';
import { readRunState } from './state';

export interface DemoCallResult {
  /** The caller's SIP statuses in order, provisional ones (180, 183) first, e.g. [183, 603]. */
  status: number[];
  /** Audio heard as early media before a final refusal: the app's announcement. */
  heardAnnouncement: boolean;
  /** From dialling to the end of the call. */
  seconds: number;
  /** Seconds of sound (not silence) in the caller's recording. */
  heardSeconds: number;
  /** What the caller heard, as a WAV file (null when it heard nothing at all). */
  recording: string | null;
}

interface CallArgs {
  from: string | null;
  to: string;
  anonymous: boolean;
  verstat: string | null;
  holdS: number;
  ringTimeoutS: number;
}

const VERSTAT: Record<string, string> = {
  failed: 'TN-Validation-Failed',
  passed: 'TN-Validation-Passed',
  none: 'No-TN-Validation',
};

function parseCallArgs(argv: string[]): CallArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string', default: 'agent1' },
      anonymous: { type: 'boolean', default: false },
      verstat: { type: 'string' },
      hold: { type: 'string', default: '5' },
      'ring-timeout': { type: 'string', default: '30' },
    },
    strict: true,
  });
  if (values.from === undefined && !values.anonymous) throw new Error('give --from NUMBER (or --anonymous)');
  if (values.verstat !== undefined && VERSTAT[values.verstat] === undefined)
    throw new Error(`--verstat is one of ${Object.keys(VERSTAT).join(', ')}`);
  let from: string | null = null;
  if (values.from !== undefined) {
    const normalized = normalizeNumber(values.from, 'US');
    if (!normalized.ok) throw new Error(`--from "${values.from}": ${normalized.message}`);
    from = normalized.e164;
  }
  return {
    from,
    to: values.to,
    anonymous: values.anonymous,
    verstat: values.verstat === undefined ? null : (VERSTAT[values.verstat] ?? null),
    holdS: Number(values.hold),
    ringTimeoutS: Number(values['ring-timeout']),
  };
}

/** The caller's From address: its number (with a verstat parameter), or the anonymous form. */
export function callerUri(args: Pick<CallArgs, 'from' | 'anonymous' | 'verstat'>): string {
  if (args.anonymous || args.from === null) return 'sip:anonymous@anonymous.invalid';
  const user = args.verstat === null ? args.from : `${args.from};verstat=${args.verstat}`;
  return `sip:${user}@${LAB_SIP_DOMAIN}`;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

export async function placeDemoCall(argv: string[]): Promise<DemoCallResult> {
  const args = parseCallArgs(argv);
  const dataDir = process.env.BLOCKLINE_DATA_DIR ?? path.join(REPO_ROOT, 'data');
  const state = readRunState(dataDir);
  if (state === null) throw new Error('Blockline is not running here: start it with `npm start` first');
  if (state.pbxUdp === null) throw new Error('this `npm start` runs without its demo PBX');

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const callsDir = path.join(state.dataDir, 'calls');
  const workDir = path.join(callsDir, `.${stamp}`);
  const status: number[] = [];
  let answered = false;
  // From the INVITE (baresip's "connecting to"), not from baresip's own start-up.
  let dialledAt = Date.now();
  let endedAt: number | null = null;
  let ringTimer: NodeJS.Timeout | null = null;
  let holdTimer: NodeJS.Timeout | null = null;
  const result = await baresipCall({
    from: callerUri(args),
    target: `sip:${args.to}@${LAB_SIP_DOMAIN}`,
    durationS: args.ringTimeoutS + args.holdS + 10,
    port: await freeUdpPort(),
    proxy: state.pbxUdp,
    rtpPorts: process.env.BLOCKLINE_CALLER_RTP_PORTS ?? '31000-31100',
    dir: workDir,
    onLine: (line, hangUp) => {
      if (/call: connecting to/.test(line)) dialledAt = Date.now();
      ringTimer ??= setTimeout(hangUp, args.ringTimeoutS * 1000);
      const progress = /SIP Progress: (\d{3})/.exec(line)?.[1];
      if (progress !== undefined && progress !== '100') status.push(Number(progress));
      if (/Call established/.test(line) && !answered) {
        answered = true;
        status.push(200);
        if (ringTimer !== null) clearTimeout(ringTimer);
        holdTimer = setTimeout(hangUp, args.holdS * 1000);
      }
      const closed = /session closed: (\d{3})/.exec(line)?.[1];
      if (closed !== undefined) status.push(Number(closed));
      // Refused, or the far end hung up: nothing more will come.
      if (/session closed|call: closing/.test(line)) {
        endedAt ??= Date.now();
        hangUp();
      }
    },
  });
  for (const timer of [ringTimer, holdTimer]) if (timer !== null) clearTimeout(timer);
  const seconds = Math.round(((endedAt ?? Date.now()) - dialledAt) / 100) / 10;

  const heard = result.receivedWavs[0];
  let recording: string | null = null;
  let heardSeconds = 0;
  if (heard !== undefined && existsSync(heard)) {
    mkdirSync(callsDir, { recursive: true });
    recording = path.join(callsDir, `${stamp}-${args.anonymous ? 'anonymous' : (args.from ?? 'caller')}.wav`);
    copyFileSync(heard, recording);
    try {
      const voiced = soxVoicedStats(recording);
      heardSeconds = voiced.rms > 0.01 ? Math.round(voiced.durationS * 10) / 10 : 0;
    } catch {
      heardSeconds = 0; // all silence: sox has nothing left to measure
    }
  }
  rmSync(workDir, { recursive: true, force: true });
  const final = status.at(-1) ?? 0;
  return {
    status,
    heardAnnouncement: !answered && final >= 300 && status.includes(183) && heardSeconds >= 1,
    seconds,
    heardSeconds,
    recording,
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  placeDemoCall(process.argv.slice(2)).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(`demo:call: ${errorMessage(error)}`);
      process.exit(1);
    },
  );
}
