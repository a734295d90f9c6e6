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
