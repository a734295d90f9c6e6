/** What a recording holds, measured with sox. */
import { execFileSync } from 'node:child_process';

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

/** A mono WAV of one continuous tone (for Chromium's fake microphone or baresip's source). */
export function toneWav(path: string, frequencyHz: number, durationS: number, sampleRate = 48_000): string {
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
    '0.3',
  ]);
  return path;
}
