/**
 * baresip as a real SIP phone over UDP: it calls through Kamailio, sends a tone (440 Hz unless told), and its `sndfile`
 * module records the decoded audio it hears to a WAV file — what a blocked caller actually heard.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toneWav } from './audio-analysis';
import { LAB_SIP_PASSWORD } from './lab';

export interface BaresipCallOptions {
  /** The caller's address of record, e.g. sip:+12125550100@127.0.0.1 */
  from: string;
  /** Whom to call, e.g. sip:agent1@127.0.0.1; none: baresip only waits for calls. */
  target?: string;
  /**
   * Answer every call by itself. Listening on the lab's gateway port (5070, with no sipp UAS there),
   * it is the phone behind any unregistered number: the consultation target of an attended transfer.
   */
  autoAnswer?: boolean;
  /**
   * Register the address of record with the lab's Kamailio (Digest, the lab password), so calls to its
   * number reach this baresip through `lookup("location")`.
   */
  register?: boolean;
  /**
   * How many calls it takes at once (baresip's `call_max_calls`, default 4); one more is answered
   * `486 Max Calls`. 1 makes a consultation target that cannot take the transferred caller while it
   * still talks to the agent (baresip 1.0 has no `Replaces`: it sees that INVITE as a second call).
   */
  maxCalls?: number;
  /** The tone it sends (Hz, default 440): give each party of a call its own frequency. */
  toneHz?: number;
  /** baresip quits after this many seconds. */
  durationS: number;
  /** Local SIP port (default 5090). */
  port?: number;
  /** Kamailio's UDP address to send through (default the lab's, 127.0.0.1:5060). */
  proxy?: string;
  /** Local RTP ports (default 31000-31100). */
  rtpPorts?: string;
  /** Where config and recordings go (default a fresh temp dir). */
  dir?: string;
  /** Sees each output line as it comes; `hangUp()` ends the call now (baresip sends BYE or CANCEL and quits). */
  onLine?: (line: string, hangUp: () => void) => void;
}

export interface BaresipCallResult {
  exitCode: number | null;
  output: string;
  /** Recordings of decoded received audio (`dump-…-dec.wav`). */
  receivedWavs: string[];
  dir: string;
}

export function baresipCall(options: BaresipCallOptions): Promise<BaresipCallResult> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'blockline-baresip-'));
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? 5090;
  // What the caller says: a 440 Hz tone at 8 kHz (ausine only runs at 48 kHz, which PCMU calls refuse).
  const tone = join(dir, 'tone.wav');
  toneWav(tone, options.toneHz ?? 440, options.durationS + 2, { sampleRate: 8000 });
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${port}`,
      'sip_trans_def udp',
      `audio_source aufile,${tone}`,
      'audio_player aubridge,nil',
      'audio_alert aubridge,nil',
      'audio_srate 8000',
      'audio_channels 1',
      'module_path /usr/lib/baresip/modules',
      'module account.so',
      'module g711.so',
      'module aufile.so',
      'module aubridge.so',
      'module sndfile.so',
      'module_app menu.so',
      `snd_path ${dir}`,
      `rtp_ports ${options.rtpPorts ?? '31000-31100'}`,
      'jitter_buffer_delay 1-5',
      ...(options.maxCalls === undefined ? [] : [`call_max_calls ${options.maxCalls}`]),
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'accounts'),
    `<${options.from}>;${options.register === true ? `auth_pass=${LAB_SIP_PASSWORD};regint=600` : 'regint=0'}${options.autoAnswer === true ? ';answermode=auto' : ''};audio_codecs=PCMU,PCMA;outbound="sip:${options.proxy ?? '127.0.0.1:5060'};transport=udp"\n`,
  );
  writeFileSync(join(dir, 'contacts'), '');
  return new Promise((resolve, reject) => {
    const child = spawn(
      '/usr/bin/baresip',
      [
        ...['-f', dir, '-n', '127.0.0.1', '-4', '-t', String(options.durationS)],
        ...(process.env.LAB_DEBUG ? ['-v'] : []),
        ...(options.target === undefined ? [] : ['-e', `/dial ${options.target}`]),
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let partial = '';
    // baresip's own signal handler hangs up every call (BYE, or CANCEL while ringing) and quits.
    const hangUp = () => void child.kill('SIGTERM');
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (options.onLine === undefined) return;
      const lines = (partial + text).split(/[\r\n]/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') options.onLine(line, hangUp);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const receivedWavs = readdirSync(dir)
        .filter((name) => name.endsWith('-dec.wav'))
        .map((name) => join(dir, name));
      resolve({ exitCode, output, receivedWavs, dir });
    });
  });
}
