import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { longestGapMs } from '../sip-lab/audio-analysis';

/** A mono 16-bit 8 kHz WAV: a 500 Hz tone with silence from `gapStartS` for `gapS`. */
function toneWithGap(gapStartS: number, gapS: number, totalS: number): string {
  const rate = 8000;
  const frames = Math.round(totalS * rate);
  const data = Buffer.alloc(frames * 2);
  for (let frame = 0; frame < frames; frame += 1) {
    const t = frame / rate;
    const silent = t >= gapStartS && t < gapStartS + gapS;
    data.writeInt16LE(silent ? 0 : Math.round(Math.sin(2 * Math.PI * 500 * t) * 10000), frame * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  const path = join(mkdtempSync(join(tmpdir(), 'blockline-gap-')), 'tone.wav');
  writeFileSync(path, Buffer.concat([header, data]));
  return path;
}

describe('longestGapMs (the lab measure of a gap the far end heard)', () => {
  it('finds a 300 ms hole in a tone, and none in a continuous one', () => {
    expect(longestGapMs(toneWithGap(1, 0.3, 3))).toBeGreaterThanOrEqual(290);
    expect(longestGapMs(toneWithGap(1, 0.3, 3))).toBeLessThanOrEqual(310);
    expect(longestGapMs(toneWithGap(1, 0, 3))).toBe(0);
  });

  it('does not count the silence before the first and after the last sound', () => {
    expect(longestGapMs(toneWithGap(0, 0.5, 2))).toBe(0);
  });
});
