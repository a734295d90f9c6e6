/** What a recording holds, measured with sox. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Whether a party's tone is heard, as the lab's audio tests judge it. At a tap or in a page's FFT (median
 * dBFS): present well above a WebRTC call's noise floor (≈ −100 dBFS here), absent far below what leaks
 * of another party's tone. In a recording or in RTP read off the wire (`bandRms`; the tones are sent at
 * 0.3 of full scale, the agent's arrives at ≈ 0.02 through Chromium's noise suppression): present, absent.
 */
export const HEARD_DB = -60;
export const NOT_HEARD_DB = -65;
export const HEARD_RMS = 0.01;
export const NOT_HEARD_RMS = 0.003;

export interface AudioStats {
  durationS: number;
  rms: number;
}

/** Duration and RMS amplitude of a WAV file (`sox … -n stat`). */
export function soxStats(path: string): AudioStats {
  // sox prints its statistics on stderr.
  const output = execFileSync('sh', ['-c', 'sox "$1" -n stat 2>&1', 'sh', path], { encoding: 'utf8' });
  return readStat(output);
}

/** Duration and RMS of the part above the noise floor: the recording with leading/trailing silence cut. */
export function soxVoicedStats(path: string): AudioStats {
  const output = execFileSync(
    'sh',
    [
      '-c',
      'sox "$1" -p silence 1 0.02 1% reverse silence 1 0.02 1% reverse | sox -p -n stat 2>&1',
      'sh',
      path,
    ],
    { encoding: 'utf8' },
  );
  return readStat(output);
}

function readStat(output: string): AudioStats {
  const duration = /Length \(seconds\):\s+([\d.]+)/.exec(output)?.[1];
  const rms = /RMS\s+amplitude:\s+([\d.]+)/.exec(output)?.[1];
  if (duration === undefined || rms === undefined) throw new Error(`sox stat gave no figures:\n${output}`);
  return { durationS: Number(duration), rms: Number(rms) };
}

/** The 16-bit PCM samples of a WAV file (first channel), scaled to −1…1, and its sample rate. */
export function readWavPcm16(path: string): { samples: Float32Array; sampleRate: number } {
  const file = readFileSync(path);
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error(`${path} is not a WAV file`);
  let offset = 12;
  let sampleRate = 0;
  let channels = 1;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (file.readUInt16LE(body) !== 1 || file.readUInt16LE(body + 14) !== 16)
        throw new Error(`${path} is not 16-bit PCM`);
      channels = file.readUInt16LE(body + 2);
      sampleRate = file.readUInt32LE(body + 4);
    } else if (id === 'data') {
      // A recorder killed mid-call may leave the size unset: read to the end of the file then.
      const end = Math.min(file.length, size === 0 || size === 0xffffffff ? file.length : body + size);
      const frames = Math.floor((end - body) / (2 * channels));
      const samples = new Float32Array(frames);
      for (let frame = 0; frame < frames; frame += 1)
        samples[frame] = file.readInt16LE(body + frame * 2 * channels) / 32768;
      return { samples, sampleRate };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${path} has no data chunk`);
}

/**
 * The longest stretch of silence (10 ms windows under `threshold` RMS) between the first and the last
 * sound of a recording, in ms: a gap in what the far end heard.
 */
export function longestGapMs(path: string, threshold = 0.01): number {
  const { samples, sampleRate } = readWavPcm16(path);
  const window = Math.max(1, Math.round(sampleRate / 100));
  const voiced: boolean[] = [];
  for (let start = 0; start + window <= samples.length; start += window) {
    let sum = 0;
    for (let index = start; index < start + window; index += 1) sum += (samples[index] ?? 0) ** 2;
    voiced.push(Math.sqrt(sum / window) >= threshold);
  }
  const first = voiced.indexOf(true);
  const last = voiced.lastIndexOf(true);
  let longest = 0;
  let run = 0;
  for (let index = first; first >= 0 && index <= last; index += 1) {
    run = voiced[index] ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return longest * 10;
}

/**
 * RMS of a recording's band around `frequencyHz` (±`halfWidthHz`, sox's `sinc` band-pass), optionally of
 * its last `lastS` seconds only: each party sends its own tone, so a band tells whom the recording heard.
 */
export function bandRms(
  path: string,
  frequencyHz: number,
  options: { halfWidthHz?: number; lastS?: number } = {},
): number {
  const half = options.halfWidthHz ?? 60;
  const trim = options.lastS === undefined ? '' : `trim -${options.lastS}`;
  const output = execFileSync(
    'sh',
    ['-c', `sox "$1" -n ${trim} sinc ${frequencyHz - half}-${frequencyHz + half} stat 2>&1`, 'sh', path],
    { encoding: 'utf8' },
  );
  return readStat(output).rms;
}

/**
 * A mono 16-bit WAV of one continuous tone (for Chromium's fake microphone or baresip's source), at
 * `volume` of full scale (0.3 unless given).
 */
export function toneWav(
  path: string,
  frequencyHz: number,
  durationS: number,
  { sampleRate = 48_000, volume = 0.3 }: { sampleRate?: number; volume?: number } = {},
): string {
  execFileSync('sox', [
    '-n',
    '-r',
    String(sampleRate),
    '-c',
    '1',
    '-b',
    '16',
    path,
    'synth',
    String(durationS),
    'sine',
    String(frequencyHz),
    'vol',
    String(volume),
  ]);
  return path;
}
