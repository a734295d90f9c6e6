#!/usr/bin/env node
// Renders the two announcement clips that ship with the app (SPEC §3.4, §3.5) with espeak-ng,
// then level-normalizes them with sox to 16 kHz mono 16-bit WAV. Re-run after changing the wording.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const outputDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer', 'public', 'audio');

const clips = [
  { file: 'blocked-inbound.wav', text: 'This call cannot be connected, goodbye.' },
  { file: 'blocked-outbound.wav', text: 'This number has been blocked by your organization.' },
];

function run(command, args) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = error && typeof error === 'object' && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`${command} failed: ${stderr || String(error)}`);
  }
}

const workDir = mkdtempSync(join(tmpdir(), 'blockline-announcements-'));
try {
  for (const clip of clips) {
    const raw = join(workDir, clip.file);
    // A calm pace (150 wpm) and a mid pitch read well over narrowband telephone codecs.
    run('espeak-ng', ['-v', 'en-us', '-s', '150', '-p', '45', '-w', raw, clip.text]);
    const target = join(outputDir, clip.file);
    // Highpass removes DC/rumble, `norm -3` peaks at -3 dBFS; a short pad avoids clipped edges.
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
