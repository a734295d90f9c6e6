/** Runs the lab's sipp scenarios (test/sip-lab/scenarios) and reads their timing logs. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KAMAILIO_UDP, SCENARIO_DIR } from './lab';

export type UacScenario =
  'uac-reject' | 'uac-early-media' | 'uac-early-media-100rel' | 'uac-ring' | 'uac-quality';

export interface CallerHeaders {
  /** From URI, e.g. sip:+12125550100@127.0.0.1, tel:+12125550100, sip:anonymous@anonymous.invalid */
  callerUri: string;
  callerName?: string;
  /** Up to three whole extra header lines (P-Asserted-Identity: …, Privacy: id, Require: 100rel …). */
  headers?: string[];
}

export interface SippTiming {
  callId: string;
  /** When the INVITE was sent (epoch ms, microsecond resolution). */
  sentAtMs: number;
  /** INVITE → first provisional (180/183) and INVITE → final, in ms; null when not received. */
  progressMs: number | null;
  finalMs: number | null;
}

export interface SippResult {
  exitCode: number | null;
  successful: number;
  failed: number;
  timings: SippTiming[];
  stdout: string;
  stderr: string;
  screen: string;
}

let nextPort = 15100;
/** A fresh SIP and media port pair for each sipp run (two sipp may run at once). */
function allocatePorts(): { sip: number; media: number } {
  nextPort += 2;
  if (nextPort > 15900) nextPort = 15102;
  return { sip: nextPort, media: 20000 + (nextPort - 15100) * 10 };
}

const PAD_HEADER = 'X-Lab-Pad: 1';

export interface RunUacOptions {
  scenario: UacScenario;
  caller: CallerHeaders;
  toUser?: string;
  calls?: number;
  /** Calls per second (default 10). */
  rate?: number;
  /** Give up after this long (default 20 s). */
  timeoutS?: number;
  /** Further `-set` variables the scenario declares (e.g. `hold_ms` for uac-quality). */
  variables?: Record<string, string>;
  /** Files written into sipp's working directory first (e.g. `doctored.pcap` for uac-quality). */
  files?: Record<string, Buffer>;
}

export function runUac(options: RunUacOptions): Promise<SippResult> {
  const headers = [...(options.caller.headers ?? [])];
  if (headers.length > 3) throw new Error('at most three extra headers');
  while (headers.length < 3) headers.push(PAD_HEADER);
  const calls = options.calls ?? 1;
  const workDir = mkdtempSync(join(tmpdir(), 'blockline-sipp-'));
  for (const [name, bytes] of Object.entries(options.files ?? {})) writeFileSync(join(workDir, name), bytes);
  const logFile = join(workDir, 'timing.log');
  const ports = allocatePorts();
  const args = [
    `${KAMAILIO_UDP.host}:${KAMAILIO_UDP.port}`,
    '-sf',
    join(SCENARIO_DIR, `${options.scenario}.xml`),
    '-i',
    '127.0.0.1',
    '-p',
    String(ports.sip),
    '-mp',
    String(ports.media),
    '-m',
    String(calls),
    '-r',
    String(options.rate ?? 10),
    '-rp',
    '1000',
    '-l',
    String(Math.max(calls, 1)),
    '-timeout',
    `${options.timeoutS ?? 20}s`,
    '-timeout_error',
    '-recv_timeout',
    '15000',
    '-nostdin',
    '-trace_logs',
    '-log_file',
    logFile,
    '-trace_err',
    '-error_file',
    join(workDir, 'errors.log'),
    '-trace_screen',
    '-screen_file',
    join(workDir, 'screen.log'),
    '-set',
    'to_user',
    options.toUser ?? 'agent1',
    '-set',
    'caller_name',
    options.caller.callerName ?? '',
    '-set',
    'caller_uri',
    options.caller.callerUri,
  ];
  headers.forEach((header, position) => args.push('-set', `h${position + 1}`, header));
  for (const [name, value] of Object.entries(options.variables ?? {})) args.push('-set', name, value);
  return runSipp(args, workDir, logFile);
}

function runSipp(args: string[], workDir: string, logFile: string): Promise<SippResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/sipp', args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const screenPath = join(workDir, 'screen.log');
      const errorsPath = join(workDir, 'errors.log');
      // The error log holds the unexpected message itself: the most useful part when a test fails.
      const screen =
        (existsSync(screenPath) ? readFileSync(screenPath, 'utf8') : '') +
        (existsSync(errorsPath)
          ? `\n--- sipp errors ---\n${readFileSync(errorsPath, 'utf8').slice(0, 4000)}`
          : '');
      resolve({
        exitCode,
        successful: readCounter(screen, 'Successful call'),
        failed: readCounter(screen, 'Failed call'),
        timings: existsSync(logFile) ? parseTimings(readFileSync(logFile, 'utf8')) : [],
        stdout,
        stderr,
        screen,
      });
    });
  });
}

function readCounter(screen: string, label: string): number {
  const match = new RegExp(`${label}\\s+\\|\\s+\\d+\\s+\\|\\s+(\\d+)`).exec(screen);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

function toMs(seconds: string, micros: string): number | null {
  const s = Number(seconds);
  const us = Number(micros);
  if (!Number.isFinite(s) || !Number.isFinite(us) || s === 0) return null;
  return s * 1000 + us / 1000;
}

/**
 * Reads "TIMING <call-id> sent=S.US progress=S.US final=S.US" lines. sipp prints its double variables with
 * six decimals, so a second is "1795664433.000000" and the whole field "1795664433.000000.429078.000000".
 */
export function parseTimings(log: string): SippTiming[] {
  const timings: SippTiming[] = [];
  const field = String.raw`(\d+)(?:\.0+)?\.(\d+)(?:\.0+)?`;
  const pattern = new RegExp(String.raw`TIMING (\S+) sent=${field} progress=${field} final=${field}`, 'g');
  for (const match of log.matchAll(pattern)) {
    const [, callId, sentS, sentUs, progressS, progressUs, finalS, finalUs] = match;
    if (!callId || !sentS || !sentUs || !progressS || !progressUs || !finalS || !finalUs) continue;
    const sent = toMs(sentS, sentUs);
    const progress = toMs(progressS, progressUs);
    const final = toMs(finalS, finalUs);
    if (sent === null) continue;
    timings.push({
      callId,
      sentAtMs: sent,
      progressMs: progress === null ? null : progress - sent,
      finalMs: final === null ? null : final - sent,
    });
  }
  return timings;
}

export interface RunningUas {
  /** Request-URIs of every INVITE the UAS received so far. */
  invites(): string[];
  stop(): Promise<void>;
}

/** Starts the lab's "PSTN gateway" UAS on udp 127.0.0.1:5070 (Kamailio routes unregistered numbers there). */
export function startUas(port = 5070, mediaPort = 16000): RunningUas {
  const workDir = mkdtempSync(join(tmpdir(), 'blockline-sipp-uas-'));
  const logFile = join(workDir, 'uas.log');
  const child = spawn(
    '/usr/bin/sipp',
    [
      '-sf',
      join(SCENARIO_DIR, 'uas.xml'),
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-mp',
      String(mediaPort),
      // Sends back the media it receives: outbound calls (and the echo number *43) hear themselves.
      '-rtp_echo',
      '-nostdin',
      '-trace_logs',
      '-log_file',
      logFile,
    ],
    { cwd: workDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return {
    invites: () =>
      existsSync(logFile)
        ? [...readFileSync(logFile, 'utf8').matchAll(/^INVITE (\S+)/gm)].map((match) => match[1] ?? '')
        : [],
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
