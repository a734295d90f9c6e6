#!/usr/bin/env node
// Renders the two built-in announcement clips that ship with the app (SPEC §3.4, §3.5), then
// level-normalizes them with sox to 16 kHz mono 16-bit WAV. Re-run after changing the wording; the clips
// are committed, so nothing else (not `npm test`, not `.ci/run`) needs the speech packages.
//
// The voice: Festival with the CMU ARCTIC "slt" HTS voice (Debian `festival` + `festvox-us-slt-hts`,
// both in main): a statistical parametric voice trained on a US English speaker, far smoother and
// easier to understand over a narrowband phone line than espeak-ng's formant voice, which these clips
// used before. Of what Debian and npm offer here it is the clearest: the MBROLA voices and Pico
// (libttspico) are not in Debian 12's main archive, flite's voices are the older diphone/clunit kind, and
// neural voices on npm (Piper ports) download their models at run time. Slowed by 10 % (Duration_Stretch)
// because announcements are heard once, through a phone codec, by someone not expecting them.
//
//   apt-get install --no-install-recommends festival festvox-us-slt-hts sox
//   node scripts/make-announcements.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const outputDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer', 'public', 'audio');

const VOICE = 'voice_cmu_us_slt_arctic_hts';
const DURATION_STRETCH = 1.1;

const clips = [
  { file: 'blocked-inbound.wav', text: 'This call cannot be connected, goodbye.' },
  { file: 'blocked-outbound.wav', text: 'This number has been blocked by your organization.' },
];

function run(command, args) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = error && typeof error === 'object' && 'stderr' in error ? String(error.stderr) : '';
    const missing = error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT';
    throw new Error(
      missing
        ? `${command} is not installed: apt-get install --no-install-recommends festival festvox-us-slt-hts sox`
        : `${command} failed: ${stderr || String(error)}`,
    );
  }
}

const workDir = mkdtempSync(join(tmpdir(), 'blockline-announcements-'));
try {
  for (const clip of clips) {
    const text = join(workDir, `${clip.file}.txt`);
    writeFileSync(text, clip.text);
    const raw = join(workDir, clip.file);
    run('text2wave', [
      '-eval',
      `(${VOICE})`,
      '-eval',
      `(Parameter.set 'Duration_Stretch ${DURATION_STRETCH})`,
      '-o',
      raw,
      text,
    ]);
    const target = join(outputDir, clip.file);
    // Highpass removes DC/rumble; the voice's soft onsets and decays below 2 % are cut, so the clip
    // ends where its words do (a caller's recording through a codec measures the same length);
    // `norm -3` peaks at -3 dBFS; a short pad avoids clipped edges.
    run('sox', [
      raw,
      '-r',
      '16000',
      '-c',
      '1',
      '-b',
      '16',
      target,
      'highpass',
      '100',
      'silence',
      '1',
      '0.02',
      '2%',
      'reverse',
      'silence',
      '1',
      '0.02',
      '2%',
      'reverse',
      'norm',
      '-3',
      'pad',
      '0.1',
      '0.2',
    ]);
    console.log(`${target} (${statSync(target).size} bytes)`);
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
