import { describe, expect, it } from 'vitest';
import { binOf, rms } from '../../renderer/phone/audio-output';

describe('the output tap arithmetic (the graph itself runs in Chromium, see the SIP lab tests)', () => {
  it('measures RMS, 0 for silence and for no samples', () => {
    expect(rms(new Float32Array(0))).toBe(0);
    expect(rms(new Float32Array(128))).toBe(0);
    const sine = Float32Array.from({ length: 4800 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48_000));
    expect(rms(sine)).toBeCloseTo(Math.SQRT1_2, 3);
  });

  it('finds the FFT bin of a tone', () => {
    expect(binOf(440, 48_000, 2048)).toBe(19);
    expect(binOf(0, 48_000, 2048)).toBe(0);
    expect(binOf(24_000, 48_000, 2048)).toBe(1024);
  });
});
